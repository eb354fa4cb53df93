"""Internal QC and proficiency testing over HTTP. Reading needs qms.view, recording runs and
PT results qms.record, defining materials and schemes and reviewing qms.manage, each in the
record's institution."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from stemhub.accounts.permissions import Perm, is_platform_admin, user_can
from stemhub.core.api import AUTHENTICATED, Day, Limit, Words, one_of
from stemhub.core.errors import Forbidden, InvalidInput, NotFound
from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.qms import iqc
from stemhub.qms.models import (
    Assay,
    ControlMaterial,
    ControlRun,
    ProficiencyRound,
    ProficiencyScheme,
)

router = Router(tags=["qms"])


class MaterialIn(Schema):
    assay: str = one_of(Assay.values)
    name: str = Field(min_length=1, max_length=120)
    level: int = Field(1, ge=1, le=3)
    lot: str = Field(min_length=1, max_length=60)
    target_mean: Limit
    target_sd: Limit
    unit: str = ""
    valid_from: Day
    valid_to: Day | None = None
    qc_test_id: int | None = None
    instrument_id: int | None = None


class MaterialOut(Schema):
    id: int
    institution: str
    assay: str
    name: str
    level: int
    lot: str
    target_mean: Decimal
    target_sd: Decimal
    unit: str
    valid_from: date
    valid_to: date | None
    instrument_id: int | None
    qc_test_id: int | None


class RunIn(Schema):
    value: Limit
    run_at: datetime
    other_material_id: int | None = None
    other_value: Limit | None = None
    instrument_id: int | None = None
    comment: str = ""


class CorrectionIn(Schema):
    value: Limit
    reason: Words


class RunOut(Schema):
    id: int
    material_id: int
    analytical_run: uuid.UUID
    value: Decimal
    run_at: datetime
    operator: str
    accepted: bool
    rules_violated: list[str]
    earlier_runs: list[int]
    comment: str
    corrects_id: int | None
    correction_reason: str


class RecordedOut(Schema):
    runs: list[RunOut]
    accepted: bool
    rules_violated: list[str]
    explanation: str
    capa: str | None


class SchemeIn(Schema):
    provider: str = Field(min_length=1, max_length=120)
    name: str = Field(min_length=1, max_length=200)
    assay: str = one_of(Assay.values)
    unit: str = ""


class SchemeOut(Schema):
    id: int
    institution: str
    provider: str
    name: str
    assay: str
    unit: str


class RoundIn(Schema):
    scheme_id: int
    round_code: str = Field(min_length=1, max_length=40)
    sample_id: str = Field(min_length=1, max_length=60)
    received_on: Day
    due_on: Day


class ProficiencyResultIn(Schema):
    result: Limit
    returned_on: Day | None = None
    assigned_value: Limit | None = None
    sigma_pt: Limit | None = None
    comment: str = ""


class ProficiencyReviewIn(Schema):
    note: Words


class RoundOut(Schema):
    id: int
    scheme_id: int
    scheme: str
    round_code: str
    sample_id: str
    received_on: date
    due_on: date
    returned_on: date | None
    result: Decimal | None
    assigned_value: Decimal | None
    sigma_pt: Decimal | None
    unit: str
    z: Decimal | None
    grade: str
    needs_review: bool
    capa: str | None


def _viewer(request: HttpRequest) -> None:
    if not user_can(request.user, Perm.QMS_VIEW):
        raise Forbidden(_("Internal QC and proficiency testing need the permission qms.view."))


def _materials(request: AuthenticatedHttpRequest) -> QuerySet[ControlMaterial]:
    _viewer(request)
    rows = ControlMaterial.objects.select_related("institution")
    if is_platform_admin(request.user):
        return rows
    return rows.filter(institution_id=request.user.institution_id or 0)


def _material(request: AuthenticatedHttpRequest, pk: int) -> ControlMaterial:
    found = _materials(request).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such control material"))
    return found


def _schemes(request: AuthenticatedHttpRequest) -> QuerySet[ProficiencyScheme]:
    _viewer(request)
    rows = ProficiencyScheme.objects.select_related("institution")
    if is_platform_admin(request.user):
        return rows
    return rows.filter(institution_id=request.user.institution_id or 0)


def _round(request: AuthenticatedHttpRequest, pk: int) -> ProficiencyRound:
    found = (
        ProficiencyRound.objects.filter(scheme__in=_schemes(request), pk=pk)
        .select_related("scheme")
        .first()
    )
    if found is None:
        raise NotFound(_("No such proficiency-testing round"))
    return found


def _own_institution(request: AuthenticatedHttpRequest) -> int:
    if request.user.institution_id is None:
        raise Forbidden(_("You belong to no institution."))
    return int(request.user.institution_id)


def _material_out(m: ControlMaterial) -> dict[str, Any]:
    return {
        **{f: getattr(m, f) for f in MaterialOut.model_fields if f != "institution"},
        "institution": m.institution.provider_code,
    }


def _run_out(r: ControlRun) -> dict[str, Any]:
    return {
        **{f: getattr(r, f) for f in RunOut.model_fields if f != "operator"},
        "operator": r.operator.display_name,
    }


def _round_out(r: ProficiencyRound, capa: Any = None) -> dict[str, Any]:
    return {
        **{
            f: getattr(r, f)
            for f in RoundOut.model_fields
            if f not in {"scheme", "unit", "capa", "needs_review"}
        },
        "scheme": str(r.scheme),
        "unit": r.scheme.unit,
        "needs_review": r.needs_review,
        "capa": capa.number if capa is not None else None,
    }


@router.get("/qms/iqc/materials", response=list[MaterialOut], auth=AUTHENTICATED)
def iqc_material_list(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """Needs qms.view: your institution's control materials."""
    return [_material_out(m) for m in _materials(request).order_by("assay", "level", "lot")]


