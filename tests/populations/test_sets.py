"""Populations and their haplotype frequency sets: loading, versions, the default, refusals."""

import gzip
from pathlib import Path

import pytest
from django.db import DatabaseError, transaction

from stemhub.core.errors import Conflict, Forbidden, InvalidInput
from stemhub.populations import selectors
from stemhub.populations.models import HaplotypeSet, Population
from stemhub.populations.services import (
    haplotype_set_load,
    population_create,
    population_make_default,
)

CAU = Path(__file__).resolve().parents[3] / "shared" / "hla" / "CAU.freqs.gz"
SMALL = (
    b"haplotype,count,frequency\n"
    b"A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01,10,0.6\n"
    b"A*02:01~C*05:01~B*44:02~DRB1*04:01~DQB1*03:01,5,0.4\n"
)

pytestmark = pytest.mark.django_db


def _load(admin, population, content=SMALL, **extra):
    return haplotype_set_load(
        actor=admin,
        population=population,
        filename=extra.pop("filename", "small.csv"),
        chunks=[content],
        source=extra.pop("source", "hand-made"),
        **extra,
    )


def test_the_cau_set_is_stored_with_its_provenance_and_read_back_by_the_engine(users):
    admin = users["platform_admin"]
    cau = population_create(actor=admin, code="cau", name="Caucasian (NMDP)")
    loaded = _load(admin, cau, CAU.read_bytes(), filename="CAU.freqs.gz", source="NMDP 2011",
                   sample_size=1_242_890)  # fmt: skip
    assert cau.code == "CAU" and cau.is_default  # the first population is the default
    assert (loaded.version, loaded.haplotype_count, loaded.loci) == (
        1,
        3380,
        "A~C~B~DRB1~DQB1",
    )
    assert loaded.resolution == "two_field" and abs(loaded.frequency_sum - 0.99669) < 1e-4
    assert bytes(loaded.content) == CAU.read_bytes()
    frequencies = selectors.engine_set(loaded)
    assert len(frequencies) == 3380 and frequencies.provenance.sample_size == 1_242_890
    assert selectors.engine_set(HaplotypeSet.objects.get(pk=loaded.pk)) is frequencies


def test_a_new_version_replaces_the_set_in_use_and_the_default_serves_the_rest(users):
    admin = users["platform_admin"]
    first = population_create(actor=admin, code="CHN-S", name="Han Chinese, south")
    other = population_create(actor=admin, code="EUR", name="European")
    assert not other.is_default
    v1 = _load(admin, first)
    v2 = _load(admin, first, SMALL.replace(b"0.6", b"0.5").replace(b"0.4\n", b"0.5\n"))
    assert (v1.version, v2.version) == (1, 2)
    assert selectors.set_for(first.pk) == v2
    assert selectors.set_for(other.pk) == v2  # no set of its own: the default's
    assert selectors.set_for(None) == v2
    assert selectors.sets_in_use() == {first.pk: v2.pk}
    own = _load(admin, other)
    population_make_default(actor=admin, population=other)
    assert selectors.set_for(None) == own
    assert list(Population.objects.filter(is_default=True)) == [other]


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (SMALL.replace(b"B*08:01", b"B*08:9999"), "line 2: B*08:9999"),
        (SMALL.replace(b"0.4\n", b"0.1\n"), "the frequencies sum to 0.7000; they must sum to 1"),
        (SMALL.replace(b",5,", b",five,"), "line 3: five"),
        (b"", "empty"),
        (gzip.compress(b"x" * 100, mtime=0)[:12], "not a readable gzip file"),
    ],
)
def test_a_bad_file_is_refused_naming_where_and_stores_nothing(users, content, named):
    admin = users["platform_admin"]
    population = population_create(actor=admin, code="CAU", name="Caucasian")
    with pytest.raises(InvalidInput) as refused:
        _load(admin, population, content)
    assert named in refused.value.message + " ".join(refused.value.fields.get("file", []))
    assert not HaplotypeSet.objects.exists()


def test_a_set_needs_a_source(users):
    admin = users["platform_admin"]
    population = population_create(actor=admin, code="CAU", name="Caucasian")
    with pytest.raises(InvalidInput) as refused:
        _load(admin, population, source="  ")
    assert "source" in refused.value.fields


@pytest.mark.parametrize("who", ["researcher", "search_coordinator", "qa_manager", "curator"])
def test_only_a_platform_admin_manages_populations(users, who):
    admin = users["platform_admin"]
    population = population_create(actor=admin, code="CAU", name="Caucasian")
    with pytest.raises(Forbidden):
        population_create(actor=users[who], code="EUR", name="European")
    with pytest.raises(Forbidden):
        _load(users[who], population)
    with pytest.raises(Forbidden):
        population_make_default(actor=users[who], population=population)
    assert Population.objects.count() == 1 and not HaplotypeSet.objects.exists()


def test_codes_follow_the_pattern_and_are_unique(users):
    admin = users["platform_admin"]
    population_create(actor=admin, code="CAU", name="Caucasian")
    with pytest.raises(InvalidInput):
        population_create(actor=admin, code="1X", name="Digits first")
    with pytest.raises(Conflict):
        population_create(actor=admin, code="CAU", name="Another")
    with pytest.raises(Conflict):
        population_create(actor=admin, code="EUR", name="caucasian")


def test_a_stored_set_cannot_be_changed_or_deleted(users):
    admin = users["platform_admin"]
    population = population_create(actor=admin, code="CAU", name="Caucasian")
    loaded = _load(admin, population)
    for change in (
        lambda: HaplotypeSet.objects.filter(pk=loaded.pk).update(source="rewritten"),
        lambda: HaplotypeSet.objects.filter(pk=loaded.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()


def test_a_hapl_o_mat_file_is_stored_as_such_and_read_back_by_its_format(users):
    admin = users["platform_admin"]
    population = population_create(actor=admin, code="CHN-S", name="Han Chinese, south")
    text = (
        b"A*01:01g~B*08:01g~DRB1*03:01g\t0.5\n"
        b"A*02:01g~B*07:02~DRB1*15:01g\t0.3\n"
        b"A*02:01g~B*08:01g~DRB1*03:01g\t0.2\n"
    )
    with pytest.raises(InvalidInput, match="line 1"):
        _load(admin, population, text, filename="hfs.dat")  # read as CSV: refused
    loaded = _load(admin, population, text, filename="hfs.dat", file_format="haplomat")
    assert (loaded.file_format, loaded.resolution, loaded.loci) == (
        "haplomat",
        "p_group",
        "A~B~DRB1",
    )
    frequencies = selectors.engine_set(loaded)
    assert frequencies.haplotypes[1] == "A*02:01g~B*07:02~DRB1*15:01g"
