"""Allele-name arithmetic shared by the table builder, the parser and the scorer."""

from __future__ import annotations

__all__ = [
    "EXPRESSION_SUFFIXES",
    "SEROLOGY_PREFIX",
    "expression_suffix",
    "field_prefix",
    "split_name",
]

# N null, L low, S secreted, C cytoplasmic, A aberrant, Q questionable expression.
EXPRESSION_SUFFIXES = frozenset("NLSCAQ")

# How rel_ser_ser / common usage spells the serological antigens of each molecular locus.
SEROLOGY_PREFIX: dict[str, str] = {
    "A": "A",
    "B": "B",
    "C": "Cw",
    "DRB1": "DR",
    "DRB3": "DR",
    "DRB4": "DR",
    "DRB5": "DR",
    "DQB1": "DQ",
    "DPB1": "DP",
}


def expression_suffix(name: str) -> str:
    """The expression suffix of an allele name ('' for a normally expressed allele)."""
    last = name[-1]
    return last if last in EXPRESSION_SUFFIXES else ""


def split_name(name: str) -> tuple[str, list[str], str]:
    """``'A*01:01:01:02N'`` -> ``('A', ['01', '01', '01', '02'], 'N')``."""
    locus, _, rest = name.partition("*")
    suffix = expression_suffix(rest) if rest else ""
    if suffix:
        rest = rest[:-1]
    return locus, rest.split(":"), suffix


def field_prefix(name: str, fields: int) -> str:
    """The first ``fields`` fields of a name without expression suffix: ``A*01:01``."""
    locus, parts, _ = split_name(name)
    return f"{locus}*{':'.join(parts[:fields])}"
