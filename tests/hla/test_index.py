"""DonorIndex: search agrees with pairwise scoring; add / change / remove; save and reload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stemhub.hla import DonorIndex, HLAEngine, HLAError, MatchCriteria, RankingWeights
from stemhub.hla import index as index_module

DONORS = {
    "D1": "A*01:01+A*02:01^B*08:01+B*07:02^C*07:01+C*07:02^DRB1*03:01+DRB1*15:01"
    "^DQB1*02:01+DQB1*06:02",
    "D2": "A*01:01+A*02:01^B*08:01+B*44:02^C*07:01+C*07:02^DRB1*03:01+DRB1*15:01",
    "D3": "A1+A2^B8+B7^Cw7+Cw7^DR17+DR15^DQ2+DQ6",
    "D4": "A*01:XX+A*02:AB^B*08:01+B*07:02^C*07:01+C*07:02^DRB1*03:01+DRB1*15:01",
    "D5": "A*03:01+A*11:01^B*44:02+B*35:01^C*04:01+C*05:01^DRB1*04:01+DRB1*07:01",
    "D6": "A*01:01:01:01+A*02:01:01:01^B*08:01:01:01+B*07:02:01:01^C*07:01:01:01+C*07:02:01:01"
    "^DRB1*03:01:01:01+DRB1*15:01:01:01^DQB1*02:01:01:01+DQB1*06:02:01:01",
}
PATIENT = (
    "A*01:01+A*02:01^B*08:01+B*07:02^C*07:01+C*07:02^DRB1*03:01+DRB1*15:01^DQB1*02:01+DQB1*06:02"
)


@pytest.fixture
def index(engine: HLAEngine) -> DonorIndex:
    donors = engine.new_index()
    donors.put_many(DONORS.items())
    return donors


def pairwise(engine: HLAEngine, donors: dict[str, str], limit: int) -> dict[str, int]:
    results = {d: engine.match(PATIENT, gl).mismatches for d, gl in donors.items()}
    return {d: m for d, m in results.items() if m <= limit}


def test_search_finds_exactly_the_donors_within_the_limit(
    engine: HLAEngine, index: DonorIndex
) -> None:
    found = index.search(PATIENT, MatchCriteria(max_mismatches=2))
    assert dict(zip(found.donor_ids, found.mismatches.tolist(), strict=True)) == pairwise(
        engine, DONORS, 2
    )
    assert "D5" not in found.donor_ids
    assert found.release == engine.release


def test_best_are_ranked_like_the_engine_ranks_full_results(
    engine: HLAEngine, index: DonorIndex
) -> None:
    found = index.search(PATIENT, MatchCriteria(max_mismatches=2), limit=3)
    everyone = [engine.match(PATIENT, gl, donor_id=d) for d, gl in DONORS.items()]
    expected = [r.donor_id for r in engine.rank(r for r in everyone if r.mismatches <= 2)][:3]
    assert [r.donor_id for r in found.best] == expected
    weights = RankingWeights()
    assert [r.rank_key(weights) for r in found.best] == sorted(
        r.rank_key(weights) for r in found.best
    )


def test_per_locus_limit(engine: HLAEngine, index: DonorIndex) -> None:
    found = index.search(PATIENT, MatchCriteria(max_mismatches_per_locus={"B": 0}))
    assert "D2" not in found.donor_ids and "D1" in found.donor_ids


def test_add_change_remove_without_rebuild(engine: HLAEngine, index: DonorIndex) -> None:
    index.put("D7", DONORS["D1"])
    index.put("D5", DONORS["D1"])  # changed typing: now a full match
    index.remove("D2")
    current = {**DONORS, "D7": DONORS["D1"], "D5": DONORS["D1"]}
    del current["D2"]
    found = index.search(PATIENT, MatchCriteria(max_mismatches=0))
    assert sorted(found.donor_ids) == sorted(pairwise(engine, current, 0))
    assert {"D5", "D7"} <= set(found.donor_ids)
    assert len(index) == 6
    with pytest.raises(KeyError):
        index.remove("D2")


def test_bad_typing_leaves_the_index_unchanged(index: DonorIndex) -> None:
    with pytest.raises(HLAError):
        index.put("D1", "A*99:99+A*01:01")
    assert len(index) == len(DONORS)
    assert "D1" in index


def test_saved_index_reloads_with_identical_results(
    engine: HLAEngine, index: DonorIndex, tmp_path: Path
) -> None:
    index.remove("D3")
    path = tmp_path / "donors.npz"
    index.save(path)
    reloaded = engine.open_index(path)
    criteria = MatchCriteria(max_mismatches=4)
    before, after = index.search(PATIENT, criteria), reloaded.search(PATIENT, criteria)
    assert after.donor_ids == before.donor_ids
    assert after.mismatches.tolist() == before.mismatches.tolist()
    assert [r.donor_id for r in after.best] == [r.donor_id for r in before.best]
    reloaded.put("D8", DONORS["D6"])  # a reloaded index keeps accepting updates
    assert "D8" in reloaded.search(PATIENT, MatchCriteria(max_mismatches=0)).donor_ids


def _generated(count: int, seed: int, prefix: str) -> list[tuple[str, str]]:
    from tests.hla_reference.test_reference_agreement import _generator

    return list(_generator().generate(count, seed=seed, prefix=prefix))


@pytest.mark.parametrize(
    ("max_mismatches", "limit", "first_chunk"), [(4, 25, 1), (6, 10, 1), (6, 10, 256)]
)
def test_best_on_generated_donors_equals_ranking_every_pair(
    engine: HLAEngine,
    monkeypatch: pytest.MonkeyPatch,
    max_mismatches: int,
    limit: int,
    first_chunk: int,
) -> None:
    """The search's best (tied tier scored best-first by bound, stopping early) equals ranking
    every pair in full; a first chunk of 1 makes the early stop happen on a small index."""
    monkeypatch.setattr(index_module, "_FIRST_CHUNK", first_chunk)
    scored: list[int] = []
    totals = DonorIndex._totals

    def counting(self: DonorIndex, typing: Any, rows: Any, *args: Any) -> Any:
        scored.append(rows.size)
        return totals(self, typing, rows, *args)

    monkeypatch.setattr(DonorIndex, "_totals", counting)
    donors = _generated(1_500, seed=4242, prefix="D")
    index = engine.new_index()
    index.put_many(donors)
    criteria = MatchCriteria(max_mismatches=max_mismatches)
    within_total = 0
    for _patient_id, patient in _generated(4, seed=4343, prefix="P"):
        found = index.search(patient, criteria, limit=limit)
        everyone = [engine.match(patient, gl, donor_id=d) for d, gl in donors]
        within = [r for r in everyone if criteria.accepts(r)]
        assert dict(zip(found.donor_ids, found.mismatches.tolist(), strict=True)) == {
            r.donor_id: r.mismatches for r in within
        }
        expected = engine.rank(within)[:limit]
        assert [r.donor_id for r in found.best] == [r.donor_id for r in expected]
        assert [dict(r.loci) for r in found.best] == [dict(r.loci) for r in expected]
        within_total += len(within)
    if first_chunk == 1:
        assert sum(scored) < within_total  # the early stop did skip donors


def test_saved_index_keeps_non_ascii_ids_and_texts(engine: HLAEngine, tmp_path: Path) -> None:
    index = engine.new_index()
    index.put("Dé-1", DONORS["D1"])
    index.put("D-2", " " + DONORS["D3"])
    index.put("Dü-3", DONORS["D4"])
    index.save(tmp_path / "donors.npz")
    reloaded = engine.open_index(tmp_path / "donors.npz")
    found = reloaded.search(PATIENT, MatchCriteria(max_mismatches=4))
    assert sorted(found.donor_ids) == ["D-2", "Dé-1", "Dü-3"]
    assert "Dü-3" in reloaded


def test_best_with_null_only_donor_positions_equals_ranking_every_pair(
    engine: HLAEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Expressing vs null outranks a plain mismatch: the bounds must allow for it."""
    monkeypatch.setattr(index_module, "_FIRST_CHUNK", 1)
    base = DONORS["D1"].split("^")
    variants = {
        "A": ["A*01:01+A*03:01", "A*01:01+A*01:11N", "A*02:01+A*01:11N", "A*01:11N+A*01:11N"],
        "B": ["B*08:01+B*44:02", "B*08:01+B*07:02", "B*08:01+B*13:07N", "B*07:02+B*08"],
        "C": ["C*07:01+C*07:02", "C*07:01+C*04:09N", "C7+C*07:02"],
    }
    donors: dict[str, str] = {}
    for a in variants["A"]:
        for b in variants["B"]:
            for c in variants["C"]:
                donors[f"N{len(donors):03d}"] = "^".join([a, b, c, *base[3:]])
    index = engine.new_index()
    index.put_many(donors.items())
    for patient in (PATIENT, PATIENT.replace("A*02:01", "A*01:11N")):
        for limit in (1, 3, 10):
            criteria = MatchCriteria(max_mismatches=3)
            found = index.search(patient, criteria, limit=limit)
            everyone = [engine.match(patient, gl, donor_id=d) for d, gl in donors.items()]
            expected = engine.rank(r for r in everyone if criteria.accepts(r))[:limit]
            assert [r.donor_id for r in found.best] == [r.donor_id for r in expected]
