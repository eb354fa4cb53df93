"""Unit and donor search for a patient: HLA criteria, cell dose, guideline flags, ABO, DSA.

Ranking: the engine's HLA ranking (fewest mismatches, then grades, then confidence), then cell
dose (TNC/kg, then CD34+/kg), then unit id. The engine's `DonorIndex.search` ranks its best
``limit`` by HLA only (a group of equal HLA keys may be cut at its limit, and it grades units
the dose rule then drops), so we ask it for the counts only (``limit=0``), apply the dose rule
to every candidate at once, and grade the eligible units ourselves with the engine's
`score_locus`, one mismatch total at a time, until ``limit`` results survive the DSA policy
(see `_ranked`).

Ties: with ``rank_ties_by_probability`` (the default) units whose HLA rank key is equal are
ordered by the predicted probability of no mismatch over the rule's match loci (P(8/8) for cord
and the 8-locus adult rules, P(10/10) for the 10-locus ones), likeliest first, before dose; a
unit without a prediction comes after those with one. The work is bounded: within a tie group
only the first `TIE_PREDICTIONS` units in dose order are predicted and reordered, the rest keep
their dose order after them (a group is only reached when the results before it leave room).

Doses: TNC/kg in × 10^7/kg = ``tnc`` (× 10^7) / weight; CD34+/kg in × 10^5/kg =
``cd34`` (× 10^6) × 10 / weight.
"""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Literal

import numpy as np
from django.utils.translation import gettext

from stemhub.cordblood import hla_typing as hla
from stemhub.cordblood import index as search_index
from stemhub.cordblood.hla_messages import reason_words
from stemhub.cordblood.models import (
    LOCI,
    CentreSettings,
    Kind,
    Patient,
    Unit,
    UnitStatus,
)
from stemhub.cordblood.predictions import Predictor
from stemhub.core.errors import Unavailable
from stemhub.core.hla import engine as hla_engine
from stemhub.core.metrics import observe_cord_search
from stemhub.hla import (
    EIGHT_LOCI,
    MATCH_LOCI,
    SCORED_LOCI,
    LocusResult,
    MatchCriteria,
    MatchResult,
    RankingWeights,
    Typing,
    TypingError,
)

DonorType = Literal["cord", "adult", "both"]
CordRule = Literal["4of8", "6locus"]
AdultRule = Literal["8/8", "7/8", "10/10", "9/10"]
DsaPolicy = Literal["exclude", "flag"]
Ranked = list[tuple[MatchResult, list[str]]]  # the results in rank order, each with its DSA hits
EIGHT = EIGHT_LOCI
TEN = MATCH_LOCI
ADULT_RULES: dict[str, tuple[tuple[str, ...], int]] = {
    "8/8": (EIGHT, 0),
    "7/8": (EIGHT, 1),
    "10/10": (TEN, 0),
    "9/10": (TEN, 1),
}
WEIGHTS = RankingWeights()
SEARCH_VERSION = "cord-search 2"
TIE_PREDICTIONS = 200  # units of one tie group predicted to reorder it (see the docstring)


@dataclass(frozen=True)
class SearchRequest:
    donor_type: DonorType = "cord"
    cord_rule: CordRule = "4of8"
    cord_min_matches: int = 4
    adult_rule: AdultRule = "8/8"
    dsa_policy: DsaPolicy = "exclude"
    limit: int = 20
    rank_ties_by_probability: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "rank_ties_by_probability": self.rank_ties_by_probability,
            "donor_type": self.donor_type,
            "cord_rule": self.cord_rule,
            "cord_min_matches": self.cord_min_matches,
            "adult_rule": self.adult_rule,
            "dsa_policy": self.dsa_policy,
            "limit": self.limit,
        }


def thresholds_of(patient: Patient) -> CentreSettings:
    found = CentreSettings.objects.filter(centre_id=patient.centre_id).first()
    return found or CentreSettings.defaults()


# ---- pure arithmetic ---------------------------------------------------------------------------


