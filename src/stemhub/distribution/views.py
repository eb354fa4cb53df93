"""Distribution pages under /distribution/: the request form, the requests and their
timelines, the actions of each role, pick list, shipment pack, certificates and statistics.
Parse, call a service or selector, render."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from stemhub.accounts.permissions import Perm, user_can
from stemhub.core.auth import printed_name
from stemhub.core.errors import Conflict, Forbidden, InvalidInput, NotFound, StemhubError
from stemhub.core.exports import csv_download
from stemhub.core.names import name_pair
from stemhub.core.pages import AuthenticatedHttpRequest, page
from stemhub.distribution import forms, reports, selectors, services
from stemhub.distribution.committee import is_committee_member
from stemhub.distribution.models import (
    MAX_VIALS_PER_REQUEST,
    Attachment,
    DistributionRequest,
    IntendedUse,
    RequestStatus,
)
from stemhub.distribution.next_steps import next_step, time_waited
from stemhub.registry.models import CellLine, Status

if TYPE_CHECKING:
    from stemhub.distribution.selectors import WaitingRequest

signed_in = page()


def _staff(request: AuthenticatedHttpRequest) -> None:
    if not selectors.is_distribution_staff(request.user):
        raise Forbidden(
            gettext("This page needs distribution.review or distribution.ship in your institution")
        )


# The request form


def _requestable_line(name: str) -> CellLine:
    line = (
        CellLine.objects.select_related("institution")
        .filter(name=name, status=Status.PUBLISHED)
        .first()
    )
    if line is None:
        raise NotFound(gettext("No published cell line named %(name)s") % {"name": repr(name)})
    return line


@signed_in
def request_new(request: AuthenticatedHttpRequest, name: str) -> HttpResponse:
    """Signed in: request a published line for a project and sign the licence."""
    line = _requestable_line(name)
    licence = selectors.current_licence()
    user = request.user
    values: dict[str, Any] = {
        "principal_investigator": name_pair(user.get_full_name(), user.name_zh)[0],
        "recipient_institution": user.institution.display_name if user.institution else "",
        "recipient_country": user.institution.country if user.institution else "",
        "intended_use": IntendedUse.BASIC_RESEARCH,
        "vials_requested": "1",
    }
    error = None
    status = 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in request.POST if k != "password"}
        try:
            created = services.distribution_request_create(
                actor=user, line=line, **_request_fields(request.POST, line)
            )
        except StemhubError as problem:
            error, status = problem, problem.status
        else:
            messages.success(
                request,
                gettext("Request %(reference)s submitted.") % {"reference": created.reference},
            )
            return redirect("distribution:request", pk=created.pk)
    blocked = services.refusals(line, IntendedUse.BASIC_RESEARCH).get("line", [])
    return render(
        request,
        "distribution/request_form.html",
        {
            "line": line,
            "licence": licence,
            "wordings": licence.wordings(),
            "values": values,
            "error": error,
            "blocked": blocked,
            "uses": IntendedUse.choices,
            "max_vials": MAX_VIALS_PER_REQUEST,
            "printed_name": printed_name(user),
            "consent": {
                "research": line.use_research,
                "commercial": line.use_commercial,
                "clinical": line.use_clinical,
            },
        },
        status=status,
    )


def _request_fields(data: Any, line: CellLine) -> dict[str, Any]:
    """The request form's values for the service, or one InvalidInput naming every field that
    is missing or malformed, and the consent that forbids the intended use."""
    form = forms.Form(data)
    fields: dict[str, Any] = {
        "project_title": form.text("project_title", gettext("the project title"), max_length=300),
        "project_summary": form.text("project_summary", gettext("the project summary")),
        "principal_investigator": form.text(
            "principal_investigator", gettext("the principal investigator"), max_length=200
        ),
        "recipient_institution": form.text(
            "recipient_institution", gettext("your institution"), max_length=200
        ),
        "recipient_country": form.text("recipient_country", gettext("the country")),
        "intended_use": form.choice(
            "intended_use", gettext("the intended use"), list(IntendedUse.values)
        ),
        "ethics_reference": form.text(
            "ethics_reference", gettext("the ethics approval reference"), max_length=100
        ),
        "vials_requested": form.integer(
            "vials_requested", gettext("the number of vials"), low=1, high=MAX_VIALS_PER_REQUEST
        ),
        "licence_number": form.integer(
            "licence_number", gettext("the licence version"), low=1, high=10**6
        ),
        "accept_licence": data.get("accept_licence") == "yes",
        "password": data.get("password", ""),
    }
    country = fields["recipient_country"]
    if country and not re.fullmatch(r"[A-Za-z]{2}", country):
        form.problem(
            "recipient_country",
            gettext("Give the country as its two-letter code (DE, CN, US …), not %(typed)r.")
            % {"typed": country[:40]},
        )
    if fields["intended_use"] in IntendedUse.values:
        for reason in services.refusals(line, fields["intended_use"]).get("intended_use", []):
            form.problem("intended_use", reason)
    if not fields["accept_licence"]:
        form.problem("accept_licence", gettext("Tick the box to accept the licence terms."))
    if not fields["password"]:
        form.problem("password", gettext("Type your password to sign."))
    form.check()
    return fields


# Lists and detail


@dataclass(frozen=True)
class NamedQueue:
    title: Any
    statuses: tuple[str, ...] = ()
    mine: bool = False


# The lists the menu and the home page link to: /distribution/requests/<name>/.
QUEUES = {
    "mine": NamedQueue(_("My requests"), mine=True),
    "to-review": NamedQueue(_("Requests to review"), (RequestStatus.SUBMITTED,)),
    "committee": NamedQueue(_("Committee decisions"), (RequestStatus.AWAITING_COMMITTEE,)),
    "to-ship": NamedQueue(
        _("To allocate and ship"), (RequestStatus.APPROVED, RequestStatus.ALLOCATED)
    ),
}


@signed_in
def request_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Signed in: your own requests, and, for distribution staff, those for your lines; by
    status (several), line, researcher or only your own, with counts per status, how long each
    has waited and what happens next."""
    statuses = [s for s in request.GET.getlist("status") if s in RequestStatus.values]
    return _requests_page(
        request,
        statuses=statuses,
        line=request.GET.get("line", "").strip(),
        researcher=request.GET.get("researcher", "").strip(),
        mine=request.GET.get("mine") == "1",
    )


