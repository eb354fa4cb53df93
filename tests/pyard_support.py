"""Offline py-ard for tests and benchmarks.

``get_ard()`` returns a ``pyard.ard.ARD`` built from the IPD-IMGT/HLA release files in
``../shared/imgt/Latest`` (relative to the repository root) or in ``$STEMHUB_IMGT_DIR`` (a
directory laid out like ``.../imgt/Latest``), never from the network:

* py-ard reads the environment variable ``IMGT_HLA_URL`` when ``pyard.loader`` is first imported
  and fetches ``{IMGT_HLA_URL}Latest/Allelelist.txt``, ``{IMGT_HLA_URL}Latest/wmda/...`` and
  ``{IMGT_HLA_URL}/Latest/release_version.txt``.  We point it at ``file://<parent of Latest>/``
  and use ``imgt_version="Latest"`` (any other version makes py-ard look for
  ``Latest/allelelist/Allelelist.<v>.txt`` and validate the version against GitHub).  The
  release number (e.g. 3580) is read from ``release_version.txt`` and stored by py-ard as the
  database's ``user_version``; ``ard.get_db_version()`` returns it.
* ``load_mac=False``: py-ard downloads NMDP's MAC file from the network otherwise.  Tests that
  need MACs expand them from ``../shared/hla/mac_subset_atlas.csv.gz`` themselves.

The SQLite database is cached in ``<repo>/var/cache/pyard/<release>/pyard-Latest.sqlite3`` (or
``$STEMHUB_DATA_DIR/cache/pyard/<release>/``).  It is built once, into a temporary directory,
under an exclusive ``fcntl`` lock, and then moved into place atomically, so two pytest processes
starting at once build it only once and never see a half-built database.

Usage::

    from tests.pyard_support import get_ard
    ard = get_ard()
    ard.redux("A*01:01:01:01", "lgx")   # -> 'A*01:01'

or the session-scoped pytest fixture ``ard`` from ``tests/hla_reference/conftest.py``.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import re
import shutil
import sys
import tempfile
import threading
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyard.ard import ARD

REPO_ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "pyard-Latest.sqlite3"
_lock = threading.Lock()


def imgt_dir() -> Path:
    """The IPD-IMGT/HLA release directory (the one holding Allelelist.txt and wmda/)."""
    env = os.environ.get("STEMHUB_IMGT_DIR")
    path = Path(env) if env else REPO_ROOT.parent / "shared" / "imgt" / "Latest"
    path = path.resolve()
    if not (path / "Allelelist.txt").is_file():
        raise FileNotFoundError(f"no IPD-IMGT/HLA release at {path} (Allelelist.txt missing)")
    return path


def shared_dir() -> Path:
    """``../shared`` relative to the repository root, or ``$STEMHUB_SHARED_DIR`` (mutation
    testing runs the tests from a copy, `mutants/`, where ``../shared`` is not beside them)."""
    if os.environ.get("STEMHUB_SHARED_DIR"):
        return Path(os.environ["STEMHUB_SHARED_DIR"]).resolve()
    return (REPO_ROOT.parent / "shared").resolve()


def imgt_release(path: Path | None = None) -> str:
    """Release of the IMGT directory as py-ard spells it, e.g. '3580' for 3.58.0."""
    text = ((path or imgt_dir()) / "release_version.txt").read_text()
    match = re.search(r"version:\s*IPD-IMGT/HLA\s+(\d+)\.(\d+)\.(\d+)", text)
    if not match:
        raise ValueError("cannot read the release from release_version.txt")
    major, minor, patch = match.groups()
    return f"{major}{int(minor):02d}{patch}"


def cache_dir(release: str) -> Path:
    data_dir = os.environ.get("STEMHUB_DATA_DIR")
    base = Path(data_dir) if data_dir else REPO_ROOT / "var"
    return base / "cache" / "pyard" / release


def _point_pyard_at(url: str) -> None:
    """Make py-ard fetch from ``url``, also if pyard.loader was imported before."""
    os.environ["IMGT_HLA_URL"] = url
    with contextlib.redirect_stdout(io.StringIO()):  # py-ard prints "Using URL: ..."
        pass
    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if (name == "pyard.loader" or name.startswith("pyard.loader.")) and hasattr(
            module, "IMGT_HLA_URL"
        ):
            module.IMGT_HLA_URL = url


def _build(target: Path, url: str) -> None:
    from pyard.ard import ARD

    _point_pyard_at(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            ard = ARD(imgt_version="Latest", data_dir=str(tmp), load_mac=False)
            ard.db_connection.close()
            del ard
        os.replace(tmp / DB_NAME, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ensure_db() -> Path:
    """Build the py-ard database for the release if it is not cached yet; return its directory."""
    path = imgt_dir()
    release = imgt_release(path)
    directory = cache_dir(release)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / DB_NAME
    if target.exists():
        return directory
    url = f"file://{path.parent}/"
    with _lock, open(directory / ".build.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            if not target.exists():  # another process may have built it meanwhile
                _build(target, url)
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
    return directory


@cache
def get_ard() -> ARD:
    """A py-ard ``ARD`` for the pinned IMGT release, built offline and cached on disk."""
    from pyard.ard import ARD

    directory = ensure_db()
    _point_pyard_at(f"file://{imgt_dir().parent}/")
    with contextlib.redirect_stdout(io.StringIO()):
        return ARD(imgt_version="Latest", data_dir=str(directory), load_mac=False)