def tnc_per_kg(tnc: float | None, weight_kg: float) -> float | None:
    """× 10^7/kg from TNC in × 10^7."""
    return None if tnc is None else tnc / weight_kg


def cd34_per_kg(cd34: float | None, weight_kg: float) -> float | None:
    """× 10^5/kg from CD34+ in × 10^6."""
    return None if cd34 is None else cd34 * 10 / weight_kg


def abo_compatibility(donor: str, recipient: str) -> str:
    """match, minor (donor's antibodies against the recipient's red cells), major (the
    recipient's against the donor's), bidirectional, or unknown."""
    if not donor or not recipient:
        return "unknown"
    if donor == recipient:
        return "match"
    antigens = {"O": set(), "A": {"A"}, "B": {"B"}, "AB": {"A", "B"}}
    major = bool(antigens[donor] - antigens[recipient])
    minor = bool(antigens[recipient] - antigens[donor])
    return "bidirectional" if major and minor else "major" if major else "minor"


def cord_flags(
    *,
    tnc_kg: float | None,
    cd34_kg: float | None,
    malignant: bool,
    mismatches_of_8: int | None,
    c_mismatches: int | None,
    attached_segment: bool | None,
    limits: CentreSettings,
) -> dict[str, bool]:
    """The guideline flags of one unit for one patient (domain guide §4; centre thresholds).
    For non-malignant disease a single unit is enough only above the higher TNC threshold."""
    below_non_malignant = not malignant and (
        tnc_kg is None or tnc_kg <= limits.nonmalignant_tnc_per_kg
    )
    single = (
        tnc_kg is not None
        and tnc_kg >= limits.single_tnc_per_kg
        and (cd34_kg is None or cd34_kg >= limits.single_cd34_per_kg)
        and not below_non_malignant
    )
    double = (
        tnc_kg is not None
        and cd34_kg is not None
        and tnc_kg >= limits.double_tnc_per_kg
        and cd34_kg >= limits.double_cd34_per_kg
    )
    return {
        "single_unit_adequate": single,
        "double_unit_eligible": double,
        "below_non_malignant_threshold": below_non_malignant,
        "hla_c_mismatch": bool(c_mismatches),
        "too_many_mismatches": (
            mismatches_of_8 is not None and mismatches_of_8 > limits.max_mismatches_of_8
        ),
        "no_attached_segment": attached_segment is not True,
    }


# ---- DSA ----------------------------------------------------------------------------------------


class DsaChecker:
    """Does a unit carry an antigen or allele the patient has antibodies against?

    A DSA target (``A2``, ``B*44:02``, ``DR15``) conflicts with a unit's locus typing when they
    share a P group at some position (any allele the unit may carry). Memoised per text."""

    def __init__(self, targets: list[str], index: search_index.CordIndex) -> None:
        engine = hla_engine()
        self.index = index
        self.targets: list[tuple[str, str, Any]] = []
        for target in targets:
            parsed = engine.parse_segment(target)
            for locus, typing in parsed.items():
                self.targets.append((target, locus, typing))
        self.memo: dict[tuple[int, int], bool] = {}

    def conflicts(self, pk: int) -> list[str]:
        engine = hla_engine()
        found = []
        for number, (target, locus, typing) in enumerate(self.targets):
            if locus not in LOCI:
                continue
            code = int(self.index.locus_codes[locus][pk])
            if code < 0:
                continue
            key = (number, code)
            hit = self.memo.get(key)
            if hit is None:
                donor = self.index.parsed(locus, code)
                hit = bool(engine.match_locus(typing, donor).count)
                self.memo[key] = hit
            if hit:
                found.append(target)
        return found


# ---- search -------------------------------------------------------------------------------------