@router.post("/qms/iqc/materials", response={201: MaterialOut}, auth=AUTHENTICATED)
def iqc_material_define(
    request: AuthenticatedHttpRequest, payload: MaterialIn
) -> Status[dict[str, Any]]:
    """Needs qms.manage in your institution: define a control material."""
    material = iqc.control_material_define(
        actor=request.user, institution_id=_own_institution(request), **payload.dict()
    )
    return Status(201, _material_out(material))


@router.get("/qms/iqc/materials/{material_id}/runs", response=list[RunOut], auth=AUTHENTICATED)
def iqc_run_list(request: AuthenticatedHttpRequest, material_id: int) -> list[dict[str, Any]]:
    """Needs qms.view for the material's institution: its runs in date order, corrections
    in place of the runs they correct."""
    material = _material(request, material_id)
    runs = iqc.effective_runs().filter(material=material).select_related("operator")
    return [_run_out(r) for r in runs.order_by("run_at", "id")]


def _recorded(recorded: iqc.Recorded) -> dict[str, Any]:
    return {
        "runs": [_run_out(r) for r in recorded.runs],
        "accepted": recorded.accepted,
        "rules_violated": recorded.rules,
        "explanation": recorded.explanation,
        "capa": recorded.capa.number if recorded.capa is not None else None,
    }


@router.post(
    "/qms/iqc/materials/{material_id}/runs", response={201: RecordedOut}, auth=AUTHENTICATED
)
def iqc_run_record(
    request: AuthenticatedHttpRequest, material_id: int, payload: RunIn
) -> Status[dict[str, Any]]:
    """Needs qms.record for the material's institution: record a control run (and another
    level measured in it), judged by the Westgard rules."""
    material = _material(request, material_id)
    other = None
    if payload.other_material_id is not None:
        other = _materials(request).filter(pk=payload.other_material_id).first()
        if other is None or payload.other_value is None:
            raise InvalidInput(
                _("Give the other level's material and value"),
                fields={"other_material_id": [_("another level of this assay, with its value")]},
            )
    recorded = iqc.control_run_record(
        actor=request.user,
        material=material,
        value=payload.value,
        run_at=payload.run_at,
        other_material=other,
        other_value=payload.other_value,
        instrument_id=payload.instrument_id,
        comment=payload.comment,
    )
    return Status(201, _recorded(recorded))


@router.post("/qms/iqc/runs/{run_id}/correction", response={201: RecordedOut},
             auth=AUTHENTICATED)  # fmt: skip
