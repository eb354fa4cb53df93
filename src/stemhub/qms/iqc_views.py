"""Pages of internal QC and proficiency testing: the QC overview (each control material, its
last run and its Levey–Jennings chart), a material's page (chart for a period, its runs with
the rules in words, the run entry form), and the proficiency-testing page (schemes, rounds
with z-scores and grades, entry forms)."""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from stemhub.accounts.permissions import Perm, is_platform_admin, user_can
from stemhub.core.errors import InvalidInput, NotFound, StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest, page
from stemhub.equipment.models import Equipment
from stemhub.qms import iqc
from stemhub.qms.capa_selectors import capa_url
from stemhub.qms.charts import Chart, ChartPoint, levey_jennings_svg
from stemhub.qms.models import (
    Assay,
    ControlMaterial,
    ControlRun,
    Grade,
    ProficiencyRound,
    ProficiencyScheme,
)

qms_viewers_only = page(Perm.QMS_VIEW, what=gettext_lazy("Internal QC"))
pt_viewers_only = page(Perm.QMS_VIEW, what=gettext_lazy("Proficiency testing"))
OVERVIEW_DAYS = 90
DEFAULT_DAYS = 365
LISTED_LATEST = 20  # runs listed on a material's page besides those that broke a rule

LABELS = {
    "value": gettext_lazy("Value"),
    "other_value": gettext_lazy("Other level's value"),
    "other_material": gettext_lazy("Other level"),
    "run_at": gettext_lazy("Run on"),
    "assay": gettext_lazy("Assay"),
    "name": gettext_lazy("Name"),
    "level": gettext_lazy("Level"),
    "lot": gettext_lazy("Lot"),
    "target_mean": gettext_lazy("Target mean"),
    "target_sd": gettext_lazy("Target SD"),
    "unit": gettext_lazy("Unit"),
    "valid_from": gettext_lazy("Valid from"),
    "valid_to": gettext_lazy("Valid to"),
    "instrument": gettext_lazy("Instrument"),
    "provider": gettext_lazy("Provider"),
    "round_code": gettext_lazy("Round"),
    "sample_id": gettext_lazy("Sample"),
    "received_on": gettext_lazy("Received on"),
    "due_on": gettext_lazy("Result due on"),
    "result": gettext_lazy("Our result"),
    "returned_on": gettext_lazy("Returned on"),
    "assigned_value": gettext_lazy("Assigned value"),
    "sigma_pt": gettext_lazy("σpt"),
    "note": gettext_lazy("Review"),
    "scheme": gettext_lazy("Scheme"),
}
GRADE_BADGES = {
    Grade.SATISFACTORY: "status-published",
    Grade.QUESTIONABLE: "status-returned",
    Grade.UNSATISFACTORY: "availability-withdrawn",
}


def _institution_id(request: AuthenticatedHttpRequest) -> int | None:
    return request.user.institution_id


def _materials(request: AuthenticatedHttpRequest) -> QuerySet[ControlMaterial]:
    if is_platform_admin(request.user):
        return ControlMaterial.objects.select_related("instrument", "institution")
    return iqc.materials_of(request.user.institution_id or 0)


def _material_or_404(request: AuthenticatedHttpRequest, pk: int) -> ControlMaterial:
    material = _materials(request).filter(pk=pk).first()
    if material is None:
        raise NotFound(_("No such control material"))
    return material


def _day(value: str, field: str, *, required: bool = True) -> datetime.date | None:
    if not value.strip() and not required:
        return None
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            _("%(field)s is a date, YYYY-MM-DD") % {"field": LABELS.get(field, field)},
            fields={field: [_("a date, YYYY-MM-DD")]},
        ) from None


def _moment(value: str, field: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            _("%(field)s is a date and time") % {"field": LABELS.get(field, field)},
            fields={field: [_("a date and time, YYYY-MM-DD HH:MM")]},
        ) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _number(value: str, field: str) -> Decimal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise InvalidInput(
            _("%(field)s is a number") % {"field": LABELS.get(field, field)},
            fields={field: [_("a number, such as 92.5")]},
        )
    return number


def chart_for(
    material: ControlMaterial, runs: list[ControlRun], start: datetime.date, end: datetime.date
) -> Any:
    title = _("Levey–Jennings chart of %(material)s, %(start)s to %(end)s") % {
        "material": f"{material.name} L{material.level} ({material.lot})",
        "start": start,
        "end": end,
    }
    return levey_jennings_svg(
        Chart(
            title=title,
            mean=material.target_mean,
            sd=material.target_sd,
            unit=material.unit,
            points=[
                ChartPoint(
                    when=timezone.localtime(run.run_at),
                    value=run.value,
                    accepted=run.accepted,
                    rules=tuple(run.own_rules),
                    words=iqc.rule_words(run.own_rules),
                )
                for run in runs
            ],
            start=start,
            end=end,
        )
    )