def _patient_typing(patient: Patient) -> Typing:
    """The patient's typing, read by this server's engine. It was accepted when it was entered;
    a server whose reference data lacks a part of it (a MAC dictionary not loaded, an older
    IPD-IMGT/HLA release) answers 503 naming the part and what an operator runs."""
    try:
        return hla_engine().parse(patient.hla_gl)
    except TypingError as error:
        raise Unavailable(
            gettext(
                "This server's HLA reference data cannot read the patient's typing "
                "(%(token)s: %(reason)s). An operator loads what is missing: "
                "stemhub hla macs FILE for NMDP MAC codes, or stemhub hla fetch for an "
                "IPD-IMGT/HLA release."
            )
            % {"token": error.token, "reason": reason_words(error.reason)}
        ) from error


@observe_cord_search
def run_search(patient: Patient, request: SearchRequest) -> dict[str, Any]:
    index = search_index.current()
    limits = thresholds_of(patient)
    typing = _patient_typing(patient)
    dsa = DsaChecker(list(patient.dsa or []), index)
    predictor = Predictor(index, patient, typing)
    out: dict[str, Any] = {
        "imgt_release": hla_engine().release,
        "engine_version": SEARCH_VERSION,
        "index_generation": index.generation,
        "haplotype_set": predictor.set_ref,
        "patient_inexplicable": predictor.patient is not None and predictor.patient.inexplicable,
        "kinds": {},
    }
    kinds = ("cord", "adult") if request.donor_type == "both" else (request.donor_type,)
    for kind in kinds:
        if kind == Kind.CORD and request.cord_rule == "6locus":
            ranked, counts = _six_locus(index, patient, typing, request, limits, dsa)
        else:
            ranked, counts = _ranked(index, kind, patient, typing, request, limits, dsa, predictor)
        results = _shape(index, kind, ranked, patient, limits, predictor)
        section: dict[str, Any] = {"counts": counts, "results": results}
        if kind == Kind.CORD:
            section["doubles"] = double_units(results)
        out["kinds"][kind] = section
    return out


def _criteria(kind: str, request: SearchRequest) -> MatchCriteria:
    if kind == Kind.CORD:
        return MatchCriteria(
            match_loci=EIGHT,
            score_loci=SCORED_LOCI,
            max_mismatches=8 - request.cord_min_matches,
        )
    loci, allowed = ADULT_RULES[request.adult_rule]
    return MatchCriteria(match_loci=loci, score_loci=SCORED_LOCI, max_mismatches=allowed)


def _eligible_mask(
    index: search_index.CordIndex,
    kind: str,
    pks: np.ndarray,
    patient: Patient,
    limits: CentreSettings,
) -> np.ndarray:
    if kind != Kind.CORD:
        return np.ones(pks.size, dtype=bool)
    tnc = index.tnc[pks] / patient.weight_kg
    cd34 = index.cd34[pks] * 10 / patient.weight_kg
    eligible: np.ndarray = (tnc >= limits.search_tnc_per_kg) & (
        np.isnan(cd34) | (cd34 >= limits.search_cd34_per_kg)
    )
    return eligible


def _dose_key(index: search_index.CordIndex, pk: int) -> tuple[float, float]:
    tnc, cd34 = index.tnc[pk], index.cd34[pk]
    return (-(0.0 if np.isnan(tnc) else float(tnc)), -(0.0 if np.isnan(cd34) else float(cd34)))


