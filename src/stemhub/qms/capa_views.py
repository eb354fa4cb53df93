"""CAPA pages under /qms/capa/: the list (overdue first, with filters), raising one by hand,
and a CAPA's page, which shows each workflow form only to who may use it in the CAPA's state.
Parse, call a service, render; a refused form comes back as typed with its errors."""

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stemhub.accounts.models import User
from stemhub.accounts.permissions import Perm, require, user_can
from stemhub.core.auth import printed_name
from stemhub.core.errors import InvalidInput, StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest, page
from stemhub.qms import capa as services
from stemhub.qms.capa_people import capa_people, person_in
from stemhub.qms.capa_selectors import (
    action_for,
    capa_for,
    capa_signature_verify,
    overdue_capas,
    overdue_first,
    visible_capas,
)
from stemhub.qms.capa_sources import source_link, source_links
from stemhub.qms.models import (
    ActionKind,
    Capa,
    CapaSource,
    CapaStatus,
    EffectivenessResult,
    FishboneCategory,
)

capa_page = page(Perm.QMS_VIEW, what=gettext_lazy("CAPA"))
HAND_SOURCES = [
    (v, label)
    for v, label in CapaSource.choices
    if v not in ("nonconformity", "excursion", "complaint")
]
WHYS = 5


def form_errors(error: StemhubError | None) -> dict[str, str]:
    """Each field's problems, keyed so a template can look them up (`new_action.owner` →
    `new_action_owner`)."""
    if error is None:
        return {}
    return {name.replace(".", "_"): ", ".join(p) for name, p in error.fields.items()}


def parse_day(value: str, field: str, *, required: bool = True) -> date | None:
    text = (value or "").strip()
    if not text and not required:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("Give the date as YYYY-MM-DD"), fields={field: [_("a date, YYYY-MM-DD")]}
        ) from None


@require_GET
@capa_page
def capa_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.view: your institution's CAPAs, overdue first; filters by status, source,
    owner and overdue."""
    today = timezone.localdate()
    found = visible_capas(request.user)
    chosen: dict[str, Any] = {
        "status": request.GET.get("status", ""),
        "source": request.GET.get("source", ""),
        "owner": request.GET.get("owner", ""),
        "overdue": request.GET.get("overdue", "") == "1",
    }
    if chosen["status"] in CapaStatus.values:
        found = found.filter(status=chosen["status"])
    elif chosen["status"] == "open":
        found = found.exclude(status=CapaStatus.CLOSED)
    if chosen["source"] in CapaSource.values:
        found = found.filter(source=chosen["source"])
    if chosen["owner"].isdigit():
        found = found.filter(owner_id=int(chosen["owner"]))
    if chosen["overdue"]:
        found = overdue_capas(found, today)
    capas = list(overdue_first(found, today)[:300])
    links = source_links(capas)
    institution_id = request.user.institution_id
    return render(
        request,
        "qms/capa/list.html",
        {
            "rows": [(capa, links.get(capa.pk)) for capa in capas],
            "chosen": chosen,
            "statuses": CapaStatus.choices,
            "sources": CapaSource.choices,
            "owners": capa_people(institution_id, Perm.QMS_VIEW) if institution_id else [],
            "today": today,
            "filtered": any(chosen.values()),
            "can_raise": user_can(request.user, Perm.QMS_RECORD, institution_id),
        },
    )


@require_http_methods(["GET", "POST"])
@capa_page
def capa_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.record in your institution: raise a CAPA by hand (a deviation, an audit
    finding, a recall, ...) with its owner and due date."""
    institution_id = request.user.institution_id
    require(request.user, Perm.QMS_RECORD, institution_id)
    assert institution_id is not None  # require() passed: a member of an institution
    error: StemhubError | None = None
    values: Any = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            capa = services.capa_open(
                actor=request.user,
                institution_id=institution_id,
                source=values.get("source", ""),
                source_label=values.get("source_label", ""),
                title=values.get("title", ""),
                description=values.get("description", ""),
                owner=person_in(values.get("owner", ""), institution_id, "owner")
                if values.get("owner")
                else None,
                due_on=parse_day(values.get("due_on", ""), "due_on", required=False),
            )
        except StemhubError as error_:
            if error_.status == 403:
                raise
            error = error_
        else:
            messages.success(request, _("%(capa)s raised.") % {"capa": capa.number})
            return redirect("qms:capa_detail", pk=capa.pk)
    return render(
        request,
        "qms/capa/new.html",
        {
            "sources": HAND_SOURCES,
            "owners": capa_people(institution_id, Perm.QMS_RECORD),
            "values": values,
            "error": error,
            "errors": form_errors(error),
            "default_due": timezone.localdate() + timedelta(days=services.DEFAULT_DAYS_TO_CLOSE),
        },
        status=error.status if error else 200,
    )