def _runs_between(
    material: ControlMaterial, start: datetime.date, end: datetime.date
) -> list[ControlRun]:
    return list(
        iqc.effective_runs()
        .filter(material=material, run_at__date__gte=start, run_at__date__lte=end)
        .select_related("operator", "corrects", "material")
        .order_by("run_at", "id")
    )


@require_GET
@qms_viewers_only
def iqc_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.view: each control material of your institution in use, its last run, its
    state and its chart over the last 90 days."""
    return _overview_page(request)


def _overview_page(
    request: AuthenticatedHttpRequest, *, error: StemhubError | None = None
) -> HttpResponse:
    today = timezone.localdate()
    start = today - datetime.timedelta(days=OVERVIEW_DAYS)
    materials = list(
        _materials(request).exclude(valid_to__lt=today).order_by("assay", "level", "lot")
    )
    rows = []
    for material in materials:
        runs = _runs_between(material, start, today)
        last = runs[-1] if runs else None
        rows.append(
            {
                "material": material,
                "last": last,
                "last_words": iqc.verdict_words(last.own_rules, last.accepted) if last else "",
                "chart": chart_for(material, runs, start, today),
            }
        )
    institution_id = _institution_id(request)
    return render(
        request,
        "qms/iqc/overview.html",
        {
            "rows": rows,
            "can_manage": institution_id is not None
            and user_can(request.user, Perm.QMS_MANAGE, institution_id),
            "assays": Assay.choices,
            "instruments": Equipment.objects.filter(institution_id=institution_id).order_by("name")
            if institution_id
            else [],
            "days": OVERVIEW_DAYS,
            "values": request.POST if error is not None else {},
            "error": error,
            "bad": set(error.fields) if error is not None else set(),
            "labels": LABELS,
            "today": today,
        },
        status=error.status if error is not None else 200,
    )


@require_POST
@qms_viewers_only
def iqc_material_define(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.manage in your institution: define a control material (a lot at one level)."""
    data = request.POST
    institution_id = _institution_id(request)
    try:
        if institution_id is None:
            raise InvalidInput(_("You belong to no institution"))
        level_text = data.get("level", "1").strip()
        material = iqc.control_material_define(
            actor=request.user,
            institution_id=institution_id,
            assay=data.get("assay", ""),
            name=data.get("name", ""),
            level=int(level_text) if level_text.isdigit() else 0,
            lot=data.get("lot", ""),
            target_mean=_number(data.get("target_mean", ""), "target_mean"),
            target_sd=_number(data.get("target_sd", ""), "target_sd"),
            unit=data.get("unit", ""),
            valid_from=_day(data.get("valid_from", ""), "valid_from"),  # type: ignore[arg-type]
            valid_to=_day(data.get("valid_to", ""), "valid_to", required=False),
            instrument_id=int(data["instrument"]) if data.get("instrument", "").isdigit() else None,
        )
    except StemhubError as error:
        if error.status in (403, 404):
            raise
        return _overview_page(request, error=error)
    messages.success(request, _("Control material %(material)s defined.") % {"material": material})
    return redirect("qms:iqc_material", pk=material.pk)


