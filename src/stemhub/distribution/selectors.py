"""Reads of distribution requests that span relations, with the visibility rules applied.

Who sees a request: its researcher; the provider's reviewers, access committee and bank
technicians; platform admins. Nobody else, whatever their role elsewhere.

The QC gate: only banks that quality assurance has released may be distributed. The release
lives in `stemhub.quality` (`released_banks`, `bank_is_released`, `Certificate`); while that
module lacks them, no bank counts as released and shipment packs list no certificate.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import FieldError
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext

from stemhub.accounts.permissions import Perm, is_platform_admin, user_can
from stemhub.biobank.models import BankTier, CellBank, Vial, VialStatus
from stemhub.biobank.selectors import container_path
from stemhub.core.errors import NotFound
from stemhub.distribution.models import (
    SENT,
    Allocation,
    DistributionRequest,
    LicenceVersion,
    RequestEvent,
    RequestStatus,
)
from stemhub.registry.records import line_record

STAFF_PERMISSIONS = [Perm.DISTRIBUTION_REVIEW, Perm.DISTRIBUTION_SHIP, Perm.DISTRIBUTION_COMMITTEE]


def current_licence() -> LicenceVersion:
    found = LicenceVersion.objects.order_by("-number").first()
    if found is None:
        raise NotFound(gettext("No licence text is on record; run the distribution migrations"))
    return found


# Visibility


def is_distribution_staff(user: Any) -> bool:
    """Reviewer, committee member or technician of their institution (or a platform admin)."""
    return any(
        user_can(user, perm, getattr(user, "institution_id", None)) for perm in STAFF_PERMISSIONS
    )


def visible_requests(user: Any) -> QuerySet[DistributionRequest]:
    if not getattr(user, "is_authenticated", False):
        return DistributionRequest.objects.none()
    if is_platform_admin(user):
        return DistributionRequest.objects.all()
    scope = Q(researcher=user)
    if user.institution_id and is_distribution_staff(user):
        scope |= Q(provider_id=user.institution_id)
    return DistributionRequest.objects.filter(scope)


def request_for(user: Any, pk: int) -> DistributionRequest:
    found = (
        visible_requests(user)
        .select_related("line", "provider", "researcher", "licence", "reviewed_by", "committee_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(
            gettext("No distribution request %(reference)s that you may see")
            % {"reference": f"DR-{pk:05d}"}
        )
    return found


def request_timeline(request: DistributionRequest) -> list[Any]:
    return list(request.events.select_related("actor").order_by("at", "id"))


# The QC gate


def released_banks() -> QuerySet[CellBank]:
    """Banks quality assurance has released; none while stemhub.quality does not say."""
    try:
        from stemhub.quality.selectors import released_banks as quality_released_banks
    except ImportError:
        return CellBank.objects.none()
    return quality_released_banks()


def bank_is_released(bank: CellBank) -> bool:
    try:
        from stemhub.quality.selectors import bank_is_released as quality_bank_is_released
    except ImportError:
        return False
    return bool(quality_bank_is_released(bank))


def distribution_lots(request: DistributionRequest) -> QuerySet[CellBank]:
    """The provider's released distribution lots of the requested line."""
    return CellBank.objects.filter(
        pk__in=released_banks().values("pk"),
        tier=BankTier.DISTRIBUTION,
        line_id=request.line_id,
        institution_id=request.provider_id,
    )


def released_stock(line: Any) -> int:
    """Vials of the line that could be allocated now: in its provider's released distribution
    lots, available, stored and not checked out."""
    lots = CellBank.objects.filter(
        pk__in=released_banks().values("pk"),
        tier=BankTier.DISTRIBUTION,
        line_id=line.pk,
        institution_id=line.institution_id,
    )
    return Vial.objects.filter(
        bank__in=lots,
        status=VialStatus.AVAILABLE,
        container__isnull=False,
        checked_out_to__isnull=True,
    ).count()


def certificates_of(banks: Iterable[CellBank]) -> dict[int, list[Any]] | None:
    """Certificates of analysis of the standing releases, per bank id; None while
    stemhub.quality has no certificates."""
    try:
        from stemhub.quality.models import Certificate
    except ImportError:
        return None
    ids = [b.pk for b in banks]
    try:
        rows = list(
            Certificate.objects.filter(
                release__bank_id__in=ids, release__invalidated_at__isnull=True
            )
            .select_related("release")
            .order_by("number")
        )
    except FieldError:
        return None
    found: dict[int, list[Any]] = {pk: [] for pk in ids}
    for certificate in rows:
        found[certificate.release.bank_id].append(certificate)
    return found


# Fulfilment


def pick_list(request: DistributionRequest) -> list[dict[str, Any]]:
    """The allocated vials in the order a technician walks the store: by container path, then
    position. Each with its storage path, position label, bank and current status."""
    allocations = request.allocations.select_related("vial__container__type", "bank").order_by("id")
    paths: dict[int, str] = {}
    rows = []
    for allocation in allocations:
        vial: Vial = allocation.vial
        box = vial.container
        if box is not None and box.pk not in paths:
            paths[box.pk] = container_path(box)
        rows.append(
            {
                "barcode": vial.barcode,
                "bank": allocation.bank.code,
                "freeze_date": allocation.bank.freeze_date,
                "status": vial.status,
                "container_id": box.pk if box else None,
                "container": paths[box.pk] if box else "",
                "position": box.type.label(vial.row, vial.column) if box else "",
                "place_when_allocated": allocation.place,
            }
        )
    rows.sort(key=lambda r: (r["container"], r["position"], r["barcode"]))
    return rows