@require_GET
@capa_page
def capa_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.view in the CAPA's institution: the CAPA, its investigation, actions,
    effectiveness check, history and closure signature, and the forms of the next step to
    whoever may take it."""
    return capa_page_render(request, capa_for(request.user, pk))


def capa_page_render(
    request: HttpRequest, capa: Capa, *, error: StemhubError | None = None, form: str = ""
) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    capa = Capa.objects.select_related(
        "owner", "raised_by", "institution", "investigated_by", "effectiveness_verified_by",
        "closure_signature",
    ).get(pk=capa.pk)  # fmt: skip
    actions = list(capa.actions.select_related("owner", "done_by", "evidence_file"))
    lead = services.may_lead(user, capa)
    manage = user_can(user, Perm.QMS_MANAGE, capa.institution_id)
    status = capa.status
    for action in actions:
        action.overdue = not action.is_done and action.due_on < today  # type: ignore[attr-defined]
        action.form_id = f"done-{action.pk}"  # type: ignore[attr-defined]
        action.completable = (  # type: ignore[attr-defined]
            status == CapaStatus.ACTIONS
            and not action.is_done
            and services.may_complete(user, action, capa)
        )
    values: Any = request.POST if error is not None else {}
    whys = (
        list(capa.five_whys)
        if not values
        else [values.get(f"why_{i}", "") for i in range(1, WHYS + 1)]
    )
    whys += [""] * (WHYS - len(whys))
    fishbone = [
        (
            value,
            label,
            values.get(f"fishbone_{value}", "")
            if values
            else "\n".join(capa.fishbone.get(value, [])),
        )
        for value, label in FishboneCategory.choices
    ]
    pending = sum(1 for a in actions if not a.is_done)
    open_states = (CapaStatus.OPEN, CapaStatus.INVESTIGATION, CapaStatus.ACTIONS)
    return render(
        request,
        "qms/capa/detail.html",
        {
            "capa": capa,
            "actions": actions,
            "events": capa.events.select_related("actor", "action"),
            "source": source_link(capa),
            "steps": CapaStatus.choices,
            "overdue": capa.is_overdue(today),
            "check": capa_signature_verify(capa),
            "whys": whys,
            "fishbone": fishbone,
            "fishbone_filled": [
                (label, capa.fishbone.get(value, []))
                for value, label in FishboneCategory.choices
                if capa.fishbone.get(value)
            ],
            "pending": pending,
            "can_investigate": lead and status in open_states,
            "can_add_action": lead and status in open_states and bool(capa.root_cause),
            "can_plan": lead and status == CapaStatus.ACTIONS and pending == 0 and bool(actions),
            "can_verify": manage
            and status == CapaStatus.EFFECTIVENESS
            and capa.effectiveness_result != EffectivenessResult.EFFECTIVE,
            "can_close": manage
            and status == CapaStatus.EFFECTIVENESS
            and capa.effectiveness_result == EffectivenessResult.EFFECTIVE,
            "can_reassign": manage and status != CapaStatus.CLOSED,
            "action_owners": capa_people(capa.institution_id, Perm.QMS_VIEW),
            "capa_owners": capa_people(capa.institution_id, Perm.QMS_RECORD),
            "kinds": ActionKind.choices,
            "results": EffectivenessResult.choices,
            "printed_name": printed_name(user),
            "today": today,
            "values": values,
            "error": error,
            "error_form": form,
            "errors": form_errors(error),
        },
        status=error.status if error is not None else 200,
    )


def _refused(request: HttpRequest, capa: Capa, error: StemhubError, form: str) -> HttpResponse:
    """A form's error on the CAPA's page, the form as typed. A missing permission (403 without
    a field) is the error page; a wrong password stays on the form."""
    if error.status == 403 and "password" not in error.fields:
        raise error
    return capa_page_render(request, capa, error=error, form=form)


@require_POST
@capa_page
def capa_investigation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs the CAPA's owner (qms.record) or qms.manage: record the investigation."""
    capa = capa_for(request.user, pk)
    data = request.POST
    try:
        services.capa_investigation_record(
            actor=request.user,
            capa=capa,
            problem_statement=data.get("problem_statement", ""),
            containment=data.get("containment", ""),
            root_cause=data.get("root_cause", ""),
            five_whys=[data.get(f"why_{i}", "") for i in range(1, WHYS + 1)],
            fishbone={v: data.get(f"fishbone_{v}", "") for v in FishboneCategory.values},
        )
    except StemhubError as error:
        return _refused(request, capa, error, "investigation")
    messages.success(request, _("Investigation of %(capa)s recorded.") % {"capa": capa.number})
    return redirect("qms:capa_detail", pk=capa.pk)