@require_GET
@qms_viewers_only
def iqc_material(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.view for the material's institution: its chart for a period (`start`, `end`,
    the last year by default), its runs with the rules in words, and the run entry form."""
    return _material_page(request, _material_or_404(request, pk))


def _material_page(
    request: HttpRequest,
    material: ControlMaterial,
    *,
    error: StemhubError | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    try:
        end = _day(request.GET.get("end", ""), "end", required=False) or today
        start = _day(request.GET.get("start", ""), "start", required=False) or (
            end - datetime.timedelta(days=DEFAULT_DAYS)
        )
    except InvalidInput:
        end, start = today, today - datetime.timedelta(days=DEFAULT_DAYS)
    if start > end:
        start, end = end, start
    runs = _runs_between(material, start, end)
    others = (
        ControlMaterial.objects.filter(institution_id=material.institution_id, assay=material.assay)
        .exclude(level=material.level)
        .exclude(valid_to__lt=today)
        .order_by("level")
    )
    can_record = user_can(request.user, Perm.QMS_RECORD, material.institution_id)
    listed = runs
    if request.GET.get("all") != "1":
        latest = {run.pk for run in runs[-LISTED_LATEST:]}
        listed = [run for run in runs if run.pk in latest or run.own_rules]
    return render(
        request,
        "qms/iqc/material.html",
        {
            "material": material,
            "chart": chart_for(material, runs, start, end),
            "runs": [
                {
                    "run": run,
                    "z": (run.value - material.target_mean) / material.target_sd,
                    "words": iqc.rule_words(run.own_rules),
                }
                for run in reversed(listed)
            ],
            "hidden": len(runs) - len(listed),
            "start": start,
            "end": end,
            "others": others,
            "can_record": can_record,
            "now": timezone.localtime().strftime("%H:%M"),
            "today": today.isoformat(),
            "values": request.POST if error is not None else {},
            "error": error,
            "bad": set(error.fields) if error is not None else set(),
            "labels": LABELS,
        },
        status=error.status if error is not None else 200,
    )


@require_POST
@qms_viewers_only
def iqc_run_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.record for the material's institution: record a control run (this level's
    value, and optionally another level's measured in the same run)."""
    material = _material_or_404(request, pk)
    data = request.POST
    try:
        other = None
        if data.get("other_material", "").isdigit():
            other = ControlMaterial.objects.filter(
                pk=int(data["other_material"]), institution_id=material.institution_id
            ).first()
            if other is None:
                raise InvalidInput(
                    _("No such control material"), fields={"other_material": [_("not found")]}
                )
        recorded = iqc.control_run_record(
            actor=request.user,
            material=material,
            value=_number(data.get("value", ""), "value"),
            run_at=_moment(
                f"{data.get('run_on', '').strip()}T{data.get('run_time', '').strip()}"
                if data.get("run_on")
                else data.get("run_at", ""),
                "run_at",
            ),
            other_material=other,
            other_value=_number(data.get("other_value", ""), "other_value")
            if other is not None
            else None,
            comment=data.get("comment", ""),
        )
    except StemhubError as error:
        if error.status in (403, 404):
            raise
        return _material_page(request, material, error=error)
    if recorded.accepted:
        messages.success(request, recorded.explanation)
    else:
        text = recorded.explanation
        if recorded.capa is not None:
            text += " " + _("%(capa)s was opened.") % {"capa": recorded.capa.number}
        messages.error(request, text)
    return redirect("qms:iqc_material", pk=material.pk)


# --- proficiency testing ------------------------------------------------------------------


@require_GET
@pt_viewers_only
def pt_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.view: your institution's schemes and their rounds with z-scores and grades,
    the unsatisfactory ones linked to their CAPA; the entry forms for those who may use
    them."""
    return _pt_page(request)


def _schemes(request: AuthenticatedHttpRequest) -> QuerySet[ProficiencyScheme]:
    if is_platform_admin(request.user):
        return ProficiencyScheme.objects.all()
    return ProficiencyScheme.objects.filter(institution_id=request.user.institution_id or 0)


def _pt_page(
    request: AuthenticatedHttpRequest,
    *,
    error: StemhubError | None = None,
    form: str = "",
    round_pk: int | None = None,
) -> HttpResponse:
    institution_id = _institution_id(request)
    rounds = list(
        ProficiencyRound.objects.filter(scheme__in=_schemes(request))
        .select_related("scheme")
        .order_by("-received_on", "-id")
    )
    capas = iqc.capas_for_rounds(rounds)
    today = timezone.localdate()
    rows = [
        {
            "round": r,
            "capa": capas.get(r.pk),
            "capa_url": capa_url(capas.get(r.pk)),
            "badge": GRADE_BADGES.get(Grade(r.grade)) if r.grade else "",
            "overdue": r.result is None and r.due_on < today,
        }
        for r in rounds
    ]
    return render(
        request,
        "qms/iqc/proficiency.html",
        {
            "schemes": _schemes(request).order_by("provider", "name"),
            "by_scheme": _by_scheme(rows),
            "rounds": rows,
            "pending": [r for r in rounds if r.z is None],
            "can_record": institution_id is not None
            and user_can(request.user, Perm.QMS_RECORD, institution_id),
            "can_manage": institution_id is not None
            and user_can(request.user, Perm.QMS_MANAGE, institution_id),
            "assays": Assay.choices,
            "today": today,
            "values": request.POST if error is not None else {},
            "error": error,
            "error_form": form,
            "error_round": round_pk,
            "bad": set(error.fields) if error is not None else set(),
            "labels": LABELS,
        },
        status=error.status if error is not None else 200,
    )


def _by_scheme(rows: list[dict[str, Any]]) -> list[tuple[ProficiencyScheme, list[Any]]]:
    grouped: dict[int, tuple[ProficiencyScheme, list[Any]]] = {}
    for row in rows:
        scheme = row["round"].scheme
        grouped.setdefault(scheme.pk, (scheme, []))[1].append(row)
    return sorted(grouped.values(), key=lambda pair: (pair[0].provider, pair[0].name))


def _scheme_or_404(request: AuthenticatedHttpRequest, pk: Any) -> ProficiencyScheme:
    if not str(pk).isdigit():
        raise InvalidInput(_("Choose a scheme"), fields={"scheme": [_("required")]})
    scheme = _schemes(request).filter(pk=pk).first()
    if scheme is None:
        raise NotFound(_("No such proficiency-testing scheme"))
    return scheme


def _round_or_404(request: AuthenticatedHttpRequest, pk: int) -> ProficiencyRound:
    found = (
        ProficiencyRound.objects.filter(scheme__in=_schemes(request), pk=pk)
        .select_related("scheme")
        .first()
    )
    if found is None:
        raise NotFound(_("No such proficiency-testing round"))
    return found


@require_POST
@pt_viewers_only
def pt_scheme_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.manage in your institution: join a proficiency-testing scheme."""
    data = request.POST
    try:
        institution_id = _institution_id(request)
        if institution_id is None:
            raise InvalidInput(_("You belong to no institution"))
        scheme = iqc.proficiency_scheme_create(
            actor=request.user,
            institution_id=institution_id,
            provider=data.get("provider", ""),
            name=data.get("name", ""),
            assay=data.get("assay", ""),
            unit=data.get("unit", ""),
        )
    except StemhubError as error:
        if error.status in (403, 404):
            raise
        return _pt_page(request, error=error, form="scheme")
    messages.success(request, _("Scheme %(scheme)s added.") % {"scheme": scheme})
    return redirect("qms:pt_list")


