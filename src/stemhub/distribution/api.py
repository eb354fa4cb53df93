"""/api/v1/distribution: requests, their review, fulfilment and reports over HTTP.
Parse, call a service or selector, shape. Requests are named by their number (DR-00042 → 42)."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status

from stemhub.accounts.permissions import Perm, require
from stemhub.core.api import OPTIONAL, Percent, Recovery
from stemhub.core.errors import Forbidden, NotFound
from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.distribution import reports, selectors, services
from stemhub.distribution.models import DistributionRequest
from stemhub.registry.models import CellLine
from stemhub.registry.models import Status as LineStatus

router = Router(tags=["distribution"])
# Text a request cannot do without.
Text = Annotated[str, Field(min_length=1)]
D = "/distribution"


class RequestIn(Schema):
    line: Text
    project_title: Text
    project_summary: Text
    principal_investigator: Text
    recipient_institution: Text
    recipient_country: Text
    intended_use: Literal["basic_research", "commercial", "clinical"]
    ethics_reference: Text
    vials_requested: int = Field(ge=1)
    licence_number: int = Field(ge=1)
    accept_licence: bool
    password: str


class RequestDecisionIn(Schema):
    decision: Literal["approve", "reject"]
    reason: str


class RequestReasonIn(Schema):
    reason: str = ""


class ShipIn(Schema):
    courier: Text
    tracking_number: Text
    dry_shipper: Text
    temperature_logger: Text
    shipped_on: date
    expected_on: date | None = None


class ReceiptIn(Schema):
    received_on: date
    condition: str = ""


class ThawReportIn(Schema):
    thawed_on: date
    viability: Percent
    recovery: Recovery
    attachment: Literal["good", "partial", "poor", "none"]
    problems: str = ""


class ResultIn(Schema):
    title: str
    doi: str = ""
    summary: str = ""


class LicenceOut(Schema):
    number: int
    title: str
    text: str
    title_zh: str = Field(description="The Chinese title; empty for an English-only version")
    text_zh: str = Field(description="The Chinese text; empty for an English-only version")
    sha256: str = Field(description="Of the texts a request signs (both, when bilingual)")


class LicenceSignedOut(Schema):
    number: int
    sha256: str


class RequestSignatureOut(Schema):
    printed_name: str
    meaning: str
    signed_at: datetime
    digest: str
    holds: bool = Field(description="The signed content still hashes to the digest")


class RequestEventOut(Schema):
    kind: str
    from_status: str
    to_status: str
    actor: str
    note: str
    at: datetime


class RequestOut(Schema):
    id: int
    reference: str
    line: str
    provider: str
    researcher: str
    project_title: str
    project_summary: str
    principal_investigator: str
    recipient_institution: str
    recipient_country: str
    intended_use: str
    ethics_reference: str
    vials_requested: int
    status: str
    needs_committee: bool
    checks: list[Any] = Field(description="Automatic check notes shown to the reviewers")
    licence: LicenceSignedOut
    signature: RequestSignatureOut
    submitted_at: datetime
    timeline: list[RequestEventOut]


class RequestRowOut(Schema):
    id: int
    reference: str
    line: str
    researcher: str
    status: str
    intended_use: str
    vials_requested: int
    submitted_at: datetime


class PickOut(Schema):
    barcode: str
    bank: str
    freeze_date: date
    status: str
    container_id: int | None
    container: str
    position: str
    place_when_allocated: str


class CertificateRefOut(Schema):
    id: int
    number: str
    sha256: str


class PackLotOut(Schema):
    bank: str
    bank_id: int
    passage_number: int
    freeze_date: str
    cells_per_vial: int | None
    post_thaw_viability: str | None = Field(description="%")
    cryo_medium: str
    vials: list[str]
    certificates: list[CertificateRefOut] | None


class PackLicenceOut(Schema):
    number: int
    title: str


class PackOut(Schema):
    request: str
    line: str
    line_type: str
    species: str
    provider: str
    licence: PackLicenceOut
    intended_use: str
    lots: list[PackLotOut]
    characterisation: dict[str, Any] = Field(description="From the line's registry record")


class ResultOut(Schema):
    id: int
    doi: str
    title: str


class StatisticsRowOut(Schema):
    """One of `line` or `institution`, as asked by `by`."""

    line: str | None = None
    institution: str | None = None
    year: int
    country: str
    intended_use: str
    requests: int
    vials: int


def request_out(found: DistributionRequest) -> dict[str, Any]:
    signature = found.signature
    return {
        "id": found.pk,
        "reference": found.reference,
        "line": found.line.name,
        "provider": found.provider.provider_code,
        "researcher": found.researcher.get_username(),
        "project_title": found.project_title,
        "project_summary": found.project_summary,
        "principal_investigator": found.principal_investigator,
        "recipient_institution": found.recipient_institution,
        "recipient_country": found.recipient_country,
        "intended_use": found.intended_use,
        "ethics_reference": found.ethics_reference,
        "vials_requested": found.vials_requested,
        "status": found.status,
        "needs_committee": found.needs_committee,
        "checks": found.checks,
        "licence": {"number": found.licence.number, "sha256": found.licence.sha256},
        "signature": {
            "printed_name": signature.printed_name,
            "meaning": signature.meaning,
            "signed_at": signature.signed_at,
            "digest": signature.digest,
            "holds": services.signature_holds(found),
        },
        "submitted_at": found.submitted_at,
        "timeline": [
            {
                "kind": e.kind,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor": e.actor.get_username(),
                "note": e.note,
                "at": e.at,
            }
            for e in selectors.request_timeline(found)
        ],
    }


def _found(request: HttpRequest, request_id: int) -> DistributionRequest:
    return selectors.request_for(request.user, request_id)


@router.get(f"{D}/licence", auth=OPTIONAL, response=LicenceOut)
def licence(request: HttpRequest) -> dict[str, Any]:
    """Public: the licence terms a request signs now."""
    current = selectors.current_licence()
    return {
        "number": current.number,
        "title": current.title,
        "text": current.text,
        "title_zh": current.title_zh,
        "text_zh": current.text_zh,
        "sha256": current.sha256,
    }


@router.get(f"{D}/requests", response=list[RequestRowOut])
def request_list(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """Signed in: your requests, and those for your institution's lines if you are its
    distribution staff."""
    rows = selectors.visible_requests(request.user).select_related("line", "researcher")
    return [
        {
            "id": r.pk,
            "reference": r.reference,
            "line": r.line.name,
            "researcher": r.researcher.get_username(),
            "status": r.status,
            "intended_use": r.intended_use,
            "vials_requested": r.vials_requested,
            "submitted_at": r.submitted_at,
        }
        for r in rows
    ]


@router.post(f"{D}/requests", response={201: RequestOut})
def request_create(request: AuthenticatedHttpRequest, payload: RequestIn) -> Status[dict[str, Any]]:
    """Signed in: request a published line and sign the licence (password re-entered)."""
    line = CellLine.objects.filter(name=payload.line, status=LineStatus.PUBLISHED).first()
    if line is None:
        raise NotFound(
            gettext("No published cell line named %(name)s") % {"name": repr(payload.line)},
            fields={"line": [gettext("unknown")]},
        )
    data = payload.dict()
    data.pop("line")
    created = services.distribution_request_create(actor=request.user, line=line, **data)
    return Status(201, request_out(created))


@router.get(f"{D}/requests/{{request_id}}", response=RequestOut)
def request_detail(request: AuthenticatedHttpRequest, request_id: int) -> dict[str, Any]:
    """Signed in, the researcher or the provider's distribution staff: a request and its
    timeline."""
    return request_out(_found(request, request_id))


@router.post(f"{D}/requests/{{request_id}}/review", response=RequestOut)
def request_review(
    request: AuthenticatedHttpRequest, request_id: int, payload: RequestDecisionIn
) -> dict[str, Any]:
    """Needs distribution.review in the provider's institution: approve or reject."""
    found = services.distribution_request_review(
        actor=request.user,
        request=_found(request, request_id),
        approve=payload.decision == "approve",
        reason=payload.reason,
    )
    return request_out(found)