@require_POST
@capa_page
def capa_action_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs the CAPA's owner (qms.record) or qms.manage: add an action once the root cause
    is recorded."""
    capa = capa_for(request.user, pk)
    data = request.POST
    try:
        action = services.capa_action_add(
            actor=request.user,
            capa=capa,
            kind=data.get("kind", ""),
            description=data.get("description", ""),
            owner=_owner(data.get("owner", ""), capa, "owner"),
            due_on=parse_day(data.get("due_on", ""), "due_on", required=False),
        )
    except StemhubError as error:
        return _refused(request, capa, error, "action")
    messages.success(request, _("Action added to %(capa)s.") % {"capa": capa.number})
    if action.due_on > capa.due_on:
        messages.warning(
            request,
            _("The action is due after the CAPA itself (%(day)s): move the CAPA's due date.")
            % {"day": f"{capa.due_on:%Y-%m-%d}"},
        )
    return redirect("qms:capa_detail", pk=capa.pk)


def _owner(value: str, capa: Capa, field: str) -> User | None:
    if not value:
        return None
    return person_in(value, capa.institution_id, field)


@require_POST
@capa_page
def capa_action_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs the action's owner, the CAPA's owner or qms.manage: record the action done, with
    the evidence (a note and, if any, a PDF or DOCX file)."""
    action = action_for(request.user, pk)
    upload = request.FILES.get("evidence_file")
    try:
        services.capa_action_complete(
            actor=request.user,
            action=action,
            done_note=request.POST.get("done_note", ""),
            evidence=request.POST.get("evidence", ""),
            evidence_name=upload.name or "" if upload is not None else "",
            evidence_chunks=upload.chunks() if upload is not None else None,
        )
    except StemhubError as error:
        return _refused(request, action.capa, error, f"done-{action.pk}")
    messages.success(request, _("Action recorded done."))
    return redirect("qms:capa_detail", pk=action.capa_id)


@require_GET
@capa_page
def capa_action_evidence(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.view in the CAPA's institution: an action's evidence file as stored."""
    action = action_for(request.user, pk)
    stored = action.evidence_file
    if stored is None:
        raise InvalidInput(
            _("This action has no evidence file"), fields={"evidence_file": [_("none")]}
        )
    response = HttpResponse(bytes(stored.content), content_type=stored.content_type)
    response["Content-Disposition"] = f'attachment; filename="{stored.name}"'
    response["X-Content-SHA256"] = stored.sha256
    return response


@require_POST
@capa_page
def capa_effectiveness_plan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs the CAPA's owner (qms.record) or qms.manage, once every action is done: the
    effectiveness criteria and when the check is due."""
    capa = capa_for(request.user, pk)
    try:
        services.capa_effectiveness_plan(
            actor=request.user,
            capa=capa,
            criteria=request.POST.get("effectiveness_criteria", ""),
            due_on=parse_day(request.POST.get("effectiveness_due_on", ""), "effectiveness_due_on"),
        )
    except StemhubError as error:
        return _refused(request, capa, error, "plan")
    messages.success(request, _("Effectiveness check of %(capa)s planned.") % {"capa": capa.number})
    return redirect("qms:capa_detail", pk=capa.pk)


@require_POST
@capa_page
def capa_effectiveness(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.manage: the effectiveness verdict; not effective sends the CAPA back to
    actions with a new action."""
    capa = capa_for(request.user, pk)
    data = request.POST
    try:
        result = data.get("result", "")
        new_action: dict[str, Any] | None = None
        if result == EffectivenessResult.NOT_EFFECTIVE:
            description = data.get("new_description", "")
            new_action = {
                "kind": data.get("new_kind", ""),
                "description": description,
                "owner": _owner(data.get("new_owner", ""), capa, "new_action.owner"),
                "due_on": parse_day(data.get("new_due_on", ""), "new_action.due_on"),
            }
            if not description.strip():
                raise InvalidInput(
                    _("Not effective: add the action that will make it so"),
                    fields={"new_action.description": [_("required")]},
                )
        services.capa_effectiveness_record(
            actor=request.user,
            capa=capa,
            result=result,
            note=data.get("note", ""),
            new_action=new_action,
        )
    except StemhubError as error:
        return _refused(request, capa, error, "verify")
    messages.success(request, _("Effectiveness of %(capa)s recorded.") % {"capa": capa.number})
    return redirect("qms:capa_detail", pk=capa.pk)


@require_POST
@capa_page
def capa_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.manage: close the CAPA found effective, signed with your password."""
    capa = capa_for(request.user, pk)
    try:
        services.capa_close(
            actor=request.user,
            capa=capa,
            password=request.POST.get("password", ""),
            summary=request.POST.get("closure_summary", ""),
        )
    except StemhubError as error:
        return _refused(request, capa, error, "close")
    messages.success(request, _("%(capa)s closed and signed.") % {"capa": capa.number})
    return redirect("qms:capa_detail", pk=capa.pk)


@require_POST
@capa_page
def capa_reassign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.manage: change the CAPA's owner or due date, with a reason."""
    capa = capa_for(request.user, pk)
    data = request.POST
    try:
        services.capa_reassign(
            actor=request.user,
            capa=capa,
            owner=_owner(data.get("owner", ""), capa, "owner"),
            due_on=parse_day(data.get("due_on", ""), "due_on", required=False),
            reason=data.get("reason", ""),
        )
    except StemhubError as error:
        return _refused(request, capa, error, "reassign")
    messages.success(request, _("%(capa)s reassigned.") % {"capa": capa.number})
    return redirect("qms:capa_detail", pk=capa.pk)
