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
from stemhub.hla.matching import GroupMatcher
from stemhub.hla.parser import TypingParser

__all__ = ["UNTYPED", "TypingEncoder"]

UNTYPED = -1


@dataclass
class TypingEncoder:
    """Encodes typings at a fixed set of loci; other loci in a GL string are checked, not kept."""

    parser: TypingParser
    matcher: GroupMatcher
    loci: tuple[str, ...]
    pools: dict[str, TypingPool] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)
    pool_of: dict[str, list[int]] = field(default_factory=dict)
    _text_ids: dict[str, dict[str, int]] = field(default_factory=dict)
    _segments: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    _pool_maps: dict[str, npt.NDArray[np.int32]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for locus in self.loci:
            self.pools.setdefault(locus, TypingPool())
            self.texts.setdefault(locus, [])
            self.pool_of.setdefault(locus, [])
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

    def _encode_segment(self, segment: str) -> list[tuple[str, int]]:
        encoded = [
            (locus, self.add(typing) if locus in self.pools else UNTYPED)
            for locus, typing in self.parser.parse_segment(segment).items()
        ]
        self._segments[segment] = encoded
        return encoded

    def add(self, typing: LocusTyping) -> int:
        """Text id of a locus typing, interning it (and its group sets) when new."""
        text = typing.text
        ids = self._text_ids.get(typing.locus)
        if ids is None:
            ids = {t: i for i, t in enumerate(self.texts[typing.locus])}
            self._text_ids[typing.locus] = ids
        known = ids.get(text)
        if known is None:
            known = len(self.texts[typing.locus])
            ids[text] = known
            self.texts[typing.locus].append(text)
            pool_id = self.pools[typing.locus].intern(self.matcher.locus_typing_sets(typing))
            self.pool_of[typing.locus].append(pool_id)
        return known

    @classmethod
    def restore(
        cls,
        parser: TypingParser,
        matcher: GroupMatcher,
        pools: dict[str, TypingPool],
        texts: dict[str, list[str]],
        pool_of: dict[str, list[int]],
    ) -> TypingEncoder:
        """Rebuild from persisted state without re-parsing any typing."""
        encoder = cls(parser, matcher, tuple(pools), pools, texts, pool_of)
        encoder._text_ids = {}  # built per locus on the first add after a restore
        return encoder

    def pool_map(self, locus: str) -> npt.NDArray[np.int32]:
        cached = self._pool_maps.get(locus)
        if cached is None or cached.size != len(self.pool_of[locus]):
            cached = np.array(self.pool_of[locus], dtype=np.int32)
            self._pool_maps[locus] = cached
        return cached