@router.post(f"{D}/requests/{{request_id}}/committee", response=RequestOut)
def request_committee(
    request: AuthenticatedHttpRequest, request_id: int, payload: RequestDecisionIn
) -> dict[str, Any]:
    """Needs the provider's access committee: the second decision on a managed-access line."""
    found = services.distribution_request_committee_review(
        actor=request.user,
        request=_found(request, request_id),
        approve=payload.decision == "approve",
        reason=payload.reason,
    )
    return request_out(found)


@router.post(f"{D}/requests/{{request_id}}/withdraw", response=RequestOut)
def request_withdraw(
    request: AuthenticatedHttpRequest, request_id: int, payload: RequestReasonIn
) -> dict[str, Any]:
    """The request's researcher: withdraw before vials are allocated."""
    found = services.distribution_request_withdraw(
        actor=request.user, request=_found(request, request_id), reason=payload.reason
    )
    return request_out(found)


@router.post(f"{D}/requests/{{request_id}}/allocate", response=list[PickOut])
def request_allocate(request: AuthenticatedHttpRequest, request_id: int) -> list[dict[str, Any]]:
    """Needs distribution.ship in the provider's institution: reserve vials from released
    distribution lots, oldest first; answers the pick list."""
    found = _found(request, request_id)
    services.distribution_allocate(actor=request.user, request=found)
    return selectors.pick_list(found)


