"""The cord search with STEMHUB_SEARCH_SHARDS=2 (two Ray actors per donor kind) returns exactly
what the single-process index returns, before and after uploads that change, add and withdraw
units. One local Ray for the module (2 CPUs, no dashboard), shut down after."""

import random
from collections.abc import Iterator
from typing import Any

import pytest

from stemhub.cordblood import index as search_index
from stemhub.cordblood import services
from stemhub.cordblood.search import SearchRequest
from tests.cordblood.conftest import unit_row, upload

ray = pytest.importorskip("ray")

from stemhub.hla.cluster import ShardedIndex  # noqa: E402

pytestmark = pytest.mark.django_db

POOLS = {
    "hla_a": ["A*02:01", "A*01:01", "A*03:01", "A*02:05", "A2", "A*01:AB", "A*24:02"],
    "hla_b": ["B*08:01", "B*44:02", "B*07:02", "B*44:03", "B44", "B*35:01"],
    "hla_c": ["C*07:01", "C*05:01", "C*07:02", "C*04:01"],
    "hla_drb1": ["DRB1*03:01", "DRB1*15:01", "DRB1*04:01", "DRB1*15:02", "DR15"],
    "hla_dqb1": ["DQB1*02:01", "DQB1*06:02", "DQB1*03:01"],
}
PATIENTS = [
    "A*02:01+A*01:01^B*08:01+B*44:02^C*07:01+C*05:01^DRB1*03:01+DRB1*15:01^DQB1*02:01+DQB1*06:02",
    "A2+A1^B8+B44^DR17+DR15",  # low resolution, three loci
    "A*24:02+A*03:01^B*35:01+B*07:02^C*04:01+C*07:02^DRB1*04:01+DRB1*15:02",
    "A*11:01+A*11:01^B*51:01+B*51:01^DRB1*13:01+DRB1*13:01",  # matches hardly anyone
]
REQUESTS = [
    SearchRequest(limit=30),
    SearchRequest(limit=7, cord_min_matches=5),
    SearchRequest(donor_type="both", adult_rule="7/8", limit=25),
    SearchRequest(donor_type="adult", adult_rule="9/10", limit=10),
]


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING", log_to_driver=False)
    yield
    ray.shutdown()


def random_units(rng: random.Random, first: int, count: int, kind: str = "cord") -> list[dict]:
    rows = []
    for number in range(first, first + count):
        typing = {
            field: f"{rng.choice(alleles)}+{rng.choice(alleles)}"
            for field, alleles in POOLS.items()
        }
        if rng.random() < 0.2:
            typing["hla_dqb1"] = ""
        extra: dict[str, Any] = {"tnc": rng.choice([25, 60, 150, 150, 300])}
        if kind == "adult":
            extra = {"kind": "adult", "din": "", "din_check": "", "tnc": "", "age": 30}
        rows.append(unit_row(f"{kind[0].upper()}{number:04d}", number, **typing, **extra))
    return rows


def answers(people: dict[str, Any], patients: list, shards: int, settings: Any) -> list:
    settings.STEMHUB_SEARCH_SHARDS = shards
    search_index.forget()
    found = []
    for patient in patients:
        for request in REQUESTS:
            _, results = services.search_run(
                actor=people["coordinator"], patient=patient, request=request
            )
            found.append(results)
    kind = type(search_index.current().donors["cord"])
    assert (kind is ShardedIndex) == bool(shards)
    search_index.forget()  # the actors end with the index
    return found


def test_the_sharded_cord_search_returns_what_one_process_returns(
    local_ray: None, people: dict[str, Any], cord_bank: Any, settings: Any
) -> None:
    rng = random.Random(16)
    cords = random_units(rng, 1, 150)
    adults = random_units(rng, 501, 60, kind="adult")
    report = upload(people["tech"], cord_bank, cords + adults)
    assert report["applied"], report["errors"][:3]
    patients = [
        services.patient_create(
            actor=people["coordinator"],
            data={"centre_patient_id": f"P{i}", "weight_kg": 20, "hla": gl, "abo": "A"},
        )
        for i, gl in enumerate(PATIENTS)
    ]
    single = answers(people, patients, 0, settings)
    assert sum(len(r["kinds"]["cord"]["results"]) for r in single if "cord" in r["kinds"]) > 50
    assert answers(people, patients, 2, settings) == single

    # the sharded index stays in step through a full upload: retyped, new and withdrawn units
    settings.STEMHUB_SEARCH_SHARDS = 2
    search_index.forget()
    before = services.search_run(
        actor=people["coordinator"], patient=patients[0], request=REQUESTS[0]
    )[1]
    retyped = [
        {
            **row,
            **random_units(rng, 900, 1)[0],
            "local_id": row["local_id"],
            "din": row["din"],
            "din_check": row["din_check"],
        }
        for row in cords[:40]
    ]
    kept = retyped + cords[40:120] + random_units(rng, 1001, 30) + adults[:30]
    report = upload(people["tech"], cord_bank, kept, mode="full")
    assert report["applied"] and report["withdrawn"] == 60, report
    after_sharded = [
        services.search_run(actor=people["coordinator"], patient=patient, request=request)[1]
        for patient in patients
        for request in REQUESTS
    ]
    assert after_sharded[0] != before  # the upload changed what the search sees
    assert answers(people, patients, 0, settings) == after_sharded
