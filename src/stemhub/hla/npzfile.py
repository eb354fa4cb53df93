"""The engine's one way to write arrays to disk: an uncompressed `.npz` without pickles, written
to a temporary file beside the target and moved into place, so a reader never sees half a file
and a crash leaves the old one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt


def save_npz(path: Path, arrays: Mapping[str, npt.ArrayLike]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    os.close(handle)
    try:
        with open(tmp_name, "wb") as out:
            np.savez(out, allow_pickle=False, **arrays)
        os.replace(tmp_name, path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