@require_POST
@pt_viewers_only
def pt_round_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.record in the scheme's institution: register a round's sample as received."""
    data = request.POST
    try:
        pt_round = iqc.proficiency_round_register(
            actor=request.user,
            scheme=_scheme_or_404(request, data.get("scheme", "")),
            round_code=data.get("round_code", ""),
            sample_id=data.get("sample_id", ""),
            received_on=_day(data.get("received_on", ""), "received_on"),  # type: ignore[arg-type]
            due_on=_day(data.get("due_on", ""), "due_on"),  # type: ignore[arg-type]
        )
    except StemhubError as error:
        if error.status in (403, 404):
            raise
        return _pt_page(request, error=error, form="round")
    messages.success(request, _("Round %(round)s registered.") % {"round": pt_round.round_code})
    return redirect("qms:pt_list")


@require_POST
@pt_viewers_only
def pt_result_enter(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.record in the scheme's institution: enter our result (and the assigned value
    and σpt once reported); the round is scored and graded when all three are known."""
    pt_round = _round_or_404(request, pk)
    data = request.POST
    try:
        scored = iqc.proficiency_result_enter(
            actor=request.user,
            pt_round=pt_round,
            result=_number(data.get("result", ""), "result"),
            returned_on=_day(data.get("returned_on", ""), "returned_on", required=False),
            assigned_value=_number(data["assigned_value"], "assigned_value")
            if data.get("assigned_value", "").strip()
            else None,
            sigma_pt=_number(data["sigma_pt"], "sigma_pt")
            if data.get("sigma_pt", "").strip()
            else None,
            comment=data.get("comment", ""),
        )
    except StemhubError as error:
        if error.status in (403, 404):
            raise
        return _pt_page(request, error=error, form="result", round_pk=pt_round.pk)
    scored_round = scored.round
    if scored_round.z is None:
        messages.success(
            request, _("Result recorded; it is scored once the assigned value and σpt are entered.")
        )
    elif scored_round.grade == Grade.UNSATISFACTORY and scored.capa is not None:
        messages.error(
            request,
            _("z = %(z)s: unsatisfactory. %(capa)s was opened.")
            % {"z": scored_round.z, "capa": scored.capa.number},
        )
    elif scored_round.grade == Grade.QUESTIONABLE:
        messages.warning(
            request,
            _("z = %(z)s: questionable; the QA manager reviews it.") % {"z": scored_round.z},
        )
    else:
        messages.success(request, _("z = %(z)s: satisfactory.") % {"z": scored_round.z})
    return redirect("qms:pt_list")


@require_POST
@pt_viewers_only
def pt_round_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.manage in the scheme's institution: record the review of a questionable
    result."""
    pt_round = _round_or_404(request, pk)
    try:
        iqc.proficiency_round_review(
            actor=request.user, pt_round=pt_round, note=request.POST.get("note", "")
        )
    except StemhubError as error:
        if error.status in (403, 404):
            raise
        return _pt_page(request, error=error, form="review", round_pk=pt_round.pk)
    messages.success(request, _("Review recorded."))
    return redirect("qms:pt_list")
