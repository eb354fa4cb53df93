"""Match predictions of a search: the patient imputed once, each unit read from the index's stores.

The patient is imputed with `populations.selectors.set_for(patient.population_id)` (their
population's set in use, else the default population's); a unit's imputation was made with its
own population's set when the index took it in (`CordIndex.stores`). Two different sets (two
populations) are compared by allele name (`stemhub.hla.prediction`). Predictions are memoised per
(set, per-locus typing texts): units typed alike have the same prediction.
"""

from typing import Any

from stemhub.cordblood import index as search_index
from stemhub.cordblood.models import LOCI, Patient
from stemhub.core.hla import engine as hla_engine
from stemhub.hla import EIGHT_LOCI, HLAError, MatchPrediction, MismatchOdds, Typing
from stemhub.populations.selectors import engine_set, set_for


def _odds(odds: MismatchOdds | None) -> dict[str, float] | None:
    if odds is None:
        return None
    return {"p0": odds.p0, "p1": odds.p1, "p2": odds.p2}


class Predictor:
    """Predictions of one patient against the units of the index."""

    def __init__(self, index: search_index.CordIndex, patient: Patient, typing: Typing) -> None:
        self.index = index
        self.engine = hla_engine()
        self.haplotype_set = set_for(patient.population_id)
        self.patient = (
            None
            if self.haplotype_set is None
            else self.engine.impute(typing, engine_set(self.haplotype_set))
        )
        self.memo: dict[tuple[int, ...], MatchPrediction | None] = {}

    @property
    def set_ref(self) -> dict[str, Any] | None:
        found = self.haplotype_set
        return None if found is None else {"id": found.pk, "label": found.label}

    def predict(self, pk: int) -> MatchPrediction | None:
        """The unit's prediction; None when the patient or the unit has no set (or the sets'
        resolutions differ, so their names do not compare)."""
        store = self.index.store_of(pk)
        if self.patient is None or store is None:
            return None
        set_id = int(self.index.imputed_in[pk])
        key = (set_id, *(int(self.index.locus_codes[locus][pk]) for locus in LOCI))
        if key in self.memo:
            return self.memo[key]
        donor = store.get(str(pk))
        found = None
        if donor is not None:
            try:
                found = self.engine.predict(self.patient, donor)
            except HLAError:
                found = None
        self.memo[key] = found
        return found

    def p0(self, pk: int, match_loci: tuple[str, ...]) -> float | None:
        """P(0 mismatches) over the rule's match loci (8 or 10); None when not known."""
        found = self.predict(pk)
        if found is None or found.inexplicable:
            return None
        odds = found.eight if match_loci == EIGHT_LOCI else found.ten
        return None if odds is None else odds.p0

    def shaped(self, pk: int) -> dict[str, Any] | None:
        """The prediction as the API and the pages carry it (None: no prediction)."""
        found = self.predict(pk)
        if found is None:
            return None
        set_id = int(self.index.imputed_in[pk])
        return {
            "haplotype_set": self.set_ref,
            "donor_haplotype_set": {"id": set_id, "label": self.index.set_labels.get(set_id, "")},
            "inexplicable": list(found.inexplicable),
            "ten": _odds(found.ten),
            "eight": _odds(found.eight),
            "loci": {
                locus: {"match2": odds.match2, "match1": odds.match1, "match0": odds.match0}
                for locus, odds in found.loci.items()
            },
        }
