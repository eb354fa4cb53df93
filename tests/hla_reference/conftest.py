from __future__ import annotations

import pytest

from tests.pyard_support import get_ard


@pytest.fixture(scope="session")
def ard():
    """py-ard built offline from the pinned IMGT release (see tests/pyard_support.py)."""
    return get_ard()


@pytest.fixture(scope="session")
def matcher():
    """The py-ard reference matcher (tests/hla_reference/pyard_matcher.py), five loci."""
    from tests.hla_reference.pyard_matcher import Matcher

    return Matcher()
