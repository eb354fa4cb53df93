"""`ImputationStore`: donors' imputations kept for an index, read back as `engine.impute` gives
them, saved and reopened, replaced and removed; a file of another set is refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from stemhub.hla import FrequencySet, HLAEngine, Imputation, ImputationStore, ImputationStoreError
from stemhub.hla import imputation_store as store_module
from tests.hla.imputation_support import CAU, H1, H2, TINY, donor_generator, tiny_set

TOP, CUMULATIVE = 50, 0.999
BAD = "HLA-A*01:01+HLA-A*99:99^HLA-B*08:01+HLA-B*07:02"  # no such allele


@pytest.fixture(scope="module")
def cau(engine: HLAEngine) -> FrequencySet:
    return engine.load_frequencies(CAU)


@pytest.fixture(scope="module")
def donors() -> list[tuple[str, str]]:
    """300 generated mixed-resolution typings (lists, MACs, serology, XX, untyped loci)."""
    return list(donor_generator().generate(300, seed=7, prefix="S"))


def fresh(engine: HLAEngine, gl: str, cau: FrequencySet) -> Imputation:
    return engine.impute(gl, cau, top=TOP, cumulative=CUMULATIVE)


def assert_same(stored: Imputation | None, expected: Imputation) -> None:
    assert stored is not None
    assert stored.frequencies is expected.frequencies
    assert stored.first.tolist() == expected.first.tolist()
    assert stored.second.tolist() == expected.second.tolist()
    assert stored.probability.tolist() == expected.probability.tolist()
    assert stored.total_pairs == expected.total_pairs
    assert stored.likelihood == expected.likelihood
    assert stored.inexplicable == expected.inexplicable


def filled(engine: HLAEngine, cau: FrequencySet, donors: list[tuple[str, str]]) -> ImputationStore:
    store = ImputationStore(engine, cau, top=TOP, cumulative=CUMULATIVE)
    assert store.put_many(donors) == len(donors)
    return store


def test_a_stored_donor_reads_back_as_engine_impute_truncated_the_same_way(
    engine: HLAEngine, cau: FrequencySet, donors: list[tuple[str, str]]
) -> None:
    store = filled(engine, cau, donors)
    assert len(store) == len(donors)
    for donor_id, gl in donors:
        assert donor_id in store
        assert_same(store.get(donor_id), fresh(engine, gl, cau))
    assert store.get("nobody") is None
    assert "nobody" not in store


def test_a_prediction_with_a_stored_donor_equals_one_with_a_fresh_imputation(
    engine: HLAEngine, cau: FrequencySet, donors: list[tuple[str, str]]
) -> None:
    store = filled(engine, cau, donors[:60])
    patient = engine.impute(donors[100][1], cau)
    for donor_id, gl in donors[:60]:
        stored = store.get(donor_id)
        assert stored is not None
        got, expected = (
            engine.predict(patient, stored),
            engine.predict(patient, fresh(engine, gl, cau)),
        )
        assert got.inexplicable == expected.inexplicable
        if expected.ten is None:
            continue
        assert got.ten is not None
        assert got.ten.distribution == pytest.approx(expected.ten.distribution, abs=1e-9)
        for locus, odds in expected.loci.items():
            mine = got.loci[locus]
            assert (mine.match2, mine.match1, mine.match0) == pytest.approx(
                (odds.match2, odds.match1, odds.match0), abs=1e-9
            )


def test_typings_that_impute_alike_share_one_stored_imputation(
    engine: HLAEngine, tmp_path: Path
) -> None:
    tiny = tiny_set(engine, tmp_path)
    store = ImputationStore(engine, tiny)
    store.put("d1", "A*01:01+A*02:01^B*08:01+B*07:02")
    store.put("d2", "A*01:01:01:01+A*02:01:01:01^B*08:01:01:01+B*07:02:01:01")  # same two-field
    store.put("d3", engine.parse("B*07:02+B*08:01^A*02:01+A*01:01"))  # same, other order
    store.put("d4", "A*01:01+A*02:01")
    assert store.distinct_imputations == 2
    assert_same(store.get("d2"), engine.impute("A*01:01+A*02:01^B*08:01+B*07:02", tiny, top=200))


def test_an_inexplicable_donor_is_stored_as_inexplicable(engine: HLAEngine, tmp_path: Path) -> None:
    tiny = tiny_set(engine, tmp_path)
    store = ImputationStore(engine, tiny)
    store.put("d1", "A*68:01+A*01:01^B*08:01+B*07:02")
    stored = store.get("d1")
    assert stored is not None and stored.inexplicable and len(stored) == 0
    assert engine.predict(engine.impute("A*01:01", tiny), stored).inexplicable == ("donor",)


def test_put_replaces_and_remove_forgets(engine: HLAEngine, tmp_path: Path) -> None:
    tiny = tiny_set(engine, tmp_path)
    store = ImputationStore(engine, tiny)
    store.put("d1", "A*01:01^B*08:01")
    store.put("d2", "A*02:01^B*07:02")
    store.put("d1", "A*02:01^B*07:02")
    assert store.get("d1").pairs() == [(H2, H2, 1.0)]  # type: ignore[union-attr]
    assert store.distinct_imputations == 1  # nobody holds {h1,h1} any more
    store.remove("d1")
    store.remove("d1")  # already gone: nothing happens
    assert "d1" not in store and len(store) == 1 and store.get("d1") is None
    assert store.get("d2").pairs() == [(H2, H2, 1.0)]  # type: ignore[union-attr]
    store.remove("d2")
    assert len(store) == 0 and store.distinct_imputations == 0 and store.stored_pairs == 0


def test_a_batch_replacing_a_donor_keeps_what_a_later_donor_of_the_batch_shares(
    engine: HLAEngine, tmp_path: Path
) -> None:
    tiny = tiny_set(engine, tmp_path)
    store = ImputationStore(engine, tiny)
    store.put("d1", "A*01:01^B*08:01")
    store.put_many([("d1", "A*02:01^B*07:02"), ("d2", "A*01:01^B*08:01"), ("d3", "A*03:01")])
    store.put_many([("d3", "A*01:01^B*08:01"), ("d3", "A*02:01^B*07:02")])
    assert store.get("d1").pairs() == [(H2, H2, 1.0)]  # type: ignore[union-attr]
    assert store.get("d2").pairs() == [(H1, H1, 1.0)]  # type: ignore[union-attr]
    assert store.get("d3").pairs() == [(H2, H2, 1.0)]  # type: ignore[union-attr]
    assert store.distinct_imputations == 2


def test_a_batch_with_a_bad_typing_stores_nothing_and_names_the_donor(
    engine: HLAEngine, cau: FrequencySet, donors: list[tuple[str, str]]
) -> None:
    store = filled(engine, cau, donors[:20])
    before = (len(store), store.distinct_imputations, store.stored_pairs)
    with pytest.raises(ImputationStoreError) as caught:
        store.put_many([*donors[20:40], ("S-bad", BAD), *donors[40:60]])
    assert caught.value.donor_id == "S-bad"
    assert "S-bad" in str(caught.value) and "A*99:99" in str(caught.value)
    assert (len(store), store.distinct_imputations, store.stored_pairs) == before
    assert donors[25][0] not in store


def test_freed_space_is_reused_and_compacted_without_changing_what_is_read(
    engine: HLAEngine,
    cau: FrequencySet,
    donors: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(store_module, "_MIN_GARBAGE", 1)
    store = filled(engine, cau, donors[:150])
    rotated = [
        (donor_id, donors[(k + 150) % len(donors)][1]) for k, (donor_id, _) in enumerate(donors)
    ]
    for donor_id, gl in rotated:  # one at a time: each replacement frees an entry
        store.put(donor_id, gl)
    assert store._garbage < max(1, store.stored_pairs)  # freed pairs were compacted away
    for donor_id, gl in rotated:
        assert_same(store.get(donor_id), fresh(engine, gl, cau))


def test_a_store_saved_and_opened_reads_back_the_same(
    engine: HLAEngine, cau: FrequencySet, donors: list[tuple[str, str]], tmp_path: Path
) -> None:
    store = filled(engine, cau, donors)
    for donor_id, _ in donors[:30]:
        store.remove(donor_id)
    path = tmp_path / "imputations.npz"
    store.save(path)
    opened = ImputationStore.open(engine, cau, path)
    assert (opened.top, opened.cumulative) == (TOP, CUMULATIVE)
    assert len(opened) == len(donors) - 30
    assert opened.distinct_imputations == store.distinct_imputations
    assert donors[0][0] not in opened
    for donor_id, gl in donors[30:]:
        assert_same(opened.get(donor_id), fresh(engine, gl, cau))
    # the reopened store still shares and replaces
    opened.put("new", donors[40][1])
    assert opened.distinct_imputations == store.distinct_imputations
    opened.put(donors[40][0], donors[41][1])
    assert_same(opened.get(donors[40][0]), fresh(engine, donors[41][1], cau))
    with np.load(path, allow_pickle=False) as data:
        assert data["probability"].dtype == np.float64


def test_it_refuses_a_file_made_for_another_frequency_set(
    engine: HLAEngine, tmp_path: Path
) -> None:
    tiny = tiny_set(engine, tmp_path)
    store = ImputationStore(engine, tiny)
    store.put("d1", "A*01:01^B*08:01")
    path = tmp_path / "tiny.npz"
    store.save(path)
    other_path = tmp_path / "other.csv"
    other_path.write_text(TINY.replace(",0.4\n", ",0.39\n").replace(",0.3\n", ",0.31\n"))
    other = engine.load_frequencies(other_path)
    with pytest.raises(ImputationStoreError, match="another frequency set"):
        ImputationStore.open(engine, other, path)
    assert ImputationStore.open(engine, tiny_set(engine, tmp_path), path).get("d1") is not None