CHARACTERISATION_KEYS = (
    "karyotypes",
    "markers",
    "pluritests",
    "differentiations",
    "str_profile",
    "hla_typing",
    "genome_wide_analysis",
    "modifications",
)


def shipment_pack(request: DistributionRequest) -> dict[str, Any]:
    """What the bank promises with the cells: line, lots with passage and cells per vial (or
    post-thaw viability), the vials, characterisation from the registry record, certificates."""
    allocations: list[Allocation] = list(
        request.allocations.select_related("bank", "vial").order_by("bank_id", "vial_id")
    )
    banks = {a.bank_id: a.bank for a in allocations}
    certificates = certificates_of(banks.values())
    lots = []
    for bank in sorted(banks.values(), key=lambda b: (b.freeze_date, b.pk)):
        lots.append(
            {
                "bank": bank.code,
                "bank_id": bank.pk,
                "passage_number": bank.passage_number,
                "freeze_date": bank.freeze_date.isoformat(),
                "cells_per_vial": bank.cells_per_vial,
                "post_thaw_viability": (
                    str(bank.post_thaw_viability) if bank.post_thaw_viability is not None else None
                ),
                "cryo_medium": bank.cryo_medium,
                "vials": [a.vial.barcode for a in allocations if a.bank_id == bank.pk],
                "certificates": (
                    None
                    if certificates is None
                    else [
                        {"id": c.pk, "number": c.number, "sha256": c.sha256}
                        for c in certificates.get(bank.pk, [])
                    ]
                ),
            }
        )
    record = line_record(request.line)
    return {
        "request": request.reference,
        "line": request.line.name,
        "line_type": request.line.line_type,
        "species": request.line.species,
        "provider": request.provider.name,
        "licence": {"number": request.licence.number, "title": request.licence.title},
        "intended_use": request.intended_use,
        "lots": lots,
        "characterisation": {key: record.get(key) for key in CHARACTERISATION_KEYS},
    }


# Statistics

STATISTICS_KEYS = {"line": "line__name", "institution": "recipient_institution"}


def distribution_statistics(user: Any, *, by: str) -> list[dict[str, Any]]:
    """Shipped requests and vials per line (or recipient institution), year shipped, recipient
    country and intended use. Scoped to the user's institution's lines unless platform admin."""
    key = STATISTICS_KEYS[by]
    shipped = DistributionRequest.objects.filter(status__in=SENT, shipment__isnull=False)
    if not is_platform_admin(user):
        if not (user.institution_id and is_distribution_staff(user)):
            return []
        shipped = shipped.filter(provider_id=user.institution_id)
    rows = (
        shipped.annotate(year=ExtractYear("shipment__shipped_on"))
        .values(key, "year", "recipient_country", "intended_use")
        .annotate(requests=Count("id", distinct=True), vials=Count("allocations", distinct=True))
        .order_by(key, "year", "recipient_country", "intended_use")
    )
    return [
        {
            by: row[key],
            "year": row["year"],
            "country": row["recipient_country"],
            "intended_use": row["intended_use"],
            "requests": row["requests"],
            "vials": row["vials"],
        }
        for row in rows
    ]


# Lists and queues


def waiting_since() -> Coalesce:
    """When the request entered its current status (its latest event into it)."""
    entered = (
        RequestEvent.objects.filter(request=OuterRef("pk"), to_status=OuterRef("status"))
        .order_by("-at", "-id")
        .values("at")[:1]
    )
    return Coalesce(Subquery(entered), F("submitted_at"))


class Waiting(TypedDict):
    waiting_since: datetime


if TYPE_CHECKING:  # WithAnnotations cannot be subscripted at run time
    from django_stubs_ext import WithAnnotations

    # A request with `waiting_since`, when it entered its current status.
    WaitingRequest = WithAnnotations[DistributionRequest, Waiting]


def filtered_requests(
    user: Any,
    *,
    statuses: Iterable[str] = (),
    line: str = "",
    researcher: str = "",
    mine: bool = False,
) -> "QuerySet[WaitingRequest]":
    """The requests the user may see, narrowed by status (any of several), line name,
    researcher (name or username) and to their own; with `waiting_since`."""
    found = visible_requests(user)
    if mine:
        found = found.filter(researcher=user)
    wanted = [s for s in statuses if s in RequestStatus.values]
    if wanted:
        found = found.filter(status__in=wanted)
    if line.strip():
        found = found.filter(line__name__icontains=line.strip())
    for word in researcher.split():
        found = found.filter(
            Q(researcher__username__icontains=word)
            | Q(researcher__first_name__icontains=word)
            | Q(researcher__last_name__icontains=word)
        )
    return found.annotate(waiting_since=waiting_since()).select_related(
        "line", "researcher", "provider"
    )


def status_counts(requests: QuerySet[DistributionRequest]) -> dict[str, int]:
    """Requests per status, in the workflow's order, statuses with none left out."""
    counted = dict(
        requests.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {status: counted[status] for status in RequestStatus.values if counted.get(status)}
