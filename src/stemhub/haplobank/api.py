"""/api/v1/haplobank/...: the plan of a population's set, and the homozygous holdings that serve
a cord blood patient."""

from typing import Any, Literal

from ninja import Field, Query, Router, Schema

from stemhub.accounts.permissions import Perm, require
from stemhub.cordblood.services import patient_of
from stemhub.core.api import AUTHENTICATED, one_of
from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.haplobank import selectors
from stemhub.haplobank.selectors import Holding

router = Router(tags=["haplobank"])


class PlanQuery(Schema):
    population: str = Field("", description="A population's code; blank: the default population")
    loci: str = Field(
        ",".join(selectors.DEFAULT_LOCI),
        description="Loci of the set, comma-separated",
    )
    resolution: str = one_of(selectors.RESOLUTIONS, "set")
    top: int = Field(selectors.DEFAULT_TOP, ge=1, le=500, description="How many lines")


class FrequencySetOut(Schema):
    id: int
    label: str
    population: str
    version: int
    source: str
    sample_size: int | None
    imgt_release: str
    resolution: str
    loci: list[str]
    haplotypes: int


class HoldingOut(Schema):
    kind: Literal["line", "unit"]
    id: int
    name: str
    held_by: str
    status: str
    homozygous_for: str | None
    tnc: float | None = None
    cd34: float | None = None


class PlannedLineOut(Schema):
    rank: int
    haplotype: str
    frequency: float
    coverage: float
    cumulative_coverage: float
    lines: list[HoldingOut]
    units: list[HoldingOut]
    possibly: list[HoldingOut]


class PlanOut(Schema):
    """Shares are fractions of 1; `held_by_lines` and `held_with_units`: the coverage the
    network's homozygous lines (and lines with cord units) already give."""

    frequency_set: FrequencySetOut
    loci: list[str]
    resolution: str
    top: int
    haplotypes: int
    coverage: float
    held_by_lines: float
    held_with_units: float
    lines: list[PlannedLineOut]


class PatientMatchOut(Schema):
    holding: HoldingOut
    carries: Literal["yes", "maybe"]
    probability: float | None


class PatientHoldingsOut(Schema):
    """`carries` yes: the patient's typing holds the line's alleles at every locus; maybe: an
    ambiguous typing allows it, with the imputed `probability` (null when inexplicable).
    `typing_unreadable`: the engine cannot read the patient's typing (no matches)."""

    patient: int
    frequency_set: FrequencySetOut | None
    loci: list[str]
    inexplicable: bool
    typing_unreadable: bool
    matches: list[PatientMatchOut]


def _set(request: selectors.PlanRequest) -> dict[str, Any]:
    s = request.haplotype_set
    return {
        "id": s.pk,
        "label": s.label,
        "population": request.population.code,
        "version": s.version,
        "source": s.source,
        "sample_size": s.sample_size,
        "imgt_release": s.imgt_release,
        "resolution": s.resolution,
        "loci": s.loci.split("~"),
        "haplotypes": s.haplotype_count,
    }


def _holding(h: Holding) -> dict[str, Any]:
    return {
        "kind": h.kind,
        "id": h.pk,
        "name": h.label,
        "held_by": h.where,
        "status": h.status,
        "homozygous_for": h.haplotype,
        "tnc": h.tnc,
        "cd34": h.cd34,
    }


@router.get("/haplobank/plan", auth=AUTHENTICATED, response=PlanOut)
def plan(request: AuthenticatedHttpRequest, query: Query[PlanQuery]) -> dict[str, Any]:
    """Needs populations.view: the best `top` (1–500) homozygous lines for a population's set
    in use (`population` code, default: the default population) at `loci` (comma-separated, of
    the set) and `resolution` (set or first_field), with the network's holdings."""
    require(request.user, Perm.POPULATIONS_VIEW)
    asked = selectors.plan_request(
        population=query.population, loci=query.loci, resolution=query.resolution, top=query.top
    )
    found = selectors.plan(request.user, asked)
    return {
        "frequency_set": _set(asked),
        "loci": list(asked.loci),
        "resolution": asked.resolution,
        "top": asked.top,
        "haplotypes": found.haplotypes,
        "coverage": found.rows[-1].line.cumulative_coverage if found.rows else 0.0,
        "held_by_lines": found.held_by_lines,
        "held_with_units": found.held_with_units,
        "lines": [
            {
                "rank": row.line.rank,
                "haplotype": row.line.haplotype,
                "frequency": row.line.frequency,
                "coverage": row.line.coverage,
                "cumulative_coverage": row.line.cumulative_coverage,
                "lines": [_holding(h) for h in row.lines],
                "units": [_holding(h) for h in row.units],
                "possibly": [_holding(h) for h in row.possibly],
            }
            for row in found.rows
        ],
    }


@router.get("/haplobank/patients/{patient_id}", auth=AUTHENTICATED, response=PatientHoldingsOut)
def patient(request: AuthenticatedHttpRequest, patient_id: int) -> dict[str, Any]:
    """Needs cordblood.search at the patient's centre: the homozygous lines and cord units whose
    alleles the patient holds at A, B and DRB1, read with the set of the patient's population."""
    found = patient_of(request.user, patient_id)
    view = selectors.patient_view(request.user, found)
    return {
        "patient": found.pk,
        "frequency_set": _set(view.request) if view.request else None,
        "loci": list(view.request.loci) if view.request else list(selectors.DEFAULT_LOCI),
        "inexplicable": view.inexplicable,
        "typing_unreadable": view.unreadable_typing,
        "matches": [
            {"holding": _holding(m.holding), "carries": m.carries, "probability": m.probability}
            for m in view.matches
        ],
    }
