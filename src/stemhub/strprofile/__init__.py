"""STR identity: CLASTR's similarity scoring and a vectorised profile search. Never imports
Django.

Parse a query with `parse_profile`, compare two profiles with `compare`, or build a
`StrIndex` from `Reference`s and `search` it with `SearchParameters` (CLASTR's defaults).
"""

from stemhub.strprofile.errors import ParameterError, ProfileError, StrError
from stemhub.strprofile.index import Kind, Match, SearchParameters, StrIndex
from stemhub.strprofile.loci import AMELOGENIN, HUMAN_LOCI, OTHER_HUMAN_LOCI, normalise_locus
from stemhub.strprofile.profile import (
    MAX_COMBINATIONS,
    NOT_DETECTED,
    Profile,
    Reference,
    parse_profile,
    parse_profile_text,
)
from stemhub.strprofile.scoring import (
    ALGORITHMS,
    Algorithm,
    Comparison,
    MastersQuery,
    MastersReference,
    Mode,
    Reading,
    ScoringAlgorithm,
    Tanabe,
    algorithm_for,
    compare,
    format_score,
)

__all__ = [
    "ALGORITHMS",
    "AMELOGENIN",
    "HUMAN_LOCI",
    "MAX_COMBINATIONS",
    "NOT_DETECTED",
    "OTHER_HUMAN_LOCI",
    "Algorithm",
    "Comparison",
    "Kind",
    "MastersQuery",
    "MastersReference",
    "Match",
    "Mode",
    "ParameterError",
    "Profile",
    "ProfileError",
    "Reading",
    "Reference",
    "ScoringAlgorithm",
    "SearchParameters",
    "StrError",
    "StrIndex",
    "Tanabe",
    "algorithm_for",
    "compare",
    "format_score",
    "normalise_locus",
    "parse_profile",
    "parse_profile_text",
]