@signed_in
def request_queue(request: AuthenticatedHttpRequest, queue: str) -> HttpResponse:
    """Signed in: a named list of the requests you may see: `mine`, `to-review` (submitted),
    `committee` (awaiting the committee), `to-ship` (approved and allocated)."""
    if queue not in QUEUES:
        raise NotFound(
            gettext("No list of requests is called %(name)r; use one of %(names)s.")
            % {"name": queue, "names": ", ".join(QUEUES)}
        )
    chosen = QUEUES[queue]
    return _requests_page(
        request, statuses=list(chosen.statuses), mine=chosen.mine, title=chosen.title
    )


def _listed(found: "WaitingRequest", user: Any) -> dict[str, Any]:
    return {
        "req": found,
        "next": next_step(found, user),
        "waited": time_waited(found.waiting_since),
    }


def _requests_page(
    request: AuthenticatedHttpRequest,
    *,
    statuses: list[str],
    line: str = "",
    researcher: str = "",
    mine: bool = False,
    title: Any = None,
) -> HttpResponse:
    user = request.user
    scope = selectors.filtered_requests(user, line=line, researcher=researcher, mine=mine)
    # A queue (some statuses chosen) lists who waited longest first; the rest, newest first.
    ordered = (
        scope.filter(status__in=statuses).order_by("waiting_since", "id")
        if statuses
        else scope.order_by("-submitted_at", "-id")
    )
    listing = Paginator(ordered, 50).get_page(request.GET.get("page"))
    staff = selectors.is_distribution_staff(user)
    kept = {"line": line, "researcher": researcher, "mine": "1" if mine else ""}
    base = urlencode({key: value for key, value in kept.items() if value})
    query = urlencode([*((k, v) for k, v in kept.items() if v), *(("status", s) for s in statuses)])
    counts = selectors.status_counts(scope)
    return render(
        request,
        "distribution/request_list.html",
        {
            "title": title,
            "page": listing,
            "rows": [_listed(r, user) for r in listing.object_list],
            "staff": staff,
            "show_researcher": staff and not mine,
            "statuses": RequestStatus.choices,
            "selected": statuses,
            "tabs": [
                {
                    "status": status,
                    "label": RequestStatus(status).label,
                    "count": counts.get(status, 0),
                }
                for status in RequestStatus.values
                if counts.get(status) or status in statuses
            ],
            "total": sum(counts.values()),
            "base_query": base,
            "query": query,
            "filters": {"line": line, "researcher": researcher, "mine": mine},
            "filtered": bool(statuses or line or researcher),
        },
    )


