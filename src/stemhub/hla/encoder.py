"""Turns GL strings into per-locus typing ids, parsing each distinct ``^`` segment only once.

Two id spaces per locus: a *text id* per distinct locus typing text (what full scoring re-parses
and what persistence stores) and a *pool id* per distinct typing in group terms (what counting
works on; ``A*01:01+A*02:01`` and ``A*01:01:01:01+A*02:01:01:01`` share one). ``pool_of[locus]``
maps the first to the second.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from stemhub.hla.encoding import TypingPool
from stemhub.hla.errors import MalformedTypingError
from stemhub.hla.genotype import LocusTyping
from stemhub.hla.matching import GroupMatcher, PositionSets
from stemhub.hla.parser import TypingParser

__all__ = ["UNTYPED", "TypingEncoder"]

UNTYPED = -1

_Groups = tuple[frozenset[int], frozenset[int]]
_Light = tuple[str, _Groups]  # a position's token and its (expressing, null) groups


@dataclass
class TypingEncoder:
    """Encodes typings at a fixed set of loci; other loci in a GL string are checked, not kept."""

    parser: TypingParser
    matcher: GroupMatcher
    loci: tuple[str, ...]
    pools: dict[str, TypingPool] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)
    pool_of: dict[str, list[int]] = field(default_factory=dict)
    # per text id: some position expresses no allele (null-only); bounds the search's grades
    null_only: dict[str, list[bool]] = field(default_factory=dict)
    _text_ids: dict[str, dict[str, int]] = field(default_factory=dict)
    _segments: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    # allele-list text -> (locus, (token, (expressing groups, null groups))): what encoding
    # needs of a position, without keeping the position's allele set alive (memory).
    positions: dict[str, tuple[str, _Light]] = field(default_factory=dict)
    _pool_maps: dict[str, npt.NDArray[np.int32]] = field(default_factory=dict)
    _null_maps: dict[str, npt.NDArray[np.bool_]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for locus in self.loci:
            self.pools.setdefault(locus, TypingPool())
            self.texts.setdefault(locus, [])
            self.pool_of.setdefault(locus, [])
            self.null_only.setdefault(locus, [])
            self._text_ids.setdefault(locus, {})

    def encode(self, gl: str) -> dict[str, int]:
        """locus -> text id for every encoded locus the GL string types."""
        text = gl.strip()
        if not text:
            raise MalformedTypingError(gl, "empty typing")
        codes: dict[str, int] = {}
        for segment in text.split("^"):
            encoded = self._segments.get(segment)
            if encoded is None:
                encoded = self._encode_segment(segment)
            for locus, text_id in encoded:
                if locus in codes:
                    raise MalformedTypingError(segment, f"locus {locus} typed twice")
                codes[locus] = text_id
        return {locus: code for locus, code in codes.items() if code != UNTYPED}

    def _encode_segment(self, segment: str) -> tuple[tuple[str, int], ...]:
        encoded: list[tuple[str, int]] = []
        for locus, pairs in self.parser.segment_pairs(segment, self._light_position).items():
            if locus not in self.pools:
                encoded.append((locus, UNTYPED))
                continue
            text = "|".join(f"{a[0]}+{b[0]}" for a, b in pairs)
            sets = tuple(self.matcher.null_rules(a[1], b[1]) for a, b in pairs)
            null = any(not a[1][0] or not b[1][0] for a, b in pairs)
            encoded.append((locus, self._intern(locus, text, sets, null)))
        result = tuple(encoded)
        self._segments[segment] = result
        return result

    def _light_position(self, text: str) -> tuple[str, _Light]:
        known = self.positions.get(text)
        if known is None:
            locus, position = self.parser.parse_position(text)
            known = (locus, (position.token, self.matcher.position_groups(position)))
            self.positions[text] = known
        return known

    def add(self, typing: LocusTyping) -> int:
        """Text id of a locus typing, interning it (and its group sets) when new."""
        null = any(not self.matcher.groups(p)[0] for pair in typing.genotypes for p in pair)
        return self._intern(typing.locus, typing.text, self.matcher.locus_typing_sets(typing), null)

    def _intern(
        self, locus: str, text: str, sets: tuple[PositionSets, ...], null_only: bool
    ) -> int:
        ids = self._text_ids.get(locus)
        if ids is None:
            ids = {t: i for i, t in enumerate(self.texts[locus])}
            self._text_ids[locus] = ids
        known = ids.get(text)
        if known is None:
            known = len(self.texts[locus])
            ids[text] = known
            self.texts[locus].append(text)
            self.pool_of[locus].append(self.pools[locus].intern(sets))
            self.null_only[locus].append(null_only)
        return known

    @classmethod
    def restore(
        cls,
        parser: TypingParser,
        matcher: GroupMatcher,
        pools: dict[str, TypingPool],
        texts: dict[str, list[str]],
        pool_of: dict[str, list[int]],
        null_only: dict[str, list[bool]],
    ) -> TypingEncoder:
        """Rebuild from persisted state without re-parsing any typing."""
        encoder = cls(parser, matcher, tuple(pools), pools, texts, pool_of, null_only)
        encoder._text_ids = {}  # built per locus on the first add after a restore
        return encoder

    def pool_map(self, locus: str) -> npt.NDArray[np.int32]:
        cached = self._pool_maps.get(locus)
        if cached is None or cached.size != len(self.pool_of[locus]):
            cached = np.array(self.pool_of[locus], dtype=np.int32)
            self._pool_maps[locus] = cached
        return cached

    def null_map(self, locus: str) -> npt.NDArray[np.bool_]:
        """`null_only` of a locus as an array indexed by text id."""
        cached = self._null_maps.get(locus)
        if cached is None or cached.size != len(self.null_only[locus]):
            cached = np.array(self.null_only[locus], dtype=bool)
            self._null_maps[locus] = cached
        return cached
