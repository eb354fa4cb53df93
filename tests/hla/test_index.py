"""DonorIndex: search agrees with pairwise scoring; add / change / remove; save and reload."""

from __future__ import annotations

from pathlib import Path

import pytest

from stemhub.hla import DonorIndex, HLAEngine, HLAError, MatchCriteria, RankingWeights

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
