"""The engine's one way to write arrays to disk: an uncompressed `.npz` without pickles, written
to a temporary file beside the target and moved into place, so a reader never sees half a file
and a crash leaves the old one. Lists of strings go in as one UTF-8 blob plus offsets
(`pack_strings`), never as fixed-width unicode padded to the longest string."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["pack_strings", "save_npz", "unpack_strings"]


def pack_strings(strings: list[str]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """Strings as one UTF-8 blob plus character offsets."""
    offsets = np.zeros(len(strings) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, strings), dtype=np.int64, count=len(strings)), out=offsets[1:])
    return np.frombuffer("".join(strings).encode(), dtype=np.uint8), offsets


def unpack_strings(blob: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]) -> list[str]:
    text = blob.tobytes().decode()
    return [text[start:stop] for start, stop in itertools.pairwise(offsets.tolist())]


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