class _Grader:
    """Full scores of one patient against units, per distinct (locus, typing text) — the same
    `score_locus` calls the engine's `DonorIndex.search` makes for its best ``limit`` — kept
    across mismatch levels, with each donor text parsed once per process (`CordIndex.parsed`)."""

    def __init__(
        self, index: search_index.CordIndex, kind: str, typing: Any, criteria: MatchCriteria
    ) -> None:
        self.index = index
        self.typing = typing
        self.criteria = criteria
        self.loci = list(dict.fromkeys((*criteria.match_loci, *criteria.score_loci)))
        self.indexed = set(index.donors[kind].loci) & set(index.locus_codes)
        self.release = hla_engine().release
        self.engine = hla_engine()
        self.memo: dict[str, dict[int, LocusResult]] = {locus: {} for locus in self.loci}

    def _locus(self, locus: str, code: int) -> LocusResult:
        patient = self.typing.loci.get(locus)
        if patient is None or code < 0 or locus not in self.indexed:
            return LocusResult(locus, None)
        return self.engine.match_locus(patient, self.index.parsed(locus, code))

    def keys(self, pks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per unit: mismatches (of the match loci), summed grade and confidence weights."""
        mismatches = np.zeros(pks.size, dtype=np.int64)
        grade_total = np.zeros(pks.size, dtype=np.int64)
        confidence_total = np.zeros(pks.size, dtype=np.int64)
        for locus in self.loci:
            codes = self.index.locus_codes[locus][pks]
            distinct, where = np.unique(codes, return_inverse=True)
            memo = self.memo[locus]
            counted = locus in self.criteria.match_loci
            missed = np.zeros(distinct.size, dtype=np.int64)
            grade_of = np.zeros(distinct.size, dtype=np.int64)
            confidence_of = np.zeros(distinct.size, dtype=np.int64)
            for i, code in enumerate(distinct.tolist()):
                result = memo.get(code)
                if result is None:
                    result = memo[code] = self._locus(locus, code)
                if counted:
                    missed[i] = result.mismatches
                for position in result.positions or ():
                    grade_of[i] += WEIGHTS.grade.get(position.grade, 0)
                    confidence_of[i] += WEIGHTS.confidence.get(position.confidence, 0)
            mismatches += missed[where]
            grade_total += grade_of[where]
            confidence_total += confidence_of[where]
        return mismatches, grade_total, confidence_total

    def result(self, pk: int) -> MatchResult:
        loci = {
            locus: self.memo[locus][int(self.index.locus_codes[locus][pk])]
            if locus in self.indexed
            else LocusResult(locus, None)
            for locus in self.loci
        }
        return MatchResult(self.release, str(pk), loci, self.criteria.match_loci)


def _untyped_positions(
    index: search_index.CordIndex, typing: Typing, criteria: MatchCriteria, pks: np.ndarray
) -> np.ndarray:
    """Per unit, the positions of the match loci not typed on both sides: the engine counts
    them as no mismatch, the match grade never counts them as matched."""
    untyped = np.zeros(pks.size, dtype=np.int64)
    for locus in criteria.match_loci:
        if locus not in typing.loci or locus not in index.locus_codes:
            untyped += 2
        else:
            untyped += 2 * (index.locus_codes[locus][pks] < 0)
    return untyped


def _ranked(
    index: search_index.CordIndex,
    kind: str,
    patient: Patient,
    typing: Typing,
    request: SearchRequest,
    limits: CentreSettings,
    dsa: DsaChecker,
    predictor: Predictor,
) -> tuple[Ranked, dict[str, int]]:
    """The best ``limit`` eligible units by (HLA rank key, [P(no mismatch),] dose, unit id).

    The engine counts every donor (no grading: ``limit=0``); the dose mask is applied to all of
    them at once; then only eligible units are graded, one mismatch total at a time (a unit
    with more mismatches can never rank above one with fewer) until ``limit`` units survive
    the DSA policy. Same order as grading everything and sorting by the full key."""
    donors = index.donors[kind]
    criteria = _criteria(kind, request)
    wanted = request.limit
    found = donors.search(typing, criteria, limit=0, weights=WEIGHTS)
    pks = index.pks_of(found.donor_ids)
    keep = _eligible_mask(index, kind, pks, patient, limits)
    total = len(criteria.match_loci) * 2
    levels = np.unique(found.mismatches[keep])
    matched = (
        total - found.mismatches[keep] - _untyped_positions(index, typing, criteria, pks[keep])
    )
    grades, grade_sizes = np.unique(matched, return_counts=True)
    counts = {
        f"{m}/{total}": int(n) for m, n in sorted(zip(grades, grade_sizes, strict=True))[::-1]
    }
    eligible, eligible_mismatches = pks[keep], found.mismatches[keep]
    grader = _Grader(index, kind, typing, criteria)
    rows = np.zeros(0, dtype=np.int64)
    keys = [np.zeros(0, dtype=np.int64) for _ in range(3)]
    picked: Ranked = []
    for level in levels.tolist():
        more = eligible[eligible_mismatches == level]
        rows = np.concatenate((rows, more))
        keys = [np.concatenate(pair) for pair in zip(keys, grader.keys(more), strict=True)]
        mismatches, grade_total, confidence_total = keys
        order = np.lexsort(
            (
                rows,
                -np.nan_to_num(index.cd34[rows], nan=0.0),
                -np.nan_to_num(index.tnc[rows], nan=0.0),
                -confidence_total,
                -grade_total,
                mismatches,
            )
        )
        ordered = [rows[order], *(key[order] for key in keys)]
        ranking = _by_probability(ordered, predictor, criteria.match_loci, request)
        picked = []
        for pk in ranking:
            conflicts = dsa.conflicts(pk) if dsa.targets else []
            if conflicts and request.dsa_policy == "exclude":
                continue
            picked.append((grader.result(pk), conflicts))
            if len(picked) >= wanted:
                break
        if len(picked) >= wanted:
            break
    return picked, counts


def _likeliest_first(p0: float | None) -> float:
    return 1.0 if p0 is None else -p0


def _by_probability(
    ordered: list[np.ndarray],
    predictor: Predictor,
    match_loci: tuple[str, ...],
    request: SearchRequest,
) -> Iterator[int]:
    """Units in rank order: ``ordered`` (pks, mismatches, grades, confidences sorted by HLA key
    then dose) with each group of equal HLA keys led by its first `TIE_PREDICTIONS` units
    reordered by P(no mismatch), likeliest first (lazily: a group is predicted when reached)."""
    pks = ordered[0]
    if not request.rank_ties_by_probability or predictor.patient is None:
        yield from pks.tolist()
        return
    changes = np.zeros(pks.size, dtype=bool)
    for key in ordered[1:]:
        changes[1:] |= key[1:] != key[:-1]
    starts = [0, *np.flatnonzero(changes).tolist(), pks.size]
    for start, stop in itertools.pairwise(starts):
        group = pks[start:stop].tolist()
        if len(group) > 1:
            head = group[:TIE_PREDICTIONS]
            odds = [predictor.p0(pk, match_loci) for pk in head]
            # stable: equal odds keep their dose order; no prediction comes last
            ranked = sorted(range(len(head)), key=lambda i: _likeliest_first(odds[i]))
            group = [head[i] for i in ranked] + group[TIE_PREDICTIONS:]
        yield from group


def _antigen_mismatches(result: LocusResult) -> int:
    if result.positions is None:
        return 0
    return 2 - sum(1 for position in result.positions if position.antigen_match)


def _six_locus(
    index: search_index.CordIndex,
    patient: Patient,
    typing: Typing,
    request: SearchRequest,
    limits: CentreSettings,
    dsa: DsaChecker,
) -> tuple[Ranked, dict[str, int]]:
    """The older rule: A and B at antigen level, DRB1 at allele level (6/6, 5/6, 4/6)."""
    engine = hla_engine()
    size = index.tnc.size
    rows = np.flatnonzero(
        (index.kind[:size] == search_index.KINDS.index("cord"))
        & (index.status[:size] == search_index.STATUS_CODES["available"])
    )
    rows = rows[_eligible_mask(index, "cord", rows, patient, limits)]
    mismatches = np.zeros(rows.size, dtype=np.int16)
    for locus in ("A", "B", "DRB1"):
        patient_locus = typing.loci.get(locus)
        if patient_locus is None:
            continue
        codes = index.locus_codes[locus][rows]
        distinct = np.unique(codes)
        per_code = np.zeros(distinct.size, dtype=np.int16)
        for i, code in enumerate(distinct.tolist()):
            if code < 0:
                continue
            donor = engine.parse_segment(index.locus_texts[locus][code])[locus]
            scored = engine.match_locus(patient_locus, donor)
            per_code[i] = scored.mismatches if locus == "DRB1" else _antigen_mismatches(scored)
        mismatches += per_code[np.searchsorted(distinct, codes)]
    allowed = 6 - request.cord_min_matches
    keep = mismatches <= allowed
    rows, mismatches = rows[keep], mismatches[keep]
    counts = {
        f"{6 - m}/6": int(n)
        for m, n in zip(*np.unique(mismatches, return_counts=True), strict=True)
    }
    order = sorted(
        range(rows.size), key=lambda i: (int(mismatches[i]), *_dose_key(index, int(rows[i])))
    )
    picked: Ranked = []
    criteria = MatchCriteria(match_loci=EIGHT, score_loci=SCORED_LOCI)
    units = dict(
        Unit.objects.filter(pk__in=[int(rows[i]) for i in order[: request.limit * 4]]).values_list(
            "pk", "hla_gl"
        )
    )
    for i in order:
        pk = int(rows[i])
        conflicts = dsa.conflicts(pk) if dsa.targets else []
        if conflicts and request.dsa_policy == "exclude":
            continue
        gl = units.get(pk) or Unit.objects.get(pk=pk).hla_gl
        picked.append((engine.match(typing, gl, criteria, donor_id=str(pk)), conflicts))
        if len(picked) >= request.limit:
            break
    return picked, counts


def _locus(result: LocusResult) -> dict[str, Any]:
    """One locus of a result: the match count (None: untyped), per position the grade and the
    confidence, antigen-level matches, and for DPB1 the TCE permissiveness."""
    positions = result.positions or ()
    found: dict[str, Any] = {
        "count": result.count,
        "grades": [p.grade.value for p in positions],
        "confidences": [p.confidence.value for p in positions],
        "antigen_matches": None if result.positions is None else 2 - _antigen_mismatches(result),
    }
    if result.dpb1:
        found["dpb1"] = result.dpb1
    return found


def _unit_pk(result: MatchResult) -> int:
    """The unit a result is of (the search gives every donor its unit's id)."""
    if result.donor_id is None:
        raise ValueError("A search result names no unit")
    return int(result.donor_id)


def _shape(
    index: search_index.CordIndex,
    kind: str,
    ranked: Ranked,
    patient: Patient,
    limits: CentreSettings,
    predictor: Predictor,
) -> list[dict[str, Any]]:
    pks = [_unit_pk(result) for result, _ in ranked]
    units = Unit.objects.select_related("bank").in_bulk(pks)
    shaped = []
    for rank, (result, conflicts) in enumerate(ranked, start=1):
        unit = units.get(_unit_pk(result))
        if unit is None or unit.status != UnitStatus.AVAILABLE:
            continue  # changed since the index was read: never offer it
        tnc_kg = tnc_per_kg(unit.tnc, patient.weight_kg)
        cd34_kg = cd34_per_kg(unit.cd34, patient.weight_kg)
        positions = 2 * len(result.match_loci)
        untyped = [
            locus
            for locus in result.match_loci
            if locus not in result.loci or result.loci[locus].count is None
        ]
        matched = sum(
            result.loci[locus].count or 0 for locus in result.match_loci if locus not in untyped
        )
        of_8 = sum(result.loci[locus].mismatches for locus in EIGHT if locus in result.loci)
        loci = {locus: _locus(locus_result) for locus, locus_result in result.loci.items()}
        entry: dict[str, Any] = {
            "rank": rank,
            "unit_id": unit.pk,
            "kind": unit.kind,
            "bank": unit.bank.provider_code,
            "local_id": unit.local_id,
            "din": unit.din_full,
            "abo": f"{unit.abo}{unit.rh}",
            "abo_group": unit.abo,
            "rh": unit.rh,
            "mismatches": result.mismatches,
            "match": f"{matched}/{positions}",
            "untyped_loci": untyped,
            "loci": loci,
            "hla": unit.hla_gl,
            "abo_compatibility": abo_compatibility(unit.abo, patient.abo),
            "dsa_conflicts": conflicts,
            "prediction": predictor.shaped(unit.pk),
        }
        if kind == Kind.CORD:
            entry.update(
                tnc=unit.tnc,
                cd34=unit.cd34,
                tnc_per_kg=None if tnc_kg is None else round(tnc_kg, 3),
                cd34_per_kg=None if cd34_kg is None else round(cd34_kg, 3),
                rbc_depleted=unit.rbc_depleted,
                cryovolume_ml=unit.cryovolume_ml,
                collection_date=unit.collection_date.isoformat() if unit.collection_date else None,
                flags=cord_flags(
                    tnc_kg=tnc_kg,
                    cd34_kg=cd34_kg,
                    malignant=patient.malignant,
                    mismatches_of_8=of_8,
                    c_mismatches=result.loci["C"].mismatches if "C" in result.loci else None,
                    attached_segment=unit.attached_segment,
                    limits=limits,
                ),
            )
        else:
            entry.update(age=unit.age, cmv=unit.cmv, sex=unit.sex)
        shaped.append(entry)
    return shaped


def double_units(results: list[dict[str, Any]], top: int = 10) -> list[dict[str, Any]]:
    """Pairs of double-eligible units ranked by their worse match, total mismatches, then the
    combined TNC/kg (no unit-to-unit match needed)."""
    eligible = [r for r in results if r["flags"]["double_unit_eligible"] and not r["dsa_conflicts"]]
    pairs = []
    for first, second in combinations(eligible, 2):
        combined = first["tnc_per_kg"] + second["tnc_per_kg"]
        pairs.append(
            (
                (
                    max(first["mismatches"], second["mismatches"]),
                    first["mismatches"] + second["mismatches"],
                    -combined,
                    first["unit_id"],
                    second["unit_id"],
                ),
                {
                    "units": [first["unit_id"], second["unit_id"]],
                    "local_ids": [
                        f"{first['bank']}/{first['local_id']}",
                        f"{second['bank']}/{second['local_id']}",
                    ],
                    "matches": [first["match"], second["match"]],
                    "combined_tnc_per_kg": round(combined, 3),
                    "combined_cd34_per_kg": round(
                        (first["cd34_per_kg"] or 0) + (second["cd34_per_kg"] or 0), 3
                    ),
                },
            )
        )
    pairs.sort(key=lambda pair: pair[0])
    return [pair for _, pair in pairs[:top]]


def preliminary_counts(gl: str) -> dict[str, Any]:
    """Public: counts of potential cord matches (≥ 4/8) and adult matches by grade, HLA only
    (positions not typed on both sides are never counted as matched); `BadTyping` naming the
    token when the typing is bad or lacks HLA-A, -B or -DRB1; the loci given one allele (read as
    homozygous)."""
    typing = hla.parse_gl(gl)
    missing = [locus for locus in hla.SEARCH_LOCI if locus not in typing.loci]
    if missing:
        raise hla.BadTyping(
            ", ".join(f"HLA-{locus}" for locus in missing),
            gettext("missing: a search needs the patient's HLA-A, -B and -DRB1"),
        )
    index = search_index.current()
    counts: dict[str, dict[str, int]] = {}
    for kind, criteria in (
        ("cord", MatchCriteria(match_loci=EIGHT, max_mismatches=4)),
        ("adult", MatchCriteria(match_loci=EIGHT, max_mismatches=2)),
    ):
        found = index.donors[kind].search(typing, criteria, limit=0)
        untyped = _untyped_positions(index, typing, criteria, index.pks_of(found.donor_ids))
        counts[kind] = {
            f"{m}/8": int(n)
            for m, n in zip(
                *np.unique(8 - found.mismatches - untyped, return_counts=True), strict=True
            )
        }
    homozygous = [
        locus
        for locus in LOCI
        if locus in typing.loci and len(set(typing.loci[locus].text.split("+"))) == 1
    ]
    return {"imgt_release": hla_engine().release, "counts": counts, "homozygous": homozygous}
