"""Words for the codes of the cord blood platform, as the pages show them: match grades and
confidence per HLA position, DPB1 permissiveness, guideline flags, ABO compatibility, doses.

The engine and the API speak in codes (`p_group`, `double_unit_eligible`, `minor`); a person reads
words, with the explanation on hover. Each locus of a search result becomes a `LocusCell`: a
tone (green match, amber potential or low-resolution match, red mismatch, grey untyped), a short
label, the grades of its two positions and a sentence that says all of it."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from stemhub.cordblood.models import LOCI
from stemhub.cordblood.selectors import RESOLUTION_WORDS, resolution_of

# Grade of one position (engine `Grade`): the short word, and what it means.
GRADES: dict[str, tuple[Any, Any]] = {
    "gdna": (_("allele"), _("the same allele to the full name (genomic DNA)")),
    "cdna": (_("allele"), _("the same allele in the coding sequence (three fields)")),
    "protein": (_("allele"), _("the same protein (two-field allele)")),
    "g_group": (_("G group"), _("the same G group (identical exons 2 and 3)")),
    "p_group": (_("P group"), _("the same P group (identical antigen-binding protein)")),
    "null_gdna": (_("null allele"), _("the same null (non-expressed) allele")),
    "null_cdna": (_("null allele"), _("null alleles sharing three fields")),
    "null_partial": (_("null allele"), _("null alleles sharing two fields")),
    "associated": (_("serology"), _("the same associated antigen (serology)")),
    "split": (_("serology"), _("the same split antigen (serology)")),
    "broad": (_("broad serology"), _("only the same broad antigen (low-resolution serology)")),
    "null_mismatch": (_("null mismatch"), _("different null alleles")),
    "expressing_vs_null": (_("null vs expressed"), _("one side does not express this allele")),
    "mismatch": (pgettext_lazy("HLA", "mismatch"), _("no shared allele group")),
}
LOW_RESOLUTION_GRADES = frozenset({"associated", "split", "broad"})
MISMATCH_GRADES = frozenset({"mismatch", "null_mismatch", "expressing_vs_null"})

CONFIDENCES: dict[str, Any] = {
    "definite": _("definite: both typed as one named allele"),
    "exact": _("exact: both typed within one P group"),
    "potential": _("potential: the typings may match (ambiguous or low resolution)"),
    "mismatch": pgettext_lazy("HLA", "mismatch"),
}

# DPB1 T-cell-epitope (TCE) permissiveness of a DPB1 mismatch.
DPB1_WORDS: dict[str, tuple[Any, Any]] = {
    "match": (pgettext_lazy("HLA", "match"), _("DPB1 matched: no TCE mismatch.")),
    "permissive": (
        _("permissive"),
        _("Permissive DPB1 mismatch: patient and unit share the same TCE group."),
    ),
    "non_permissive_gvh": (
        _("non-permissive (GvH)"),
        _(
            "Non-permissive DPB1 mismatch in the graft-versus-host direction: the patient's "
            "TCE group is the more immunogenic."
        ),
    ),
    "non_permissive_hvg": (
        _("non-permissive (HvG)"),
        _(
            "Non-permissive DPB1 mismatch in the host-versus-graft direction: the unit's TCE "
            "group is the more immunogenic."
        ),
    ),
    "unknown": (
        _("TCE unknown"),
        _("The TCE group of one side is not certain (unassigned allele or ambiguous typing)."),
    ),
}

# Guideline flags of a cord unit for one patient: label, explanation, and whether it is good.
FLAGS: dict[str, tuple[Any, Any, bool]] = {
    "single_unit_adequate": (
        _("Single-unit dose"),
        _("TNC and CD34+ per kg reach the centre's threshold for a single-unit graft."),
        True,
    ),
    "double_unit_eligible": (
        _("Fits a double graft"),
        _("TNC and CD34+ per kg reach the threshold for each unit of a double-unit graft."),
        True,
    ),
    "below_non_malignant_threshold": (
        _("Low dose (non-malignant)"),
        _("Non-malignant disease: TNC per kg is not above the centre's higher threshold."),
        False,
    ),
    "hla_c_mismatch": (
        _("HLA-C mismatch"),
        _("HLA-C is mismatched: guidelines advise avoiding HLA-C mismatches where possible."),
        False,
    ),
    "too_many_mismatches": (
        _("Too many mismatches"),
        _("More mismatches of 8 (A, B, C, DRB1) than the centre allows before a warning."),
        False,
    ),
    "no_attached_segment": (
        _("No attached segment"),
        _(
            "The bank reports no attached segment: confirmatory typing on a segment of the unit "
            "itself is not possible."
        ),
        False,
    ),
}

ABO_WORDS: dict[str, tuple[Any, Any]] = {
    "match": (_("ABO identical"), _("The unit and the patient have the same ABO group.")),
    "minor": (
        _("ABO minor incompatible"),
        _("The unit's plasma carries antibodies against the patient's red cells."),
    ),
    "major": (
        _("ABO major incompatible"),
        _("The patient carries antibodies against the unit's red cells."),
    ),
    "bidirectional": (
        _("ABO bidirectional incompatible"),
        _("Antibodies in both directions: the patient's and the unit's."),
    ),
    "unknown": (_("ABO not compared"), _("The ABO group of the patient or the unit is unknown.")),
}


def din_text(din: str, check: str) -> str:
    """An ISBT 128 DIN as printed eye-readable: facility, year, sequence and check character."""
    if len(din) != 13:
        return f"{din} {check}".strip()
    return f"{din[:5]} {din[5:7]} {din[7:]} {check}".strip()


def abo_text(abo: str, rh: str) -> str:
    """ABO and Rh as people write them: "O Rh+", "AB Rh−", "A" (Rh unknown), "" (unknown)."""
    if not abo:
        return ""
    return f"{abo} Rh{'+' if rh == '+' else '−'}" if rh else abo


@dataclass(frozen=True)
class LocusCell:
    locus: str
    tone: str  # match, potential, mismatch, untyped
    label: str
    count: str  # "2/2", "1/2", "–"
    grades: str
    title: str
    odds: str = ""  # predicted P(2/2) at this locus: "P 2/2 87 %"
    odds_title: str = ""


def _position_words(grades: list[str], confidences: list[str]) -> list[str]:
    words = []
    for number, (grade, confidence) in enumerate(zip(grades, confidences, strict=False), 1):
        meaning = GRADES.get(grade, (grade, grade))[1]
        sure = CONFIDENCES.get(confidence, confidence)
        words.append(
            str(_("position %(n)s: %(meaning)s; %(confidence)s."))
            % {"n": number, "meaning": meaning, "confidence": sure}
        )
    return words


def locus_cell(locus: str, found: dict[str, Any] | None) -> LocusCell:
    """How one locus of one search result reads (see the module docstring)."""
    count = None if found is None else found.get("count")
    if found is None or count is None:
        return LocusCell(
            locus,
            "untyped",
            str(_("Not typed")),
            "–",
            "",
            str(_("HLA-%(locus)s is not typed on both sides: it adds no mismatch."))
            % {"locus": locus},
        )
    grades = list(found.get("grades") or [])
    confidences = list(found.get("confidences") or [])
    matched = [str(GRADES.get(g, (g, g))[0]) for g in grades if g not in MISMATCH_GRADES]
    short = ", ".join(dict.fromkeys(matched))
    dpb1 = found.get("dpb1")
    mismatches = 2 - count
    if mismatches:
        tone = "mismatch"
        label = ngettext("%(n)s mismatch", "%(n)s mismatches", mismatches) % {"n": mismatches}
        if locus == "DPB1" and dpb1 == "permissive":
            tone = "potential"
    elif any(c == "potential" for c in confidences) or any(
        g in LOW_RESOLUTION_GRADES for g in grades
    ):
        tone, label = "potential", str(_("Potential match"))
    else:
        tone, label = "match", str(pgettext_lazy("HLA", "Match"))
    if locus == "DPB1" and dpb1 and dpb1 != "match":
        label = str(DPB1_WORDS.get(dpb1, (dpb1, dpb1))[0])
    sentence = str(
        ngettext(
            "HLA-%(locus)s: %(count)s of 2 positions match.",
            "HLA-%(locus)s: %(count)s of 2 positions match.",
            count,
        )
        % {"locus": locus, "count": count}
    )
    parts = [sentence, *_position_words(grades, confidences)]
    if locus == "DPB1" and dpb1:
        parts.append(str(DPB1_WORDS.get(dpb1, (dpb1, dpb1))[1]))
    # Each part is a whole sentence with its own full stop (。 in Chinese).
    return LocusCell(locus, tone, label, f"{count}/2", short, " ".join(parts))


def percent(p: float) -> str:
    """A probability as a percentage with one decimal: 0.8734 -> "87.3 %"."""
    return f"{p * 100:.1f} %"


def _with_odds(cell: LocusCell, odds: dict[str, float] | None) -> LocusCell:
    if odds is None:
        return cell
    title = str(
        _(
            "Predicted from the haplotype frequencies: both positions match with %(two)s, one "
            "with %(one)s, none with %(none)s."
        )
    ) % {
        "two": percent(odds["match2"]),
        "one": percent(odds["match1"]),
        "none": percent(odds["match0"]),
    }
    return LocusCell(
        cell.locus,
        cell.tone,
        cell.label,
        cell.count,
        cell.grades,
        cell.title,
        str(_("P 2/2 %(p)s")) % {"p": f"{odds['match2'] * 100:.0f} %"},
        title,
    )


def locus_cells(loci: dict[str, Any], prediction: dict[str, Any] | None = None) -> list[LocusCell]:
    """The match grid of one result; with a prediction, each locus the set holds also shows
    its P(2/2)."""
    odds = (prediction or {}).get("loci") or {}
    return [_with_odds(locus_cell(locus, loci.get(locus)), odds.get(locus)) for locus in LOCI]


SIDES = {"patient": _("the patient's"), "donor": _("the unit's or donor's")}


@dataclass(frozen=True)
class PredictionCells:
    """P(10/10) and P(8/8) of one result as the page shows them."""

    ten: str
    eight: str
    title: str
    state: str  # shown, inexplicable, none


def prediction_cells(prediction: dict[str, Any] | None) -> PredictionCells:
    """Percentages with one decimal; "not explained" naming the side whose typing no pair of
    haplotypes of its set explains (then the allele-level count is the only figure); "–" when
    no set covers the patient or the unit."""
    if prediction is None:
        return PredictionCells(
            "–",
            "–",
            str(_("No haplotype frequency set covers the patient or this unit: no prediction.")),
            "none",
        )
    if prediction["inexplicable"]:
        sides = ", ".join(str(SIDES[side]) for side in prediction["inexplicable"])
        word = str(_("not explained"))
        title = str(
            _(
                "No pair of haplotypes in the set explains %(sides)s typing: no prediction; "
                "only the allele-level match counts."
            )
        ) % {"sides": sides}
        return PredictionCells(word, word, title, "inexplicable")
    ten, eight = prediction["ten"], prediction["eight"]
    patient_set = prediction["haplotype_set"]["label"]
    donor_set = prediction["donor_haplotype_set"]["label"]
    if patient_set == donor_set:
        title = str(_("Predicted with the haplotype frequency set %(set)s.")) % {"set": donor_set}
    else:
        title = str(
            _(
                "Predicted with the haplotype frequency sets %(patient)s (the patient's "
                "population) and %(donor)s (the unit's), compared allele by allele."
            )
        ) % {"patient": patient_set, "donor": donor_set}
    return PredictionCells(
        "–" if ten is None else percent(ten["p0"]),
        "–" if eight is None else percent(eight["p0"]),
        title,
        "shown",
    )


@dataclass(frozen=True)
class Flag:
    code: str
    label: str
    title: str
    good: bool


def flags_of(flags: dict[str, bool]) -> list[Flag]:
    """The flags that are on, as words (good ones first). A unit enough on its own is not also
    said to fit a double graft."""
    hidden = {"double_unit_eligible"} if flags.get("single_unit_adequate") else set()
    shown = [
        Flag(code, str(FLAGS[code][0]), str(FLAGS[code][1]), FLAGS[code][2])
        for code, on in flags.items()
        if on and code in FLAGS and code not in hidden
    ]
    return sorted(shown, key=lambda flag: not flag.good)


def abo_compatibility_words(code: str) -> tuple[str, str]:
    label, title = ABO_WORDS.get(code, ABO_WORDS["unknown"])
    return str(label), str(title)


LEGEND = (
    (
        "match",
        pgettext_lazy("HLA", "Match"),
        _("Allele, protein, G or P group match, typed unambiguously."),
    ),
    (
        "potential",
        _("Potential or low-resolution match"),
        _("The typings may match: ambiguous, first-field or serology typing."),
    ),
    (
        "mismatch",
        pgettext_lazy("HLA", "Mismatch"),
        _("No shared allele group at one or both positions."),
    ),
    ("untyped", _("Not typed"), _("The locus is not typed for the patient or the unit.")),
)


def criteria_words(criteria: dict[str, Any]) -> str:
    """A saved search's criteria in a line: "Cord blood, at least 4/8 (A, B, C, DRB1) ..."."""
    donor_type = criteria.get("donor_type", "cord")
    parts = []
    if donor_type in ("cord", "both"):
        if criteria.get("cord_rule") == "6locus":
            minimum = criteria.get("cord_min_matches", 4)
            parts.append(
                str(_("cord blood, at least %(n)s/6 (A, B antigen, DRB1 allele)")) % {"n": minimum}
            )
        else:
            minimum = criteria.get("cord_min_matches", 4)
            parts.append(str(_("cord blood, at least %(n)s/8 (A, B, C, DRB1)")) % {"n": minimum})
    if donor_type in ("adult", "both"):
        parts.append(str(_("adult donors, %(rule)s")) % {"rule": criteria.get("adult_rule", "8/8")})
    if criteria.get("dsa_policy", "exclude") == "exclude":
        parts.append(str(_("units with antibody targets left out")))
    else:
        parts.append(str(_("units with antibody targets shown, flagged")))
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def typing_rows(per_locus: dict[str, str]) -> list[dict[str, Any]]:
    """A typing as a table: per locus its two positions (to break lines between them, never
    inside an allele), whether they are the same (one allele given is read as homozygous: the
    page says so rather than silently doubling it) and its resolution in words."""
    rows = []
    for locus in LOCI:
        text = per_locus.get(locus, "")
        positions = text.split("+") if text else []
        rows.append(
            {
                "locus": locus,
                "text": text,
                "positions": positions,
                "homozygous": len(positions) == 2 and positions[0] == positions[1],
                "resolution": RESOLUTION_WORDS[resolution_of(text)],
            }
        )
    return rows


UPLOAD_NOTES = {"full upload": _("full upload"), "delta upload": _("delta upload")}


def event_note(kind: str, note: str) -> str:
    """A unit event's note in the reader's language. The notes the platform writes itself are
    stored in English ("for UHTC/P-001", "full upload") and said again here; a note a person
    wrote stays as written."""
    if kind == "reserved" and note.startswith("for "):
        return str(_("for %(patient)s")) % {"patient": note.removeprefix("for ")}
    if kind == "withdrawn" and note in UPLOAD_NOTES:
        return str(UPLOAD_NOTES[note])
    return note
