"""`HLAEngine`: the one entry point. Holds a release's tables, the MACs and the strategies."""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from pathlib import Path

from stemhub.hla.errors import HLAError
from stemhub.hla.frequencies import (
    DEFAULT_SUM_TOLERANCE,
    FrequencyFormat,
    FrequencySet,
    Resolution,
    read_frequency_set,
)
from stemhub.hla.genotype import SCORED_LOCI, LocusTyping, Typing
from stemhub.hla.grading import PositionGrader
from stemhub.hla.imputation import DEFAULT_TOP, Imputation, Imputer
from stemhub.hla.index import DonorIndex
from stemhub.hla.macs import MacDictionary
from stemhub.hla.matching import MatchLevel, matcher_for
from stemhub.hla.parser import TypingParser
from stemhub.hla.prediction import MatchPrediction, predict_match
from stemhub.hla.scoring import (
    LocusResult,
    MatchCriteria,
    MatchResult,
    PairScorer,
    RankingWeights,
)
from stemhub.hla.tables import ReferenceTables, load_tables

__all__ = ["HLAEngine"]


class HLAEngine:
    """Parse, validate, match and rank typings against one IPD-IMGT/HLA release.

    ``HLAEngine.load()`` reads the release named by the environment (see `stemhub.hla.config`)
    and the MAC dictionary cached by ``stemhub hla macs``; pass ``macs`` to use another one.
    """

    def __init__(
        self,
        tables: ReferenceTables,
        macs: MacDictionary | None = None,
        *,
        level: MatchLevel = "p_group",
    ) -> None:
        self.tables = tables
        self.macs = macs
        self.level: MatchLevel = level
        self.parser = TypingParser(tables, macs)
        self.matcher = matcher_for(tables, level)
        p_matcher = self.matcher if level == "p_group" else matcher_for(tables, "p_group")
        self.grader = PositionGrader(tables, p_matcher)
        self.scorer = PairScorer(tables, self.matcher, self.grader)
        self._imputers: weakref.WeakKeyDictionary[FrequencySet, Imputer] = (
            weakref.WeakKeyDictionary()
        )

    @classmethod
    def load(
        cls,
        *,
        imgt_dir: Path | None = None,
        macs: MacDictionary | Path | None = None,
        level: MatchLevel = "p_group",
    ) -> HLAEngine:
        tables = load_tables(imgt_dir)
        if isinstance(macs, Path):
            macs = MacDictionary.from_file(macs)
        elif macs is None:
            macs = MacDictionary.cached()
        return cls(tables, macs, level=level)

    @property
    def release(self) -> str:
        return self.tables.release

    def parse(self, gl: str) -> Typing:
        """Parse a GL string; raises a `TypingError` subclass naming the token and the reason."""
        return self.parser.parse(gl)

    def validate(self, gl: str) -> str:
        """The GL string normalised (loci sorted) if it is valid; raises `TypingError` if not."""
        return self.parser.parse(gl).gl_string

    def parse_segment(self, segment: str) -> dict[str, LocusTyping]:
        """One ``^``-separated part of a GL string (one locus, or phased loci), per locus;
        raises a `TypingError` subclass naming the token."""
        return self.parser.parse_segment(segment)

    def match_locus(self, patient: LocusTyping, donor: LocusTyping) -> LocusResult:
        """Score one locus: the match count, each position's grade and confidence, and for
        DPB1 the T-cell-epitope permissiveness."""
        return self.scorer.score_locus(patient, donor)

    def match(
        self,
        patient: Typing | str,
        donor: Typing | str,
        criteria: MatchCriteria | None = None,
        *,
        donor_id: str | None = None,
    ) -> MatchResult:
        """Score one pair at every locus of the criteria (default: A, B, C, DRB1, DQB1, DPB1)."""
        p = self.parse(patient) if isinstance(patient, str) else patient
        d = self.parse(donor) if isinstance(donor, str) else donor
        return self.scorer.score(p, d, criteria or MatchCriteria(), donor_id)

    def rank(
        self, results: Iterable[MatchResult], weights: RankingWeights | None = None
    ) -> list[MatchResult]:
        """Fewest mismatches first, then best grades, then best confidence."""
        chosen = weights or RankingWeights()
        return sorted(results, key=lambda r: (*r.rank_key(chosen), r.donor_id or ""))

    def new_index(self, loci: tuple[str, ...] = SCORED_LOCI) -> DonorIndex:
        return DonorIndex(self, loci)

    def open_index(self, path: Path) -> DonorIndex:
        return DonorIndex.open(self, path)

    # ---- imputation and match prediction ------------------------------------------------------

    def load_frequencies(
        self,
        path: Path,
        *,
        source: str | None = None,
        population: str | None = None,
        sample_size: int | None = None,
        resolution: Resolution | None = None,
        tolerance: float = DEFAULT_SUM_TOLERANCE,
        format: FrequencyFormat = "csv",
    ) -> FrequencySet:
        """Read a ``haplotype,count,frequency`` set (or, with ``format="haplomat"``, Hapl-o-Mat's
        ``haplotype<TAB>frequency`` output) and validate it against this release; raises
        `FrequencySetError` naming the line and token."""
        return read_frequency_set(
            path,
            self.tables,
            source=source,
            population=population,
            sample_size=sample_size,
            resolution=resolution,
            tolerance=tolerance,
            format=format,
        )

    def impute(
        self,
        typing: Typing | str,
        frequencies: FrequencySet,
        *,
        top: int | None = DEFAULT_TOP,
        cumulative: float = 1.0,
    ) -> Imputation:
        """The haplotype pairs of ``frequencies`` consistent with the typing, likeliest first;
        check ``inexplicable`` before using the probabilities."""
        parsed = self.parse(typing) if isinstance(typing, str) else typing
        return self.imputer(frequencies).impute(parsed, top=top, cumulative=cumulative)

    def imputer(self, frequencies: FrequencySet) -> Imputer:
        """The one `Imputer` of this engine for ``frequencies`` (it caches per-position masks);
        refuses a set validated against another release."""
        if frequencies.release != self.release:
            raise HLAError(
                f"frequency set {frequencies.provenance.source} was validated against "
                f"IPD-IMGT/HLA {frequencies.release}, the engine uses {self.release}"
            )
        imputer = self._imputers.get(frequencies)
        if imputer is None:
            imputer = self._imputers[frequencies] = Imputer(frequencies)
        return imputer

    def predict(self, patient: Imputation, donor: Imputation) -> MatchPrediction:
        """P(0/1/2+ mismatches) over 10 and 8 loci and per locus P(2/1/0 matched) from two
        imputations with the same set; ``inexplicable`` names a side with no consistent pair."""
        return predict_match(patient, donor)
