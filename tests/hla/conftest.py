"""Shared fixtures of the HLA engine tests: the pinned release, a private cache, the MAC subset.

The engine never touches the database; these tests need no ``db`` fixture.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from stemhub.hla import HLAEngine, MacDictionary
from tests.pyard_support import imgt_dir, shared_dir

MAC_SUBSET = shared_dir() / "hla" / "mac_subset_atlas.csv.gz"


@pytest.fixture(scope="session")
def release_dir() -> Path:
    return imgt_dir()


@pytest.fixture(scope="session", autouse=True)
def hla_cache(tmp_path_factory: pytest.TempPathFactory, release_dir: Path) -> Iterator[Path]:
    """Every test session builds its tables into its own cache, never into the repository."""
    cache = tmp_path_factory.mktemp("hla-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STEMHUB_HLA_CACHE", str(cache))
        patch.setenv("STEMHUB_IMGT_DIR", str(release_dir))
        yield cache


@pytest.fixture(scope="session")
def macs() -> MacDictionary:
    return MacDictionary.from_file(MAC_SUBSET)


@pytest.fixture(scope="session")
def engine(hla_cache: Path, release_dir: Path, macs: MacDictionary) -> HLAEngine:
    assert os.environ["STEMHUB_HLA_CACHE"] == str(hla_cache)
    return HLAEngine.load(imgt_dir=release_dir, macs=macs)
