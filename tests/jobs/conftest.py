"""The jobs tests run cord uploads: the cord blood tests' engine, bank and staff."""

import os
from collections.abc import Iterator

import pytest

from stemhub.cordblood import index as search_index
from stemhub.core.hla import use_engine
from stemhub.hla import HLAEngine, MacDictionary
from tests.cordblood.conftest import MAC_SUBSET, _engine, centre, cord_bank, people  # noqa: F401
from tests.pyard_support import imgt_dir


@pytest.fixture(scope="session")
def cord_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HLAEngine]:
    """As in the cord blood tests; STEMHUB_HLA_CACHE, when set, keeps the engine's built tables
    between runs (building them takes minutes on a busy machine)."""
    cache = os.environ.get("STEMHUB_HLA_CACHE") or str(tmp_path_factory.mktemp("cord-hla-cache"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STEMHUB_HLA_CACHE", cache)
        engine = HLAEngine.load(imgt_dir=imgt_dir(), macs=MacDictionary.from_file(MAC_SUBSET))
    use_engine(engine)
    search_index.forget()
    yield engine
    use_engine(None)
    search_index.forget()
