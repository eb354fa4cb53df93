"""Fixtures of the cord blood tests: the engine with the MAC subset, a cord blood bank and a
transplant centre with their staff, and a helper that uploads units."""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from stemhub.accounts.models import Institution, Role
from stemhub.cordblood import index as search_index
from stemhub.cordblood.uploads import units_import
from stemhub.core.hla import use_engine
from stemhub.hla import HLAEngine, MacDictionary
from tests.conftest import make_user
from tests.pyard_support import imgt_dir, shared_dir

MAC_SUBSET = shared_dir() / "hla" / "mac_subset_atlas.csv.gz"


@pytest.fixture(scope="session")
def cord_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HLAEngine]:
    cache = tmp_path_factory.mktemp("cord-hla-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STEMHUB_HLA_CACHE", str(cache))
        engine = HLAEngine.load(imgt_dir=imgt_dir(), macs=MacDictionary.from_file(MAC_SUBSET))
    use_engine(engine)
    search_index.forget()
    yield engine
    use_engine(None)
    search_index.forget()


@pytest.fixture(autouse=True)
def _engine(cord_engine: HLAEngine, settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path  # snapshots, if any, stay in the test's directory
    # Every cord test runs on this engine (with the MAC subset), whatever an earlier test
    # installed: the engine is process-wide.
    from stemhub.core.hla import engine_or_none as current

    if current() is not cord_engine:
        use_engine(cord_engine)
        search_index.forget()


@pytest.fixture
def cord_bank(db) -> Institution:
    return Institution.objects.create(
        name="National Cord Blood Bank", kind=Institution.Kind.CORD_BLOOD_BANK, provider_code="NCBB"
    )


@pytest.fixture
def centre(db) -> Institution:
    return Institution.objects.create(
        name="University Hospital Transplant Centre",
        kind=Institution.Kind.TRANSPLANT_CENTRE,
        provider_code="UHTC",
    )


@pytest.fixture
def people(cord_bank, centre) -> dict[str, Any]:
    return {
        "tech": make_user("cord_tech", cord_bank, Role.BANK_TECHNICIAN),
        "coordinator": make_user("coordinator", centre, Role.SEARCH_COORDINATOR),
        "coordinator2": make_user("coordinator2", centre, Role.SEARCH_COORDINATOR),
        "stranger": make_user("stranger", centre, Role.RESEARCHER),
    }


def din(sequence: int, facility: str = "G1234", year: str = "21") -> tuple[str, str]:
    from stdnum.iso7064 import mod_37_2

    number = f"{facility}{year}{sequence:06d}"
    return number, mod_37_2.calc_check_digit(number)


def unit_row(local_id: str, sequence: int, **overrides: Any) -> dict[str, Any]:
    number, check = din(sequence)
    row = {
        "local_id": local_id,
        "din": number,
        "din_check": check,
        "collection_date": "2020-05-01",
        "tnc": 150,
        "cd34": 5,
        "abo": "O",
        "rh": "+",
        "sex": "F",
        "hla_a": "A*02:01+A*01:01",
        "hla_b": "B*08:01+B*44:02",
        "hla_c": "C*07:01+C*05:01",
        "hla_drb1": "DRB1*03:01+DRB1*15:01",
        "hla_dqb1": "DQB1*02:01+DQB1*06:02",
        "attached_segment": "yes",
        "accreditation": "FACT-NetCord",
    }
    row.update(overrides)
    return row


def upload(actor, bank, rows: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
    return units_import(
        actor=actor,
        bank=bank,
        filename="units.json",
        content=json.dumps(rows).encode(),
        **options,
    )


def confirm_typing(people: dict[str, Any], reservation) -> None:
    """The centre requests confirmatory typing and records a match: the unit may then ship."""
    from stemhub.cordblood import services

    reservation.refresh_from_db()
    if reservation.confirmatory_typing_requested_at is None:
        services.reservation_request_typing(actor=people["coordinator"], reservation=reservation)
    services.reservation_record_typing(
        actor=people["coordinator"], reservation=reservation, result="match"
    )