@router.post(f"{D}/requests/{{request_id}}/release", response=RequestOut)
def request_release(
    request: AuthenticatedHttpRequest, request_id: int, payload: RequestReasonIn
) -> dict[str, Any]:
    """Needs distribution.ship in the provider's institution: put the reserved vials back."""
    found = services.distribution_allocation_release(
        actor=request.user, request=_found(request, request_id), reason=payload.reason
    )
    return request_out(found)


@router.get(f"{D}/requests/{{request_id}}/pick-list", response=list[PickOut])
def request_pick_list(request: AuthenticatedHttpRequest, request_id: int) -> list[dict[str, Any]]:
    """Needs distribution.ship in the provider's institution: the allocated vials by place."""
    found = _found(request, request_id)
    require(request.user, Perm.DISTRIBUTION_SHIP, found.provider_id)
    return selectors.pick_list(found)


@router.post(f"{D}/requests/{{request_id}}/ship", response=PackOut)
def request_ship(
    request: AuthenticatedHttpRequest, request_id: int, payload: ShipIn
) -> dict[str, Any]:
    """Needs distribution.ship in the provider's institution: record the shipment; answers
    the pack."""
    shipment = services.distribution_ship(
        actor=request.user, request=_found(request, request_id), **payload.dict()
    )
    pack: dict[str, Any] = shipment.pack
    return pack


@router.get(f"{D}/requests/{{request_id}}/pack", response=PackOut)
def request_pack(request: AuthenticatedHttpRequest, request_id: int) -> dict[str, Any]:
    """Signed in, the researcher or the provider's distribution staff: the shipment pack as
    sent (a preview before shipping)."""
    found = _found(request, request_id)
    shipment = getattr(found, "shipment", None)
    return shipment.pack if shipment else selectors.shipment_pack(found)


@router.post(f"{D}/requests/{{request_id}}/receipt", response=RequestOut)
def request_receipt(
    request: AuthenticatedHttpRequest, request_id: int, payload: ReceiptIn
) -> dict[str, Any]:
    """The request's researcher: confirm the cells arrived."""
    found = _found(request, request_id)
    reports.distribution_receipt_confirm(actor=request.user, request=found, **payload.dict())
    return request_out(_found(request, request_id))


@router.post(f"{D}/requests/{{request_id}}/thaw-report", response=RequestOut)
def request_thaw_report(
    request: AuthenticatedHttpRequest, request_id: int, payload: ThawReportIn
) -> dict[str, Any]:
    """The request's researcher: post-thaw viability, recovery, attachment, problems."""
    found = _found(request, request_id)
    reports.distribution_thaw_report(actor=request.user, request=found, **payload.dict())
    return request_out(_found(request, request_id))


@router.post(f"{D}/requests/{{request_id}}/results", response={201: ResultOut})
def request_result(
    request: AuthenticatedHttpRequest, request_id: int, payload: ResultIn
) -> Status[dict[str, Any]]:
    """The request's researcher: a publication (DOI) or result from the project."""
    result = reports.distribution_result_report(
        actor=request.user, request=_found(request, request_id), **payload.dict()
    )
    return Status(201, {"id": result.pk, "doi": result.doi, "title": result.title})


@router.get(f"{D}/statistics", response=list[StatisticsRowOut], exclude_unset=True)
def statistics(
    request: AuthenticatedHttpRequest, by: Literal["line", "institution"] = "line"
) -> list[dict[str, Any]]:
    """Needs distribution.review or distribution.ship: shipped requests and vials by line
    (or recipient institution), year, country and intended use."""
    if not selectors.is_distribution_staff(request.user):
        raise Forbidden(gettext("Statistics need distribution.review or distribution.ship"))
    return selectors.distribution_statistics(request.user, by=by)
