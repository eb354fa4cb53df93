"""Complaint pages: the institution's list and a complaint's page under /qms/complaints/ (QA's
queue), recording one received by e-mail or telephone, and the public form at /complaints/
where anyone (a researcher, a hospital, a member of the public) files one, named or not."""

import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stemhub.accounts.permissions import Perm, require, user_can
from stemhub.core.errors import StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest, error_page, page
from stemhub.distribution.selectors import visible_requests
from stemhub.qms import complaints
from stemhub.qms.capa_people import capa_people, person_in
from stemhub.qms.capa_selectors import complaint_for, visible_complaints
from stemhub.qms.capa_views import form_errors, parse_day
from stemhub.qms.models import ComplainantKind, ComplaintChannel, ComplaintStatus
from stemhub.registry.models import CellLine, Status

complaint_page = page(Perm.QMS_VIEW, what=gettext_lazy("Complaints"))
# Who may file on the public form (a regulator writes to the biobank).
PUBLIC_KINDS = [(v, label) for v, label in ComplainantKind.choices if v != "regulator"]
STAFF_CHANNELS = [(v, label) for v, label in ComplaintChannel.choices if v != "web"]


@require_GET
@complaint_page
def complaint_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.view: your institution's complaints, those awaiting review first."""
    status = request.GET.get("status", "")
    found = visible_complaints(request.user)
    if status in ComplaintStatus.values:
        found = found.filter(status=status)
    rank = {ComplaintStatus.RECEIVED: 0, ComplaintStatus.IN_REVIEW: 1, ComplaintStatus.CLOSED: 2}
    listed = sorted(found[:500], key=lambda c: (rank[ComplaintStatus(c.status)], -c.pk))
    return render(
        request,
        "qms/complaints/list.html",
        {
            "complaints": listed,
            "status": status,
            "statuses": ComplaintStatus.choices,
            "can_record": user_can(request.user, Perm.QMS_RECORD, request.user.institution_id),
        },
    )


@require_http_methods(["GET", "POST"])
@complaint_page
def complaint_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.record in your institution: record a complaint received by e-mail,
    telephone, letter or in person."""
    institution_id = request.user.institution_id
    require(request.user, Perm.QMS_RECORD, institution_id)
    assert institution_id is not None
    error: StemhubError | None = None
    values: Any = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            complaint = complaints.complaint_record(
                actor=request.user,
                institution_id=institution_id,
                complainant_kind=values.get("complainant_kind", ""),
                channel=values.get("channel", ""),
                received_on=parse_day(values.get("received_on", ""), "received_on"),  # type: ignore[arg-type]
                description=values.get("description", ""),
                complainant_name=values.get("complainant_name", ""),
                complainant_contact=values.get("complainant_contact", ""),
                complainant_organisation=values.get("complainant_organisation", ""),
                related_reference=values.get("related_reference", ""),
            )
        except StemhubError as error_:
            if error_.status == 403:
                raise
            error = error_
        else:
            messages.success(request, _("%(n)s recorded.") % {"n": complaint.number})
            return redirect("qms:complaint_detail", pk=complaint.pk)
    return render(
        request,
        "qms/complaints/new.html",
        {
            "kinds": ComplainantKind.choices,
            "channels": STAFF_CHANNELS,
            "values": values,
            "error": error,
            "errors": form_errors(error),
            "today": timezone.localdate(),
        },
        status=error.status if error else 200,
    )


@require_GET
@complaint_page
def complaint_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.view in the complaint's institution: the complaint, its CAPA and outcome,
    and to staff the forms to review, open a CAPA and close it."""
    return _detail(request, complaint_for(request.user, pk))


# A distribution request as its reference reads (DR-00031).
REQUEST_REFERENCE = re.compile(r"\bDR-(\d{1,9})\b", re.IGNORECASE)


def related_link(user: Any, reference: str) -> str | None:
    """The page of the item a complaint names (a distribution request the reader may open, or
    a published line by its standard name), or None when it names nothing found."""
    if found := REQUEST_REFERENCE.search(reference):
        pk = int(found.group(1))
        if visible_requests(user).filter(pk=pk).exists():
            return reverse("distribution:request", args=[pk])
    names = [token.strip(".,;:()") for token in reference.split()]
    line = CellLine.objects.filter(
        name__in=[n for n in names if n], status=Status.PUBLISHED
    ).first()
    return reverse("registry:public_line", args=[line.name]) if line else None