def iqc_run_correct(
    request: AuthenticatedHttpRequest, run_id: int, payload: CorrectionIn
) -> Status[dict[str, Any]]:
    """Needs qms.record for the run's institution: correct a run's value by a new run that
    names it and says why."""
    run = (
        ControlRun.objects.filter(material__in=_materials(request), pk=run_id)
        .select_related("material")
        .first()
    )
    if run is None:
        raise NotFound(_("No such control run"))
    recorded = iqc.control_run_correct(
        actor=request.user, run=run, value=payload.value, reason=payload.reason
    )
    return Status(201, _recorded(recorded))


@router.get("/qms/proficiency/schemes", response=list[SchemeOut], auth=AUTHENTICATED)
def pt_scheme_list(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """Needs qms.view: your institution's proficiency-testing schemes."""
    return [
        {**{f: getattr(s, f) for f in SchemeOut.model_fields if f != "institution"},
         "institution": s.institution.provider_code}
        for s in _schemes(request).order_by("provider", "name")
    ]  # fmt: skip


@router.post("/qms/proficiency/schemes", response={201: SchemeOut}, auth=AUTHENTICATED)
def pt_scheme_create(
    request: AuthenticatedHttpRequest, payload: SchemeIn
) -> Status[dict[str, Any]]:
    """Needs qms.manage in your institution: join a proficiency-testing scheme."""
    scheme = iqc.proficiency_scheme_create(
        actor=request.user, institution_id=_own_institution(request), **payload.dict()
    )
    return Status(
        201,
        {**{f: getattr(scheme, f) for f in SchemeOut.model_fields if f != "institution"},
         "institution": scheme.institution.provider_code},
    )  # fmt: skip


@router.get("/qms/proficiency/rounds", response=list[RoundOut], auth=AUTHENTICATED)
def pt_round_list(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """Needs qms.view: the rounds of your institution's schemes, newest first, with z-score,
    grade and the CAPA an unsatisfactory one opened."""
    rounds = list(
        ProficiencyRound.objects.filter(scheme__in=_schemes(request))
        .select_related("scheme")
        .order_by("-received_on", "-id")
    )
    capas = iqc.capas_for_rounds(rounds)
    return [_round_out(r, capas.get(r.pk)) for r in rounds]


@router.post("/qms/proficiency/rounds", response={201: RoundOut}, auth=AUTHENTICATED)
def pt_round_register(
    request: AuthenticatedHttpRequest, payload: RoundIn
) -> Status[dict[str, Any]]:
    """Needs qms.record in the scheme's institution: register a round's sample."""
    scheme = _schemes(request).filter(pk=payload.scheme_id).first()
    if scheme is None:
        raise NotFound(_("No such proficiency-testing scheme"))
    data = payload.dict()
    data.pop("scheme_id")
    pt_round = iqc.proficiency_round_register(actor=request.user, scheme=scheme, **data)
    return Status(201, _round_out(pt_round))


@router.post("/qms/proficiency/rounds/{round_id}/result", response=RoundOut,
             auth=AUTHENTICATED)  # fmt: skip
def pt_result_enter(
    request: AuthenticatedHttpRequest, round_id: int, payload: ProficiencyResultIn
) -> dict[str, Any]:
    """Needs qms.record in the scheme's institution: our result, and the assigned value and
    σpt once reported; scored z = (x − X) / σpt and graded when all three are known."""
    scored = iqc.proficiency_result_enter(
        actor=request.user, pt_round=_round(request, round_id), **payload.dict()
    )
    return _round_out(scored.round, scored.capa)


@router.post("/qms/proficiency/rounds/{round_id}/review", response=RoundOut,
             auth=AUTHENTICATED)  # fmt: skip
def pt_round_review(
    request: AuthenticatedHttpRequest, round_id: int, payload: ProficiencyReviewIn
) -> dict[str, Any]:
    """Needs qms.manage in the scheme's institution: record the review of a questionable
    result."""
    pt_round = _round(request, round_id)
    iqc.proficiency_round_review(actor=request.user, pt_round=pt_round, note=payload.note)
    pt_round.refresh_from_db()
    return _round_out(pt_round)
