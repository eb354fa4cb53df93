"""Where the engine finds its reference data, read from the environment.

* ``STEMHUB_IMGT_DIR``: a directory laid out like an IPD-IMGT/HLA release (``Allelelist.txt``,
  ``wmda/``, ``tce/``). When unset, the release downloaded by ``stemhub hla fetch`` is used.
* ``STEMHUB_HLA_CACHE``: where built tables, downloads and MACs live; else
  ``$STEMHUB_DATA_DIR/cache/hla``; else ``./var/cache/hla``.
* ``STEMHUB_IMGT_URL``: base URL of the IPD-IMGT/HLA repository's raw files (``file://`` works).
* ``STEMHUB_HLA_RELEASE``: release to use from the download cache (default: the pinned one).
"""

from __future__ import annotations

import os
from pathlib import Path

from stemhub.hla.errors import ReferenceDataError

__all__ = [
    "PINNED_RELEASE",
    "RELEASE_FILES",
    "cache_dir",
    "imgt_base_url",
    "reference_dir",
    "selected_release",
]

PINNED_RELEASE = "3.58.0"
DEFAULT_IMGT_URL = "https://raw.githubusercontent.com/ANHIG/IMGTHLA/"

# Every file the tables are built from, relative to the release directory.
RELEASE_FILES: tuple[str, ...] = (
    "release_version.txt",
    "Allelelist.txt",
    "wmda/hla_nom.txt",
    "wmda/hla_nom_g.txt",
    "wmda/hla_nom_p.txt",
    "wmda/rel_dna_ser.txt",
    "wmda/rel_ser_ser.txt",
    "tce/dpb_tce.csv",
)


def cache_dir() -> Path:
    explicit = os.environ.get("STEMHUB_HLA_CACHE")
    if explicit:
        return Path(explicit)
    data_dir = os.environ.get("STEMHUB_DATA_DIR")
    if data_dir:
        return Path(data_dir) / "cache" / "hla"
    return Path("var") / "cache" / "hla"


def imgt_base_url() -> str:
    url = os.environ.get("STEMHUB_IMGT_URL", DEFAULT_IMGT_URL)
    return url if url.endswith("/") else url + "/"


def selected_release() -> str:
    return os.environ.get("STEMHUB_HLA_RELEASE", PINNED_RELEASE)


def downloaded_release_dir(release: str) -> Path:
    return cache_dir() / "imgt" / release


def reference_dir() -> Path:
    """The release directory the tables are built from; fails loudly when there is none."""
    explicit = os.environ.get("STEMHUB_IMGT_DIR")
    path = Path(explicit) if explicit else downloaded_release_dir(selected_release())
    if not (path / "Allelelist.txt").is_file():
        hint = (
            "STEMHUB_IMGT_DIR points at a directory without Allelelist.txt"
            if explicit
            else f"run `stemhub hla fetch --release {selected_release()}` or set STEMHUB_IMGT_DIR"
        )
        raise ReferenceDataError(f"no IPD-IMGT/HLA release at {path}: {hint}")
    return path
