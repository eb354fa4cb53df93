"""The haplobank plan of a population's set in use, the network's HLA-homozygous holdings, and
the holdings that serve a patient.

A plan collapses the set to the planned loci and resolution and ranks the haplotypes
(`stemhub.hla.haplobank`). Holdings are the pluripotent lines the viewer may see (published
lines, and their own institution's drafts with registry.view_internal) and the cord units still
in the network (not withdrawn, not infused), each typing read by the engine at the set's keys:
homozygous at every planned locus for certain, or possibly (an allele list, a MAC or serology
leaves room for it). Typings the engine cannot read are counted, never guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from stemhub.accounts.permissions import Perm, user_can
from stemhub.cordblood.models import Kind, Patient, Unit, UnitStatus
from stemhub.core.errors import InvalidInput, NotFound
from stemhub.core.hla import engine as hla_engine
from stemhub.hla import HLAError, Typing
from stemhub.hla.haplobank import (
    Homozygosity,
    HomozygosityReader,
    PlannedLine,
    PlanResolution,
    coverage,
    haplobank_plan,
    set_frequencies,
)
from stemhub.populations.models import HaplotypeSet, Population
from stemhub.populations.selectors import default_population, engine_set, in_use, set_for
from stemhub.registry.models import CellLine, Status
from stemhub.registry.selectors import visible_lines

DEFAULT_LOCI = ("A", "B", "DRB1")
LOCI_CHOICES = (DEFAULT_LOCI, ("A", "B", "C", "DRB1"), ("A", "C", "B", "DRB1", "DQB1"))
RESOLUTIONS: tuple[PlanResolution, ...] = ("set", "first_field")
DEFAULT_TOP, MAX_TOP = 50, 500
# Units no longer in the network: given to a patient, or withdrawn by their bank.
GONE = (UnitStatus.WITHDRAWN, UnitStatus.INFUSED)
SHOWN = 3  # cord units listed per haplotype on the page, the largest first (the API lists all)
CSV_HEADER = ("rank", "haplotype", "frequency", "coverage", "cumulative_coverage")


@dataclass(frozen=True)
class PlanRequest:
    population: Population
    haplotype_set: HaplotypeSet
    loci: tuple[str, ...]
    resolution: PlanResolution
    top: int


def _top(value: Any) -> int:
    if value in (None, ""):
        return DEFAULT_TOP
    try:
        top = int(value)
    except (TypeError, ValueError):
        top = 0
    if not 1 <= top <= MAX_TOP:
        message = _("top: give a whole number of lines from 1 to %(max)s, not %(value)s.") % {
            "max": MAX_TOP,
            "value": value,
        }
        raise InvalidInput(message, fields={"top": [message]})
    return top


def plan_request(
    *, population: str | None, loci: str | None, resolution: str | None, top: Any
) -> PlanRequest:
    """The plan asked for, every parameter checked: the population by its code (none: the
    default), loci of its set (comma-separated), a resolution, 1 to 500 lines. Bad input names
    the parameter (400); an unknown population, or one without a set, answers 404 (saying who
    loads a set)."""
    code = (population or "").strip().upper()
    found = Population.objects.filter(code=code).first() if code else default_population()
    if found is None:
        known = ", ".join(Population.objects.values_list("code", flat=True)) or _("none yet")
        message = (
            _("population: no population %(code)s (known: %(known)s).")
            % {"code": code, "known": known}
            if code
            else _("population: no default population is set (known: %(known)s).")
            % {"known": known}
        )
        raise NotFound(message, fields={"population": [message]})
    haplotype_set = in_use(found)
    if haplotype_set is None:
        raise NotFound(no_set_words(found))
    set_loci = tuple(haplotype_set.loci.split("~"))
    chosen = tuple(x.strip().upper() for x in (loci or ",".join(DEFAULT_LOCI)).split(",") if x)
    wrong = [locus for locus in chosen if locus not in set_loci]
    if not chosen or wrong or len(set(chosen)) != len(chosen):
        message = _(
            "loci: give distinct loci of the set %(set)s, separated by commas (it has %(loci)s)."
        ) % {"set": haplotype_set.label, "loci": ", ".join(set_loci)}
        raise InvalidInput(message, fields={"loci": [message]})
    wanted = resolution or "set"
    if wanted not in RESOLUTIONS:
        message = _("resolution: one of %(choices)s, not %(value)s.") % {
            "choices": ", ".join(RESOLUTIONS),
            "value": wanted,
        }
        raise InvalidInput(message, fields={"resolution": [message]})
    return PlanRequest(found, haplotype_set, chosen, wanted, _top(top))


def no_set_words(population: Population) -> str:
    return _(
        "%(population)s has no haplotype frequency set loaded yet. A platform admin loads one "
        "under Haplotype frequencies; until then there is nothing to plan."
    ) % {"population": population.display_name}


def loci_choices(haplotype_set: HaplotypeSet) -> list[tuple[str, ...]]:
    """The planned loci the page offers: those of the usual choices the set has."""
    set_loci = set(haplotype_set.loci.split("~"))
    return [choice for choice in LOCI_CHOICES if set(choice) <= set_loci]


# ---- holdings ------------------------------------------------------------------------------------


@dataclass
class Holding:
    """A line or a cord unit whose typing is (possibly) homozygous at the planned loci."""

    kind: Literal["line", "unit"]
    label: str
    url: str
    where: str  # the institution or bank
    status: str  # in words
    homozygosity: Homozygosity
    tnc: float | None = None
    cd34: float | None = None
    pk: int = 0

    @property
    def haplotype(self) -> str | None:
        return self.homozygosity.haplotype


@dataclass
class Holdings:
    homozygous: dict[str, list[Holding]] = field(default_factory=lambda: defaultdict(list))
    possibly: list[Holding] = field(default_factory=list)
    unreadable: int = 0  # typings the engine refused

    def held(self, haplotype: str) -> list[Holding]:
        return self.homozygous.get(haplotype, [])

    def maybe(self, haplotype: str) -> list[Holding]:
        return [h for h in self.possibly if h.homozygosity.could_be(haplotype)]


def _reader(request: PlanRequest) -> HomozygosityReader:
    frequencies = engine_set(request.haplotype_set)
    return HomozygosityReader(hla_engine().tables, frequencies, request.loci, request.resolution)


class _Parsed:
    """Each distinct typing parsed once per request."""

    def __init__(self) -> None:
        self.engine = hla_engine()
        self.seen: dict[str, Typing | None] = {}

    def __call__(self, gl: str) -> Typing | None:
        if gl not in self.seen:
            try:
                self.seen[gl] = self.engine.parse(gl)
            except HLAError:
                self.seen[gl] = None
        return self.seen[gl]


def _line_url(line: CellLine) -> str:
    if line.status == Status.PUBLISHED:
        return reverse("registry:public_line", args=[line.name])
    return reverse("registry:staff_line", args=[line.name])


def _lines(user: Any) -> Iterable[tuple[CellLine, str]]:
    found = (
        visible_lines(user)
        .filter(Q(hla_typing__gt="") | Q(donor__hla_typing__gt=""))
        .select_related("institution", "donor")
        .order_by("name")
    )
    for line in found:
        gl = line.hla_typing.strip() or (line.donor.hla_typing.strip() if line.donor else "")
        if gl:
            yield line, gl


def _line_status(line: CellLine) -> str:
    if line.status != Status.PUBLISHED:
        return str(line.get_status_display())
    return str(line.get_availability_display())


def holdings(user: Any, request: PlanRequest, reader: HomozygosityReader | None = None) -> Holdings:
    """Every (possibly) homozygous line the user may see and cord unit still in the network."""
    reader = reader or _reader(request)
    parse = _Parsed()
    found = Holdings()
    can_open_units = user_can(user, Perm.CORD_SEARCH)

    def place(holding: Holding) -> None:
        verdict = holding.homozygosity.verdict
        if verdict == "homozygous":
            found.homozygous[holding.homozygosity.haplotype or ""].append(holding)
        elif verdict == "possibly":
            found.possibly.append(holding)

    for line, gl in _lines(user):
        typing = parse(gl)
        if typing is None:
            found.unreadable += 1
            continue
        place(
            Holding(
                "line",
                line.name,
                _line_url(line),
                line.institution.display_name,
                _line_status(line),
                reader.read(typing),
                pk=line.pk,
            )
        )
    units = (
        Unit.objects.filter(kind=Kind.CORD)
        .exclude(status__in=GONE)
        .exclude(hla_gl="")
        .select_related("bank")
        .order_by("bank__provider_code", "local_id")
    )
    for unit in units:
        typing = parse(unit.hla_gl)
        if typing is None:
            found.unreadable += 1
            continue
        opens = can_open_units or user_can(user, Perm.CORD_MANAGE, unit.bank_id)
        place(
            Holding(
                "unit",
                str(unit),
                reverse("cordblood:unit", args=[unit.pk]) if opens else "",
                unit.bank.display_name,
                str(unit.get_status_display()),
                reader.read(typing),
                tnc=unit.tnc,
                cd34=unit.cd34,
                pk=unit.pk,
            )
        )
    return found


# ---- the plan ------------------------------------------------------------------------------------


@dataclass
class PlanRow:
    line: PlannedLine
    lines: list[Holding]
    units: list[Holding]
    possibly: list[Holding]

    @property
    def held(self) -> bool:
        return bool(self.lines or self.units)

    @property
    def more_units(self) -> int:
        return max(len(self.units) - SHOWN, 0)

    @property
    def more_possibly(self) -> int:
        return max(len(self.possibly) - SHOWN, 0)

    @property
    def frequency_pct(self) -> float:
        return 100 * self.line.frequency

    @property
    def coverage_pct(self) -> float:
        return 100 * self.line.coverage

    @property
    def cumulative_pct(self) -> float:
        return 100 * self.line.cumulative_coverage


@dataclass
class Plan:
    request: PlanRequest
    haplotypes: int  # in the collapsed set
    rows: list[PlanRow]
    curve: list[float]  # cumulative coverage of the best 1, 2, ... lines
    held_by_lines: float  # coverage of the haplotypes homozygous lines already hold
    held_with_units: float  # ... lines or cord units
    held_haplotypes: int
    unreadable: int
    others: list[Holding]  # homozygous for a haplotype outside the set

    @property
    def missing(self) -> list[PlanRow]:
        return [row for row in self.rows if not row.held]

    @property
    def served_pct(self) -> float:
        return 100 * self.rows[-1].line.cumulative_coverage if self.rows else 0.0

    @property
    def held_by_lines_pct(self) -> float:
        return 100 * self.held_by_lines

    @property
    def held_with_units_pct(self) -> float:
        return 100 * self.held_with_units


def plan(user: Any, request: PlanRequest) -> Plan:
    frequencies = set_frequencies(
        engine_set(request.haplotype_set), request.loci, request.resolution
    )
    ranked = haplobank_plan(frequencies)
    found = holdings(user, request)
    by_lines = {h for h, held in found.homozygous.items() if any(x.kind == "line" for x in held)}
    held = set(found.homozygous)
    rows = [
        PlanRow(
            line,
            [h for h in found.held(line.haplotype) if h.kind == "line"],
            sorted(
                (h for h in found.held(line.haplotype) if h.kind == "unit"),
                key=lambda h: -(h.tnc or 0.0),
            ),
            found.maybe(line.haplotype),
        )
        for line in ranked[: request.top]
    ]
    return Plan(
        request=request,
        haplotypes=len(frequencies),
        rows=rows,
        curve=[line.cumulative_coverage for line in ranked[: max(request.top, 100)]],
        held_by_lines=coverage(sum(f for h, f in frequencies.items() if h in by_lines)),
        held_with_units=coverage(sum(f for h, f in frequencies.items() if h in held)),
        held_haplotypes=len(held & frequencies.keys()),
        unreadable=found.unreadable,
        others=[x for h, xs in found.homozygous.items() if h not in frequencies for x in xs],
    )


def plan_csv_rows(found: Plan) -> list[list[Any]]:
    return [
        [
            row.line.rank,
            row.line.haplotype,
            f"{row.line.frequency:.6g}",
            f"{row.line.coverage:.6g}",
            f"{row.line.cumulative_coverage:.6g}",
        ]
        for row in found.rows
    ]


# ---- a patient -----------------------------------------------------------------------------------


@dataclass
class PatientMatch:
    holding: Holding
    carries: Literal["yes", "maybe"]
    probability: float | None  # from the imputation, when the typing leaves it open

    @property
    def probability_pct(self) -> float | None:
        return None if self.probability is None else 100 * self.probability


@dataclass
class PatientView:
    patient: Patient
    request: PlanRequest | None
    matches: list[PatientMatch]
    inexplicable: bool = False
    unreadable_typing: bool = False


def patient_view(user: Any, patient: Patient, *, loci: str | None = None) -> PatientView:
    """The homozygous lines and cord units whose alleles the patient holds at every planned
    locus (no host-versus-graft mismatch), with the set of the patient's population: those
    certain first, then those an ambiguous typing allows, with the imputed probability."""
    haplotype_set = set_for(patient.population_id)
    if haplotype_set is None:
        return PatientView(patient, None, [])
    request = plan_request(
        population=haplotype_set.population.code, loci=loci, resolution="set", top=None
    )
    try:
        typing = hla_engine().parse(patient.hla_gl)
    except HLAError:
        return PatientView(patient, request, [], unreadable_typing=True)
    reader = _reader(request)
    found = holdings(user, request, reader)
    imputation = None
    matches: list[PatientMatch] = []
    for haplotype, held in sorted(found.homozygous.items()):
        carries = reader.carries(typing, haplotype)
        if carries == "no":
            continue
        probability = None
        if carries == "maybe":
            if imputation is None:
                imputation = hla_engine().impute(typing, reader.frequencies)
            probability = (
                None
                if imputation.inexplicable
                else reader.carrying_probability(imputation, haplotype)
            )
        matches.extend(PatientMatch(h, carries, probability) for h in held)
    matches.sort(
        key=lambda m: (
            m.carries != "yes",
            -(m.probability or 0.0),
            m.holding.kind != "line",
            m.holding.label,
        )
    )
    return PatientView(
        patient,
        request,
        matches,
        inexplicable=imputation is not None and imputation.inexplicable,
    )
