"""What the researcher reports back: receipt of the shipment, post-thaw results, and the
publications or results of the project. Each write is atomic, locks the request, checks it is
the researcher's own and in the right state, and writes its `RequestEvent`."""

import re
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from stemhub.accounts.models import User
from stemhub.audit.context import audit_context
from stemhub.core.errors import Conflict, Forbidden, InvalidInput, full_clean
from stemhub.distribution.models import (
    DOI_PATTERN,
    Attachment,
    DistributionRequest,
    Receipt,
    RequestEvent,
    RequestStatus,
    ResultReport,
    ThawReport,
)
from stemhub.distribution.steps import expect_status, locked_request, request_event


def _own(actor: User, request: DistributionRequest, refusal: str) -> None:
    """Refuse anyone but the request's researcher, saying `refusal` (with `%(reference)s`)."""
    if actor.pk != request.researcher_id:
        raise Forbidden(refusal % {"reference": request.reference})


@transaction.atomic
def distribution_receipt_confirm(
    *, actor: User, request: DistributionRequest, received_on: date, condition: str = ""
) -> Receipt:
    request = locked_request(request)
    _own(
        actor,
        request,
        gettext("Only the researcher who made %(reference)s can confirm its receipt"),
    )
    expect_status(request, RequestStatus.SHIPPED)
    if received_on < request.shipment.shipped_on:
        raise InvalidInput(
            gettext("The cells cannot arrive before they were shipped"),
            fields={"received_on": [gettext("before the shipping date")]},
        )
    if received_on > timezone.localdate():
        raise InvalidInput(
            gettext("That date is in the future"),
            fields={"received_on": [gettext("future")]},
        )
    receipt = Receipt(
        request=request, received_on=received_on, condition=condition.strip(), confirmed_by=actor
    )
    before = request.status
    with audit_context(actor=actor, reason="Receipt confirmed"):
        receipt.save()
        request.status = RequestStatus.RECEIVED
        request.save(update_fields=["status", "updated_at"])
        request_event(request, RequestEvent.Kind.RECEIVED, actor, before, receipt.condition)
    return receipt


@transaction.atomic
def distribution_thaw_report(
    *,
    actor: User,
    request: DistributionRequest,
    thawed_on: date,
    viability: Decimal,
    recovery: Decimal,
    attachment: str,
    problems: str = "",
) -> ThawReport:
    """Post-thaw results: viability %, recovery % of the promised cells, attachment, problems."""
    request = locked_request(request)
    _own(
        actor,
        request,
        gettext("Only the researcher who made %(reference)s can report its post-thaw results"),
    )
    expect_status(request, RequestStatus.RECEIVED)
    if attachment not in Attachment.values:
        raise InvalidInput(
            gettext("Attachment is one of %(values)s") % {"values": ", ".join(Attachment.values)},
            fields={"attachment": [gettext("unknown value")]},
        )
    if not Decimal(0) <= viability <= Decimal(100):
        raise InvalidInput(
            gettext("Viability is a percentage"), fields={"viability": [gettext("0 to 100")]}
        )
    if recovery < 0:
        raise InvalidInput(
            gettext("Recovery cannot be negative"), fields={"recovery": [gettext("0 or more")]}
        )
    if thawed_on > timezone.localdate():
        raise InvalidInput(
            gettext("The thaw date is in the future."),
            fields={"thawed_on": [gettext("future")]},
        )
    if thawed_on < request.receipt.received_on:
        raise InvalidInput(
            gettext("The cells were thawed before they arrived?"),
            fields={"thawed_on": [gettext("before receipt")]},
        )
    report = ThawReport(
        request=request,
        thawed_on=thawed_on,
        viability=viability,
        recovery=recovery,
        attachment=attachment,
        problems=problems.strip(),
        reported_by=actor,
    )
    full_clean(report, validate_constraints=False, exclude=["request"])
    before = request.status
    with audit_context(actor=actor, reason="Post-thaw results reported"):
        report.save()
        request.status = RequestStatus.REPORTED
        request.save(update_fields=["status", "updated_at"])
        request_event(
            request,
            RequestEvent.Kind.THAW_REPORTED,
            actor,
            before,
            f"Viability {viability}%, recovery {recovery}%, attachment {attachment}",
        )
    return report


def normalise_doi(doi: str) -> str:
    doi = doi.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix) :]
    return doi


@transaction.atomic
def distribution_result_report(
    *, actor: User, request: DistributionRequest, title: str, doi: str = "", summary: str = ""
) -> ResultReport:
    """A publication or result from the project, shared with the provider as the licence asks."""
    request = locked_request(request)
    _own(
        actor,
        request,
        gettext("Only the researcher who made %(reference)s can report its results"),
    )
    expect_status(request, RequestStatus.RECEIVED, RequestStatus.REPORTED)
    doi = normalise_doi(doi)
    if doi and not re.fullmatch(DOI_PATTERN, doi):
        raise InvalidInput(
            gettext("%(doi)s is not a DOI (10.xxxx/…)") % {"doi": repr(doi)},
            fields={"doi": [gettext("not a DOI")]},
        )
    if not title.strip():
        raise InvalidInput(
            gettext("Give the title of the publication or result"),
            fields={"title": [gettext("required")]},
        )
    if doi and request.results.filter(doi=doi).exists():
        raise Conflict(
            gettext("%(doi)s is already reported for %(reference)s")
            % {"doi": doi, "reference": request.reference},
            fields={"doi": [gettext("reported")]},
        )
    result = ResultReport(
        request=request, doi=doi, title=title.strip(), summary=summary.strip(), reported_by=actor
    )
    full_clean(result, validate_constraints=False, exclude=["request"])
    with audit_context(actor=actor, reason="Result shared"):
        result.save()
        request_event(
            request,
            RequestEvent.Kind.RESULT_REPORTED,
            actor,
            request.status,
            f"{doi} {result.title}".strip(),
        )
    return result
