"""Reference tables: the alleles a shortened name covers."""

from __future__ import annotations

from stemhub.hla import HLAEngine
from stemhub.hla.names import EXPRESSION_SUFFIXES


def test_a_shortened_name_covers_exactly_the_alleles_under_its_fields(engine: HLAEngine) -> None:
    tables = engine.tables
    expected: dict[str, list[int]] = {}  # every prefix of 1..n fields, built the plain way
    for allele, name in enumerate(tables.allele_names):
        if name[-1] in EXPRESSION_SUFFIXES:
            name = name[:-1]
        locus, _, rest = name.partition("*")
        key = f"{locus}*"
        for k, field in enumerate(rest.split(":")):
            key += field if k == 0 else f":{field}"
            expected.setdefault(key, []).append(allele)
    for prefix, alleles in expected.items():
        assert tables.alleles_under(prefix) == alleles, prefix
    assert tables.alleles_under("A*01:1") == []  # not a field boundary
    assert tables.alleles_under("A*99:99") == []
    assert tables.alleles_under("A*01:10") != tables.alleles_under("A*01:100")