def _actions(request: AuthenticatedHttpRequest, found: DistributionRequest) -> dict[str, bool]:
    user = request.user
    provider = found.provider_id
    own = user.pk == found.researcher_id
    ship = user_can(user, Perm.DISTRIBUTION_SHIP, provider)
    return {
        "review": found.status == RequestStatus.SUBMITTED
        and not own
        and user_can(user, Perm.DISTRIBUTION_REVIEW, provider),
        "committee": found.status == RequestStatus.AWAITING_COMMITTEE
        and user.pk not in (found.researcher_id, found.reviewed_by_id)
        and is_committee_member(user, provider),
        "withdraw": own and found.status in services.WITHDRAWABLE,
        "allocate": ship and found.status == RequestStatus.APPROVED,
        "ship": ship and found.status == RequestStatus.ALLOCATED,
        "pick": ship and found.status in (RequestStatus.ALLOCATED,),
        "receipt": own and found.status == RequestStatus.SHIPPED,
        "thaw": own and found.status == RequestStatus.RECEIVED,
        "result": own and found.status in (RequestStatus.RECEIVED, RequestStatus.REPORTED),
    }


@signed_in
def request_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Signed in, the request's researcher or its provider's distribution staff: the request,
    its checks, signature, timeline, shipment, reports and the actions open to you."""
    found = selectors.request_for(request.user, pk)
    return _detail_page(request, found)


def _detail_page(
    request: AuthenticatedHttpRequest,
    found: DistributionRequest,
    *,
    failed: str = "",
    error: StemhubError | None = None,
) -> HttpResponse:
    """The request page; after a refused action, with its error, the problems by field and
    what was typed, so that the form is corrected rather than filled in again."""
    kept = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"} if failed else {}
    can = _actions(request, found)
    # The curator's review and the committee's decision share one form on the page.
    form = "review" if failed == "committee" else failed
    return render(
        request,
        "distribution/request_detail.html",
        {
            "error": error,
            "failed": failed,
            "kept": {form: kept} if failed else {},
            "problems": {form: error.fields} if failed and error else {},
            "req": found,
            "timeline": selectors.request_timeline(found),
            "signature": found.signature,
            "signature_holds": services.signature_holds(found),
            "shipment": getattr(found, "shipment", None),
            "receipt": getattr(found, "receipt", None),
            "thaw": getattr(found, "thaw_report", None),
            "results": list(found.results.all()),
            "can": can,
            "attachments": Attachment.choices,
            "pick": selectors.pick_list(found) if can["pick"] else [],
            "stock": selectors.released_stock(found.line) if can["allocate"] else 0,
            "next": next_step(found, request.user),
        },
        status=error.status if error else 200,
    )


def _review(request: AuthenticatedHttpRequest, found: DistributionRequest) -> str:
    services.distribution_request_review(
        actor=request.user,
        request=found,
        approve=forms.decision(request.POST),
        reason=request.POST.get("reason", ""),
    )
    return gettext("Decision recorded.")


def _committee(request: AuthenticatedHttpRequest, found: DistributionRequest) -> str:
    services.distribution_request_committee_review(
        actor=request.user,
        request=found,
        approve=forms.decision(request.POST),
        reason=request.POST.get("reason", ""),
    )
    return gettext("The committee's decision is recorded.")


def _withdraw(request: AuthenticatedHttpRequest, found: DistributionRequest) -> str:
    services.distribution_request_withdraw(
        actor=request.user, request=found, reason=request.POST.get("reason", "")
    )
    return gettext("Request withdrawn.")


def _allocate(request: AuthenticatedHttpRequest, found: DistributionRequest) -> str:
    allocations = services.distribution_allocate(actor=request.user, request=found)
    return ngettext(
        "%(count)d vial reserved; the pick list is below.",
        "%(count)d vials reserved; the pick list is below.",
        len(allocations),
    ) % {"count": len(allocations)}


def _release(request: AuthenticatedHttpRequest, found: DistributionRequest) -> str:
    services.distribution_allocation_release(
        actor=request.user, request=found, reason=request.POST.get("reason", "")
    )
    return gettext("Vials put back; allocate again when ready.")


def _ship(request: AuthenticatedHttpRequest, found: DistributionRequest) -> str:
    form = forms.Form(request.POST)
    courier = form.text("courier", gettext("the courier"), max_length=100)
    tracking_number = form.text("tracking_number", gettext("the tracking number"), max_length=100)
    dry_shipper = form.text("dry_shipper", gettext("the dry shipper"), max_length=100)
    temperature_logger = form.text(
        "temperature_logger", gettext("the temperature logger"), max_length=100
    )
    shipped_on = form.day("shipped_on", gettext("the shipping date"))
    expected_on = form.optional_day("expected_on", gettext("the expected arrival date"))
    form.check()
    services.distribution_ship(
        actor=request.user,
        request=found,
        courier=courier,
        tracking_number=tracking_number,
        dry_shipper=dry_shipper,
        temperature_logger=temperature_logger,
        shipped_on=shipped_on,
        expected_on=expected_on,
    )
    return gettext("Shipment recorded; the researcher has been told.")


def _receipt(request: AuthenticatedHttpRequest, found: DistributionRequest) -> str:
    form = forms.Form(request.POST)
    received_on = form.day("received_on", gettext("the date the cells arrived"))
    condition = form.text("condition", gettext("the condition"), required=False, max_length=500)
    form.check()
    reports.distribution_receipt_confirm(
        actor=request.user, request=found, received_on=received_on, condition=condition
    )
    return gettext("Receipt confirmed. Thank you.")


def _thaw(request: AuthenticatedHttpRequest, found: DistributionRequest) -> str:
    form = forms.Form(request.POST)
    thawed_on = form.day("thawed_on", gettext("the thaw date"))
    viability = form.decimal("viability", gettext("the viability"))
    recovery = form.decimal("recovery", gettext("the recovery"))
    attachment = form.choice("attachment", gettext("the attachment"), Attachment.values)
    problems = form.text("problems", gettext("the problems"), required=False)
    form.check()
    reports.distribution_thaw_report(
        actor=request.user,
        request=found,
        thawed_on=thawed_on,
        viability=viability,
        recovery=recovery,
        attachment=attachment,
        problems=problems,
    )
    return gettext("Post-thaw results recorded. Thank you.")


def _result(request: AuthenticatedHttpRequest, found: DistributionRequest) -> str:
    form = forms.Form(request.POST)
    title = form.text("title", gettext("the title"), max_length=300)
    form.check()
    reports.distribution_result_report(
        actor=request.user,
        request=found,
        title=title,
        doi=request.POST.get("doi", ""),
        summary=request.POST.get("summary", ""),
    )
    return gettext("Result shared with the provider. Thank you.")


ACTIONS: dict[str, Callable[[AuthenticatedHttpRequest, DistributionRequest], str]] = {
    "review": _review,
    "committee": _committee,
    "withdraw": _withdraw,
    "allocate": _allocate,
    "release": _release,
    "ship": _ship,
    "receipt": _receipt,
    "thaw": _thaw,
    "result": _result,
}


@require_POST
@signed_in
def request_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """Signed in, and what the action needs: review (distribution.review), committee (the
    access committee), allocate/release/ship (distribution.ship), withdraw/receipt/thaw/result
    (the request's researcher) — each in the provider's institution."""
    if action not in ACTIONS:
        raise NotFound(gettext("No action %(action)s") % {"action": repr(action)})
    found = selectors.request_for(request.user, pk)
    try:
        message = ACTIONS[action](request, found)
    except (InvalidInput, Conflict) as error:
        # Shown on the request page with what was typed; 403 and 404 keep the error page.
        return _detail_page(
            request, selectors.request_for(request.user, pk), failed=action, error=error
        )
    messages.success(request, message)
    return redirect("distribution:request", pk=found.pk)


# Fulfilment pages


@signed_in
def pick_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs distribution.ship in the provider's institution: the vials to pick, by place."""
    found = selectors.request_for(request.user, pk)
    if not user_can(request.user, Perm.DISTRIBUTION_SHIP, found.provider_id):
        raise Forbidden(
            gettext("The pick list needs distribution.ship in the provider's institution")
        )
    return render(
        request,
        "distribution/pick_list.html",
        {"req": found, "rows": selectors.pick_list(found)},
    )


@signed_in
def pack(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Signed in, the request's researcher or its provider's staff: the shipment pack as sent
    (before shipping, a preview from the allocated lots)."""
    found = selectors.request_for(request.user, pk)
    shipment = getattr(found, "shipment", None)
    content = shipment.pack if shipment else selectors.shipment_pack(found)
    return render(
        request,
        "distribution/pack.html",
        {"req": found, "pack": content, "shipment": shipment},
    )


@signed_in
def certificate(request: AuthenticatedHttpRequest, pk: int, certificate_id: int) -> HttpResponse:
    """Signed in, the request's researcher or its provider's staff: a certificate of analysis
    of a lot in the request's pack."""
    found = selectors.request_for(request.user, pk)
    shipment = getattr(found, "shipment", None)
    content = shipment.pack if shipment else selectors.shipment_pack(found)
    listed = {c["id"] for lot in content["lots"] for c in (lot.get("certificates") or [])}
    if certificate_id not in listed:
        raise NotFound(
            gettext("No certificate %(id)d in the pack of %(reference)s")
            % {"id": certificate_id, "reference": found.reference}
        )
    from stemhub.quality.models import Certificate

    document = Certificate.objects.get(pk=certificate_id)
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.number}.pdf"'
    return response


# Statistics


@signed_in
def statistics(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs distribution.review or distribution.ship: shipments of your institution's lines by
    line and by recipient institution, year, country and intended use."""
    _staff(request)
    uses = dict(IntendedUse.choices)

    def table(by: str, title: Any, label: Any) -> dict[str, Any]:
        rows = selectors.distribution_statistics(request.user, by=by)
        return {
            "key": by,
            "title": title,
            "label": label,
            "rows": [
                {
                    **row,
                    "name": row[by],
                    "use_label": uses.get(row["intended_use"], row["intended_use"]),
                }
                for row in rows
            ],
        }

    return render(
        request,
        "distribution/statistics.html",
        {
            "tables": [
                table("line", _("By line"), _("Line")),
                table("institution", _("By recipient institution"), _("Recipient institution")),
            ]
        },
    )


@signed_in
def statistics_csv(
    request: AuthenticatedHttpRequest, by: str
) -> HttpResponse | StreamingHttpResponse:
    """Needs distribution.review or distribution.ship: the statistics as CSV, by line or by
    recipient institution."""
    _staff(request)
    if by not in selectors.STATISTICS_KEYS:
        raise NotFound(
            gettext("No statistics by %(by)s; use line or institution") % {"by": repr(by)}
        )
    rows = selectors.distribution_statistics(request.user, by=by)
    columns = [by, "year", "country", "intended_use", "requests", "vials"]
    return csv_download(
        f"distribution-by-{by}.csv",
        columns,
        ([row[c] for c in columns] for row in rows),
        stream=False,
    )
