"""Download an IPD-IMGT/HLA release's files from the repository's raw files into the cache.

The repository keeps one branch per release, named by the release without dots (``3580`` for
3.58.0), plus ``Latest``. The base URL comes from ``STEMHUB_IMGT_URL`` (``file://`` works).
"""

from __future__ import annotations

import shutil
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from stemhub.hla import imgt_files
from stemhub.hla.config import RELEASE_FILES, downloaded_release_dir, imgt_base_url
from stemhub.hla.errors import ReferenceDataError

__all__ = ["fetch_release", "release_branch"]


def release_branch(release: str) -> str:
    """``'3.58.0'`` -> ``'3580'``, the branch name the repository uses."""
    parts = release.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ReferenceDataError(f"release must look like 3.58.0, got {release!r}")
    return f"{parts[0]}{int(parts[1]):02d}{parts[2]}"


def fetch_release(release: str, *, branch: str | None = None, base_url: str | None = None) -> Path:
    """Download every release file, check the release number, and move the set into place."""
    base = base_url or imgt_base_url()
    base = base if base.endswith("/") else base + "/"
    source = f"{base}{branch or release_branch(release)}/"
    target = downloaded_release_dir(release)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{release}-", dir=target.parent))
    try:
        for relative in RELEASE_FILES:
            destination = staging / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            url = source + relative
            try:
                with urllib.request.urlopen(url, timeout=60) as response:
                    destination.write_bytes(response.read())
            except (urllib.error.URLError, OSError) as exc:
                raise ReferenceDataError(f"cannot download {url}: {exc}") from exc
        found = imgt_files.read_release_version(staging)
        if found != release:
            raise ReferenceDataError(f"{source} holds release {found}, not {release}")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
