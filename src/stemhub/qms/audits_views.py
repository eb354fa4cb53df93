"""Pages of the audit programme and the management reviews: the programme by month, an audit
(its checklist, findings, report and signature) with the forms that run it, and the reviews
with the inputs gathered for them."""

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stemhub.accounts.models import User
from stemhub.accounts.permissions import Perm, user_can
from stemhub.core.auth import printed_name
from stemhub.core.errors import InvalidInput, NotFound, StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest, page
from stemhub.qms import audits as services
from stemhub.qms import review
from stemhub.qms.audit_selectors import (
    audit_or_404,
    auditor_candidates,
    audits_due,
    reports_awaiting_approval,
    review_or_404,
    visible_audits,
    visible_reviews,
)
from stemhub.qms.capa_selectors import capa_url
from stemhub.qms.clauses import CLAUSES, Clause, by_section, clause_title
from stemhub.qms.models import (
    Audit,
    AuditKind,
    AuditStatus,
    ChecklistAnswer,
    FindingGrade,
)

qms_viewers_only = page(Perm.QMS_VIEW, what=gettext_lazy("The audit programme"))
qms_managers_only = page(Perm.QMS_MANAGE, what=gettext_lazy("Planning audits and reviews"))

LABELS = {
    "kind": gettext_lazy("Kind"),
    "title": gettext_lazy("Title"),
    "title_zh": gettext_lazy("Chinese title"),
    "clauses": gettext_lazy("Clauses covered"),
    "area": gettext_lazy("Area or auditee"),
    "planned_on": gettext_lazy("Planned for"),
    "lead_auditor": gettext_lazy("Lead auditor"),
    "external_body": gettext_lazy("External body"),
    "answer": gettext_lazy("Answer"),
    "evidence": gettext_lazy("Evidence"),
    "grade": gettext_lazy("Grade"),
    "clause": gettext_lazy("Clause"),
    "description": gettext_lazy("Description"),
    "reason": gettext_lazy("Reason"),
    "report_summary": gettext_lazy("Report summary"),
    "ended_on": gettext_lazy("Ended on"),
    "started_on": gettext_lazy("Started on"),
    "password": gettext_lazy("Your password"),
    "period_start": gettext_lazy("Period from"),
    "period_end": gettext_lazy("Period to"),
    "held_on": gettext_lazy("Held on"),
    "attendees": gettext_lazy("Attendees"),
    "decisions": gettext_lazy("Decisions"),
    "actions": pgettext_lazy("management review", "Actions"),
    "findings": gettext_lazy("Findings"),
    "capa_owner": gettext_lazy("CAPA owner"),
    "capa_due_on": gettext_lazy("CAPA due on"),
    "question": gettext_lazy("Question"),
}


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


def _member(value: str, institution_id: int, field: str) -> User | None:
    if not value.strip():
        return None
    found = User.objects.filter(
        pk=int(value) if value.strip().isdigit() else 0, institution_id=institution_id
    ).first()
    if found is None:
        raise InvalidInput(
            _("Choose a member of the institution."), fields={field: [_("unknown person")]}
        )
    return found


def _status_counts(audits: list[Audit]) -> dict[str, int]:
    counts = dict.fromkeys(AuditStatus.values, 0)
    for audit in audits:
        counts[audit.status] += 1
    return counts


