"""ShardedIndex: 1, 2 and 3 shards on Ray answer every search exactly as one DonorIndex does.

The donors are benchmarks/hla_donors.py's realistic mixed-resolution typings (CAU haplotype
frequencies: high resolution, allele lists, G groups, MACs, serology, XX, untyped C/DQB1), with a
few hundred typings repeated under other ids so that ranks tie and only the id breaks them.
One local Ray for the module (2 CPUs, no dashboard), shut down after.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import pytest

from stemhub.hla import (
    EIGHT_LOCI,
    DonorIndex,
    HLAEngine,
    MatchCriteria,
    RankingWeights,
    UnknownAlleleError,
)
from stemhub.hla.index import SearchResult
from tests.hla.imputation_support import donor_generator

ray = pytest.importorskip("ray")

from stemhub.hla.cluster import ShardedIndex, ShardUnavailableError, shard_of  # noqa: E402

DONORS = 3000
SHARD_CPUS = 0.1  # the module's shards all fit the 2 CPUs of its local Ray
REPEATED = 400  # typings indexed a second time under another id: ties only the id breaks
LOW_RESOLUTION = [
    "HLA-A2+HLA-A1^HLA-B8+HLA-B44^HLA-DR15+HLA-DR17",
    "HLA-A*02:XX+HLA-A*01:XX^HLA-B*08:XX+HLA-B*07:XX^HLA-DRB1*15:XX+HLA-DRB1*03:XX",
    "HLA-A*02:01+HLA-A*03:01^HLA-B*07:02+HLA-B*44:02^HLA-DRB1*15:01+HLA-DRB1*04:01"
    "^HLA-DPB1*04:01+HLA-DPB1*02:01",
]
CRITERIA = [
    (MatchCriteria(max_mismatches=2), 20),
    (MatchCriteria(max_mismatches=4), 100),
    (MatchCriteria(match_loci=EIGHT_LOCI, max_mismatches=3), 7),
    (MatchCriteria(max_mismatches_per_locus={"DRB1": 0, "A": 1}), 50),
    (MatchCriteria(), 300),
    (MatchCriteria(max_mismatches=3), 0),
]


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING", log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def population() -> list[tuple[str, str]]:
    donors = list(donor_generator().generate(DONORS, seed=161, prefix="D"))
    repeated = [(f"R{i:05d}", gl) for i, (_, gl) in enumerate(donors[:REPEATED])]
    return donors + repeated


@pytest.fixture(scope="module")
def patients(population: list[tuple[str, str]]) -> list[str]:
    generated = [gl for _, gl in donor_generator().generate(12, seed=162, prefix="P")]
    own = [gl for _, gl in population[::600]]  # patients with identical donors in the index
    return generated + own + LOW_RESOLUTION


@pytest.fixture(scope="module")
def single(engine: HLAEngine, population: list[tuple[str, str]]) -> DonorIndex:
    index = engine.new_index()
    index.put_many(population)
    return index


@pytest.fixture(scope="module")
def expected(
    engine: HLAEngine, single: DonorIndex, patients: list[str]
) -> list[tuple[str, MatchCriteria, int, SearchResult]]:
    """One index's answer to every patient under every criteria."""
    return [
        (gl, criteria, limit, single.search(gl, criteria, limit=limit))
        for gl in patients
        for criteria, limit in CRITERIA
    ]


@pytest.fixture(scope="module")
def sharded(
    local_ray: None, engine: HLAEngine, population: list[tuple[str, str]]
) -> dict[int, ShardedIndex]:
    built = {}
    for shards in (1, 2, 3):
        index = ShardedIndex(engine, shards, cpus_per_shard=SHARD_CPUS)
        index.put_many(population)
        built[shards] = index
    return built


def same(expected: SearchResult, got: SearchResult) -> None:
    assert got.donor_ids == expected.donor_ids
    assert got.mismatches.tolist() == expected.mismatches.tolist()
    assert [r.donor_id for r in got.best] == [r.donor_id for r in expected.best]
    assert got.best == expected.best  # every locus: counts, grades, confidences, DPB1
    assert got.release == expected.release


