"""The HLA engine: nomenclature, matching, scoring, donor search and imputation. Never imports
Django.

Start from `HLAEngine.load()`; everything it returns states the IPD-IMGT/HLA release it used.
"""

from stemhub.hla.config import PINNED_RELEASE
from stemhub.hla.engine import HLAEngine
from stemhub.hla.errors import (
    DeletedAlleleError,
    HLAError,
    MalformedTypingError,
    ReferenceDataError,
    TypingError,
    UnknownAlleleError,
    UnknownMACError,
    UnknownSerologyError,
)
from stemhub.hla.frequencies import FrequencySet, FrequencySetError, Provenance, Resolution
from stemhub.hla.genotype import EIGHT_LOCI, MATCH_LOCI, SCORED_LOCI, LocusTyping, Position, Typing
from stemhub.hla.grading import Confidence, DPB1Permissiveness, Grade, PositionGrade
from stemhub.hla.haplobank import HaplotypeError, PlannedLine, haplobank_plan
from stemhub.hla.imputation import Imputation
from stemhub.hla.imputation_store import ImputationStore, ImputationStoreError
from stemhub.hla.index import DonorIndex, SearchResult
from stemhub.hla.macs import MacDictionary
from stemhub.hla.matching import GGroupMatcher, MatchLevel, PGroupMatcher
from stemhub.hla.npzfile import save_npz
from stemhub.hla.prediction import LocusOdds, MatchPrediction, MismatchOdds
from stemhub.hla.scoring import LocusResult, MatchCriteria, MatchResult, RankingWeights
from stemhub.hla.tables import ReferenceTables, load_tables

__all__ = [
    "EIGHT_LOCI",
    "MATCH_LOCI",
    "PINNED_RELEASE",
    "SCORED_LOCI",
    "Confidence",
    "DPB1Permissiveness",
    "DeletedAlleleError",
    "DonorIndex",
    "FrequencySet",
    "FrequencySetError",
    "GGroupMatcher",
    "Grade",
    "HLAEngine",
    "HLAError",
    "HaplotypeError",
    "Imputation",
    "ImputationStore",
    "ImputationStoreError",
    "LocusOdds",
    "LocusResult",
    "LocusTyping",
    "MacDictionary",
    "MalformedTypingError",
    "MatchCriteria",
    "MatchLevel",
    "MatchPrediction",
    "MatchResult",
    "MismatchOdds",
    "PGroupMatcher",
    "PlannedLine",
    "Position",
    "PositionGrade",
    "Provenance",
    "RankingWeights",
    "ReferenceDataError",
    "ReferenceTables",
    "Resolution",
    "SearchResult",
    "Typing",
    "TypingError",
    "UnknownAlleleError",
    "UnknownMACError",
    "UnknownSerologyError",
    "haplobank_plan",
    "load_tables",
    "save_npz",
]