@require_GET
@qms_viewers_only
def audit_programme(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.view: the audits by month, with their status: this year's, those planned for
    the years after it, then last year's."""
    today = timezone.localdate()
    audits = visible_audits(request.user)
    shown = list(audits.filter(planned_on__year__gte=today.year - 1).order_by("planned_on", "id"))
    latest = max([today.year, *(a.planned_on.year for a in shown)])
    years = []
    for year in (*range(today.year, latest + 1), today.year - 1):
        of_year = [a for a in shown if a.planned_on.year == year]
        months = []
        for month in range(1, 13):
            in_month = [a for a in of_year if a.planned_on.month == month]
            if in_month:
                months.append((datetime.date(year, month, 1), in_month))
        years.append({"year": year, "months": months, "counts": _status_counts(of_year)})
    return render(
        request,
        "qms/audits/programme.html",
        {
            "years": years,
            "today": today,
            "due": audits_due(audits, today=today),
            "awaiting": reports_awaiting_approval(audits),
            "can_plan": user_can(request.user, Perm.QMS_MANAGE, request.user.institution_id),
        },
    )


def _new_page(
    request: HttpRequest, *, error: StemhubError | None = None, status: int = 200
) -> HttpResponse:
    user: Any = request.user
    chosen = request.POST.getlist("clauses") if error is not None else []
    return render(
        request,
        "qms/audits/new.html",
        {
            "kinds": AuditKind.choices,
            "sections": by_section(in_scope_only=True),
            "auditors": auditor_candidates(user.institution_id),
            "values": request.POST if error is not None else {},
            "chosen": chosen,
            "error": error,
            "bad": set(error.fields) if error is not None else set(),
            "labels": LABELS,
        },
        status=error.status if error is not None else status,
    )


@require_http_methods(["GET", "POST"])
@qms_managers_only
def audit_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.manage: put an audit on the programme."""
    if request.user.institution is None:
        raise NotFound(_("You belong to no institution; audits are planned for one."))
    if request.method == "GET":
        return _new_page(request)
    data = request.POST
    try:
        audit = services.audit_plan(
            actor=request.user,
            institution=request.user.institution,
            kind=data.get("kind", ""),
            title=data.get("title", ""),
            title_zh=data.get("title_zh", ""),
            clauses=data.getlist("clauses"),
            area=data.get("area", ""),
            planned_on=_day(data.get("planned_on", ""), "planned_on"),  # type: ignore[arg-type]
            lead_auditor=_member(
                data.get("lead_auditor", ""), request.user.institution.pk, "lead_auditor"
            ),
            external_body=data.get("external_body", ""),
        )
    except StemhubError as error:
        if error.status == 403:
            raise
        return _new_page(request, error=error)
    messages.success(request, _("%(audit)s is on the programme.") % {"audit": audit.number})
    return redirect("qms:audits_detail", pk=audit.pk)


def _audit_clauses_first(audit: Audit) -> list[Clause]:
    """The audit's own clauses first in a clause menu, then the rest of the standard."""
    own = [c for c in CLAUSES if c.id in audit.clauses]
    return own + [c for c in CLAUSES if c.id not in audit.clauses]


def _detail_page(
    request: HttpRequest, audit: Audit, *, error: StemhubError | None = None, form: str = ""
) -> HttpResponse:
    user: Any = request.user
    findings = list(audit.findings.select_related("capa", "recorded_by").order_by("number"))
    checklist = list(audit.checklist.select_related("answered_by").order_by("position"))
    answered = sum(1 for i in checklist if i.answer != ChecklistAnswer.NOT_CHECKED)
    return render(
        request,
        "qms/audits/detail.html",
        {
            "audit": audit,
            "clauses": [clause_title(c) for c in audit.clauses],
            "checklist": checklist,
            "answered": answered,
            "findings": [(f, capa_url(f.capa)) for f in findings],
            "missing_capa": services.findings_missing_capa(findings),
            "open_capas": [
                (f, capa_url(f.capa)) for f in services.findings_with_capa_open(findings)
            ],
            "can_run": services.may_run(user, audit),
            "can_manage": user_can(user, Perm.QMS_MANAGE, audit.institution_id),
            "can_raise": user_can(user, Perm.QMS_RECORD, audit.institution_id),
            "answers": ChecklistAnswer.choices,
            "grades": FindingGrade.choices,
            "clause_choices": _audit_clauses_first(audit),
            "members": auditor_candidates(audit.institution_id),
            "printed_name": printed_name(user),
            "today": timezone.localdate(),
            "values": request.POST if error is not None else {},
            "error": error,
            "error_form": form,
            "bad": set(error.fields) if error is not None else set(),
            "labels": LABELS,
        },
        status=error.status if error is not None else 200,
    )


@require_GET
@qms_viewers_only
def audit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.view for the audit's institution: its checklist, findings with their CAPAs,
    report and signature, and to whoever runs it the forms that record its work."""
    return _detail_page(request, audit_or_404(request.user, pk))


def _act(
    request: AuthenticatedHttpRequest,
    pk: int,
    form: str,
    action: Callable[[Audit], str],
    anchor: str = "",
) -> HttpResponse:
    """Run `action` on the audit; its message on success. Bad input is shown on the form
    `form` with what was typed; a refusal of the audit's state (409) goes back to the audit
    page with its message; a 403 is the error page."""
    audit = audit_or_404(request.user, pk)
    try:
        message = action(audit)
    except StemhubError as error:
        # A wrong password is shown on the signing form; other refusals are the error page.
        if error.status == 404 or (error.status == 403 and "password" not in error.fields):
            raise
        if error.status == 409:
            messages.error(request, error.message)
            return redirect("qms:audits_detail", pk=audit.pk)
        audit.refresh_from_db()
        return _detail_page(request, audit, error=error, form=form)
    messages.success(request, message)
    response = redirect("qms:audits_detail", pk=audit.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@require_POST
@qms_viewers_only
def audit_start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Its lead auditor or qms.manage: the audit starts (planned → in progress)."""

    def start(audit: Audit) -> str:
        started = _day(request.POST.get("started_on", ""), "started_on", required=False)
        audit = services.audit_start(actor=request.user, audit=audit, started_on=started)
        return _("%(audit)s is in progress.") % {"audit": audit.number}

    return _act(request, pk, "start", start)


@require_POST
@qms_viewers_only
def audit_answer(request: AuthenticatedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Its lead auditor or qms.manage: answer a checklist question."""

    def answer(audit: Audit) -> str:
        item = audit.checklist.filter(pk=item_pk).first()
        if item is None:
            raise NotFound(_("No such question in this audit's checklist"))
        services.audit_checklist_answer(
            actor=request.user,
            item=item,
            answer=request.POST.get("answer", ""),
            evidence=request.POST.get("evidence", ""),
        )
        return _("Answer to question %(n)s recorded.") % {"n": item.position}

    return _act(request, pk, f"answer-{item_pk}", answer, f"q-{item_pk}")


@require_POST
@qms_viewers_only
def audit_question_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Its lead auditor or qms.manage: one more question on the checklist."""

    def add(audit: Audit) -> str:
        item = services.audit_checklist_add(
            actor=request.user,
            audit=audit,
            clause_id=request.POST.get("clause", ""),
            question=request.POST.get("question", ""),
            question_zh=request.POST.get("question_zh", ""),
        )
        return _("Question %(n)s added.") % {"n": item.position}

    return _act(request, pk, "question", add, "checklist")


@require_POST
@qms_viewers_only
def audit_finding_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Its lead auditor or qms.manage: record a finding; a major or minor one opens its CAPA."""

    def record(audit: Audit) -> str:
        data = request.POST
        item_pk = data.get("checklist_item", "")
        item = audit.checklist.filter(pk=int(item_pk)).first() if item_pk.isdigit() else None
        finding = services.audit_finding_record(
            actor=request.user,
            audit=audit,
            grade=data.get("grade", ""),
            clause_id=data.get("clause", ""),
            description=data.get("description", ""),
            evidence=data.get("evidence", ""),
            checklist_item=item,
            capa_owner=_member(data.get("capa_owner", ""), audit.institution_id, "capa_owner"),
            capa_due_on=_day(data.get("capa_due_on", ""), "capa_due_on", required=False),
        )
        if finding.capa_id is not None:
            return _("Finding %(finding)s recorded; %(capa)s opened.") % {
                "finding": finding.label,
                "capa": finding.capa.number if finding.capa else "",
            }
        return _("Finding %(finding)s recorded.") % {"finding": finding.label}

    return _act(request, pk, "finding", record, "findings")


def _finding(audit: Audit, finding_pk: int) -> Any:
    finding = audit.findings.filter(pk=finding_pk).first()
    if finding is None:
        raise NotFound(_("No such finding in this audit"))
    return finding


@require_POST
@qms_viewers_only
def audit_finding_grade(
    request: AuthenticatedHttpRequest, pk: int, finding_pk: int
) -> HttpResponse:
    """Needs qms.manage: change a finding's grade, with the reason."""

    def grade(audit: Audit) -> str:
        finding = services.audit_finding_grade(
            actor=request.user,
            finding=_finding(audit, finding_pk),
            grade=request.POST.get("grade", ""),
            reason=request.POST.get("reason", ""),
        )
        return _("%(finding)s is now graded %(grade)s.") % {
            "finding": finding.label,
            "grade": finding.get_grade_display(),
        }

    return _act(request, pk, f"grade-{finding_pk}", grade, f"f-{finding_pk}")


@require_POST
@qms_viewers_only
def audit_finding_capa(request: AuthenticatedHttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    """qms.record and (its lead auditor or qms.manage): open the CAPA of a finding."""

    def raise_capa(audit: Audit) -> str:
        finding = services.audit_finding_capa_raise(
            actor=request.user, finding=_finding(audit, finding_pk)
        )
        return _("%(capa)s opened for %(finding)s.") % {
            "capa": finding.capa.number if finding.capa else "",
            "finding": finding.label,
        }

    return _act(request, pk, f"capa-{finding_pk}", raise_capa, f"f-{finding_pk}")


@require_POST
@qms_viewers_only
def audit_report_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Its lead auditor or qms.manage: write the report and put it up for approval."""

    def submit(audit: Audit) -> str:
        audit = services.audit_report_submit(
            actor=request.user,
            audit=audit,
            summary=request.POST.get("report_summary", ""),
            ended_on=_day(request.POST.get("ended_on", ""), "ended_on", required=False),
        )
        return _("The report of %(audit)s awaits approval.") % {"audit": audit.number}

    return _act(request, pk, "report", submit, "report")


@require_POST
@qms_viewers_only
def audit_report_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.manage: approve the report by electronic signature."""

    def approve(audit: Audit) -> str:
        audit = services.audit_report_approve(
            actor=request.user, audit=audit, password=request.POST.get("password", "")
        )
        return _("The report of %(audit)s is approved and signed.") % {"audit": audit.number}

    return _act(request, pk, "approve", approve, "report")


@require_POST
@qms_viewers_only
def audit_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.manage: close a reported audit once every finding's CAPA is closed."""

    def close(audit: Audit) -> str:
        audit = services.audit_close(actor=request.user, audit=audit)
        return _("%(audit)s is closed.") % {"audit": audit.number}

    return _act(request, pk, "close", close)


# Management reviews


@require_GET
@qms_viewers_only
def review_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.view: the institution's management reviews, newest first."""
    return render(
        request,
        "qms/audits/reviews.html",
        {
            "reviews": list(visible_reviews(request.user)),
            "can_record": user_can(request.user, Perm.QMS_MANAGE, request.user.institution_id),
        },
    )


@require_GET
@qms_viewers_only
def review_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.view for its institution: the review, its frozen inputs and signature."""
    found = review_or_404(request.user, pk)
    return render(
        request,
        "qms/audits/review_detail.html",
        {
            "review": found,
            "attendees": [line for line in found.attendees.splitlines() if line.strip()],
            "tables": review.input_tables(found.inputs),
        },
    )


def _default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Last calendar year, the usual period of a yearly review."""
    return datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)


@require_http_methods(["GET", "POST"])
@qms_managers_only
def review_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.manage: the inputs gathered for a period (GET, `start` and `end`), and the
    form that records the review and signs it (POST)."""
    institution = request.user.institution
    if institution is None:
        raise NotFound(_("You belong to no institution; reviews are recorded for one."))
    today = timezone.localdate()
    start, end = _default_period(today)
    source = request.POST if request.method == "POST" else request.GET
    error: StemhubError | None = None
    try:
        start = _day(source.get("period_start", ""), "period_start", required=False) or start
        end = _day(source.get("period_end", ""), "period_end", required=False) or end
        inputs = review.management_review_inputs(institution, start, end, today=today)
    except InvalidInput as invalid:
        error, inputs = invalid, {"sources": {}}
    if request.method == "POST" and error is None:
        data = request.POST
        try:
            recorded = review.management_review_record(
                actor=request.user,
                institution=institution,
                period_start=start,
                period_end=end,
                held_on=_day(data.get("held_on", ""), "held_on"),  # type: ignore[arg-type]
                attendees=data.get("attendees", ""),
                decisions=data.get("decisions", ""),
                actions=data.get("actions", ""),
                password=data.get("password", ""),
            )
        except StemhubError as failed:
            if failed.status == 403 and "password" not in failed.fields:
                raise
            error = failed
        else:
            messages.success(
                request, _("%(review)s is recorded and signed.") % {"review": recorded.number}
            )
            return redirect("qms:audits_review_detail", pk=recorded.pk)
    return render(
        request,
        "qms/audits/review_new.html",
        {
            "start": start,
            "end": end,
            "today": today,
            "tables": review.input_tables(inputs),
            "printed_name": printed_name(request.user),
            "values": request.POST if request.method == "POST" else {},
            "error": error,
            "bad": set(error.fields) if error is not None else set(),
            "labels": LABELS,
        },
        status=error.status if error is not None else 200,
    )