def test_donors_are_spread_over_every_shard_by_a_stable_hash(
    sharded: dict[int, ShardedIndex], population: list[tuple[str, str]]
) -> None:
    sizes = sharded[3].shard_sizes()
    assert sum(sizes) == len(population) == len(sharded[3])
    assert min(sizes) > len(population) / 4
    assert [shard_of(f"D{i:07d}", 3) for i in (1, 2, 3)] == [1, 2, 1]  # CRC-32, never hash()


@pytest.mark.parametrize("shards", [1, 2, 3])
def test_every_search_returns_exactly_what_one_index_returns(
    expected: list[tuple[str, MatchCriteria, int, SearchResult]],
    sharded: dict[int, ShardedIndex],
    shards: int,
) -> None:
    ties = 0
    for gl, criteria, limit, answer in expected:
        same(answer, sharded[shards].search(gl, criteria, limit=limit))
        keys = [r.rank_key(RankingWeights()) for r in answer.best]
        ties += len(keys) - len(set(keys))
    assert ties > 100  # the merge had ties to break by donor id


def test_other_weights_rank_alike(
    engine: HLAEngine, single: DonorIndex, sharded: dict[int, ShardedIndex], patients: list[str]
) -> None:
    grade_only = RankingWeights(confidence={})
    for gl in patients[:10]:
        criteria = MatchCriteria(max_mismatches=3)
        expected = single.search(gl, criteria, limit=40, weights=grade_only)
        same(expected, sharded[2].search(gl, criteria, limit=40, weights=grade_only))


def test_changes_reach_the_shards_as_they_reach_one_index(
    local_ray: None,
    engine: HLAEngine,
    population: list[tuple[str, str]],
    patients: list[str],
    tmp_path: Path,
) -> None:
    single = engine.new_index()
    sharded = ShardedIndex(engine, 2, cpus_per_shard=SHARD_CPUS)
    first, later = population[:2000], population[2000:]
    for index in (single, sharded):
        index.put_many(first)
    retyped = [(donor_id, population[-1 - i][1]) for i, (donor_id, _) in enumerate(first[:150])]
    withdrawn = [donor_id for donor_id, _ in first[500:800]]
    came_back = list(islice(((d, gl) for d, gl in first[500:800]), 0, 300, 3))
    for index in (single, sharded):
        index.put_many(later)  # an upload
        index.put_many(retyped)  # corrected typings
        for donor_id in withdrawn:  # withdrawals
            index.remove(donor_id)
        index.put_many(came_back)  # back in: at the end of the order, as in one index
    assert len(sharded) == len(single)
    assert withdrawn[1] not in sharded and came_back[0][0] in sharded
    with pytest.raises(KeyError):
        sharded.remove("no-such-donor")

    def compare(index: ShardedIndex) -> None:
        for gl in patients[::3]:
            for criteria, limit in CRITERIA[:3]:
                same(
                    single.search(gl, criteria, limit=limit),
                    index.search(gl, criteria, limit=limit),
                )

    compare(sharded)
    sharded.save(tmp_path / "donors.npz")
    reopened = ShardedIndex.open(engine, tmp_path / "donors.npz", 2, cpus_per_shard=SHARD_CPUS)
    assert len(reopened) == len(single)
    compare(reopened)
    single.put("Z-new", population[0][1])
    reopened.put("Z-new", population[0][1])
    compare(reopened)


def test_a_typing_the_engine_refuses_is_refused_by_its_shard(
    local_ray: None, engine: HLAEngine
) -> None:
    sharded = ShardedIndex(engine, 2, cpus_per_shard=SHARD_CPUS)
    sharded.put("bad", "HLA-A*99:99+HLA-A*01:01")
    with pytest.raises(UnknownAlleleError) as refused:
        sharded.flush()
    assert refused.value.token == "A*99:99"


def test_a_dead_shard_fails_the_search_instead_of_answering_from_the_rest(
    local_ray: None, engine: HLAEngine, population: list[tuple[str, str]], patients: list[str]
) -> None:
    sharded = ShardedIndex(engine, 2, cpus_per_shard=SHARD_CPUS)
    sharded.put_many(population[:200])
    sharded.search(patients[0], MatchCriteria(max_mismatches=2))
    ray.kill(sharded._actors[1])
    with pytest.raises(ShardUnavailableError, match="unavailable"):
        sharded.search(patients[0], MatchCriteria(max_mismatches=2))