def _detail(
    request: HttpRequest, complaint: Any, *, error: StemhubError | None = None, form: str = ""
) -> HttpResponse:
    user: Any = request.user
    institution_id = complaint.institution_id
    open_ = complaint.status != ComplaintStatus.CLOSED
    record = user_can(user, Perm.QMS_RECORD, institution_id)
    return render(
        request,
        "qms/complaints/detail.html",
        {
            "complaint": complaint,
            "related_url": related_link(user, complaint.related_reference),
            "can_review": record and complaint.status == ComplaintStatus.RECEIVED,
            "can_open_capa": record and open_ and complaint.capa_id is None,
            "can_close": open_ and user_can(user, Perm.QMS_MANAGE, institution_id),
            "owners": capa_people(institution_id, Perm.QMS_RECORD),
            "values": request.POST if error is not None else {},
            "error": error,
            "error_form": form,
            "errors": form_errors(error),
        },
        status=error.status if error is not None else 200,
    )


def _refused(request: HttpRequest, complaint: Any, error: StemhubError, form: str) -> HttpResponse:
    if error.status == 403:
        raise error
    return _detail(request, complaint, error=error, form=form)


@require_POST
@complaint_page
def complaint_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.record in the complaint's institution: take it under review."""
    complaint = complaint_for(request.user, pk)
    try:
        complaints.complaint_review_start(actor=request.user, complaint=complaint)
    except StemhubError as error:
        return _refused(request, complaint, error, "review")
    messages.success(request, _("%(n)s is under review.") % {"n": complaint.number})
    return redirect("qms:complaint_detail", pk=complaint.pk)


@require_POST
@complaint_page
def complaint_capa(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.record in the complaint's institution: open the complaint's CAPA."""
    complaint = complaint_for(request.user, pk)
    data = request.POST
    try:
        capa = complaints.complaint_capa_open(
            actor=request.user,
            complaint=complaint,
            title=data.get("title", ""),
            owner=person_in(data["owner"], complaint.institution_id, "owner")
            if data.get("owner")
            else None,
            due_on=parse_day(data.get("due_on", ""), "due_on", required=False),
        )
    except StemhubError as error:
        return _refused(request, complaint, error, "capa")
    messages.success(
        request, _("%(capa)s opened from %(n)s.") % {"capa": capa.number, "n": complaint.number}
    )
    return redirect("qms:capa_detail", pk=capa.pk)


@require_POST
@complaint_page
def complaint_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.manage in the complaint's institution: close it with its outcome."""
    complaint = complaint_for(request.user, pk)
    try:
        complaints.complaint_close(
            actor=request.user, complaint=complaint, outcome=request.POST.get("outcome", "")
        )
    except StemhubError as error:
        return _refused(request, complaint, error, "close")
    messages.success(request, _("%(n)s closed.") % {"n": complaint.number})
    return redirect("qms:complaint_detail", pk=complaint.pk)


# The public form


HONEYPOT = "website"


@csrf_protect
@require_http_methods(["GET", "POST"])
def complaint_public(request: HttpRequest) -> HttpResponse:
    """Anyone, signed in or not: file a complaint with a biobank of the network (named or
    anonymous). A cell line's page links here with the line and its provider filled in."""
    values: Any = request.POST if request.method == "POST" else request.GET
    error: StemhubError | None = None
    if request.method == "POST":
        if values.get(HONEYPOT):  # a field people do not see: only a robot fills it
            return redirect("qms_public:complaint_sent")
        try:
            complaint = complaints.complaint_submit_public(
                institution_code=values.get("institution", ""),
                complainant_kind=values.get("complainant_kind", ""),
                description=values.get("description", ""),
                complainant_name=values.get("complainant_name", ""),
                complainant_contact=values.get("complainant_contact", ""),
                complainant_organisation=values.get("complainant_organisation", ""),
                related_reference=values.get("related_reference", ""),
                address=request.META.get("REMOTE_ADDR", ""),
            )
        except StemhubError as error_:
            if error_.status == 429:
                return error_page(request, error_)
            error = error_
        else:
            request.session["qms_complaint_filed"] = complaint.number
            return redirect("qms_public:complaint_sent")
    return render(
        request,
        "qms/complaints/public_form.html",
        {
            "institutions": complaints.receiving_institutions(),
            "kinds": PUBLIC_KINDS,
            "values": values,
            "error": error,
            "errors": form_errors(error),
            "limits": complaints.public_form_limits(),
            "honeypot": HONEYPOT,
        },
        status=error.status if error else 200,
    )


@require_GET
def complaint_sent(request: HttpRequest) -> HttpResponse:
    """Anyone: the thanks after filing, with the complaint's reference to quote."""
    return render(
        request,
        "qms/complaints/public_sent.html",
        {"number": request.session.pop("qms_complaint_filed", "")},
    )
