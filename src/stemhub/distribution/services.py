"""Writes of the distribution workflow: request, review, allocation, shipment (what the
researcher reports back is in `reports`).

Each function is atomic, checks who may act, locks the request row before it reads its status,
runs its writes inside `audit_context`, and writes a `RequestEvent` for every status change.
Vials change status only through the biobank's `vials_set_status`, which writes their custody
events. The state machine:

    submitted ─┬─ review: approve ─┬─ (managed access) → awaiting_committee ─┬─ approve → approved
               │                   └─ → approved                            └─ reject → rejected
               ├─ review: reject → rejected
    submitted, awaiting_committee, approved ── withdraw (researcher) → withdrawn
    approved → allocate → allocated ─┬─ ship → shipped → confirm receipt → received
                                     └─ release → approved          → report thaw → reported
    received, reported ── report a result (DOI) ── (status unchanged)
"""

import hashlib
import json
import re
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext
from django_stubs_ext import StrPromise

from stemhub.accounts.models import User
from stemhub.accounts.permissions import Perm, is_platform_admin, require
from stemhub.audit.context import audit_context
from stemhub.biobank.models import CellBank, Container, Vial, VialStatus
from stemhub.biobank.selectors import container_path, place_text
from stemhub.biobank.services import vials_locked, vials_set_status
from stemhub.core.auth import password_confirm, printed_name
from stemhub.core.errors import Conflict, Forbidden, InvalidInput, full_clean
from stemhub.distribution import selectors
from stemhub.distribution.checks import check_notes
from stemhub.distribution.committee import is_committee_member
from stemhub.distribution.models import (
    MAX_VIALS_PER_REQUEST,
    SIGNATURE_MEANING,
    Allocation,
    DistributionRequest,
    IntendedUse,
    LicenceSignature,
    LicenceVersion,
    RequestEvent,
    RequestStatus,
    Shipment,
    licence_sha256,
)
from stemhub.distribution.notifications import holders, notify
from stemhub.distribution.steps import expect_status, locked_request, request_event
from stemhub.qms.gating import require_authorised
from stemhub.qms.models import Task
from stemhub.registry.models import Availability, CellLine, Status
from stemhub.registry.services import line_locked

REQUESTABLE = [Availability.AVAILABLE, Availability.EXPAND_TO_ORDER]
# Why a line whose availability is not requestable cannot be requested, in words a researcher
# can act on.
UNAVAILABLE: dict[str, StrPromise] = {
    Availability.NOT_AVAILABLE: gettext_lazy(
        "%(name)s is not available for distribution yet: it cannot be requested until "
        "%(provider)s makes it available"
    ),
    Availability.RESTRICTED: gettext_lazy(
        "%(name)s is under restricted distribution: it cannot be requested here; ask "
        "%(provider)s about access"
    ),
    Availability.RECALLED: gettext_lazy("%(name)s has been recalled: it cannot be requested"),
    Availability.WITHDRAWN: gettext_lazy("%(name)s has been withdrawn: it cannot be requested"),
}
# Why the donor's consent refuses an intended use.
CONSENT_REFUSAL: dict[str, StrPromise] = {
    IntendedUse.BASIC_RESEARCH: gettext_lazy(
        "The donor's consent for %(name)s does not allow research use"
    ),
    IntendedUse.COMMERCIAL: gettext_lazy(
        "The donor's consent for %(name)s does not allow commercial use"
    ),
    IntendedUse.CLINICAL: gettext_lazy(
        "The donor's consent for %(name)s does not allow clinical use"
    ),
}
WITHDRAWABLE = [
    RequestStatus.SUBMITTED,
    RequestStatus.AWAITING_COMMITTEE,
    RequestStatus.APPROVED,
]
PROJECT_FIELDS = (
    "project_title",
    "project_summary",
    "principal_investigator",
    "recipient_institution",
    "recipient_country",
    "ethics_reference",
)


# The automatic checks


def refusals(line: CellLine, intended_use: str) -> dict[str, list[str]]:
    """Why this line cannot go out for this use, by field: empty when nothing forbids it."""
    found: dict[str, list[str]] = {}
    if line.status != Status.PUBLISHED or line.published_at is None:
        found.setdefault("line", []).append(
            gettext("%(name)s is not published in the catalogue") % {"name": line.name}
        )
    if line.availability not in REQUESTABLE:
        found.setdefault("line", []).append(
            UNAVAILABLE.get(line.availability, UNAVAILABLE[Availability.NOT_AVAILABLE])
            % {"name": line.name, "provider": line.institution.display_name}
        )
    consent = {
        IntendedUse.BASIC_RESEARCH: line.use_research,
        IntendedUse.COMMERCIAL: line.use_commercial,
        IntendedUse.CLINICAL: line.use_clinical,
    }
    if intended_use in consent and consent[IntendedUse(intended_use)] is False:
        found.setdefault("intended_use", []).append(
            CONSENT_REFUSAL[intended_use] % {"name": line.name}
        )
    return found


def _refuse_if_blocked(line: CellLine, intended_use: str) -> None:
    found = refusals(line, intended_use)
    if found:
        raise Conflict(" ".join(m for ms in found.values() for m in ms), fields=found)


# Request and signature


def signature_digest(request: DistributionRequest, signature: LicenceSignature) -> str:
    """SHA-256 over the request as submitted, the signer, and the licence version and text."""
    content = {
        "line": request.line.name,
        "researcher": request.researcher.get_username(),
        **{name: getattr(request, name) for name in PROJECT_FIELDS},
        "intended_use": request.intended_use,
        "vials_requested": request.vials_requested,
        "licence_number": signature.licence.number,
        "licence_sha256": signature.licence.sha256,
        "printed_name": signature.printed_name,
        "meaning": signature.meaning,
        "signed_at": signature.signed_at.isoformat(),
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def signature_holds(request: DistributionRequest) -> bool:
    """True while the request still matches what its researcher signed."""
    signature = request.signature
    return signature.digest == signature_digest(request, signature)


def distribution_request_create(
    *,
    actor: User,
    line: CellLine,
    project_title: str,
    project_summary: str,
    principal_investigator: str,
    recipient_institution: str,
    recipient_country: str,
    intended_use: str,
    ethics_reference: str,
    vials_requested: int,
    licence_number: int,
    accept_licence: bool,
    password: str,
) -> DistributionRequest:
    """Any signed-in user requests a published, requestable line for one named project and
    signs the licence version they were shown: password re-entered; the signature carries the
    account's printed name (`printed_name`), never a name typed in."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise Forbidden(gettext("Log in to request a line"))
    # Before the transaction opens: a wrong password is counted even though nothing is written.
    password_confirm(
        actor,
        password,
        wrong=InvalidInput(
            gettext("The password does not match your account; the signature needs it re-entered"),
            fields={"password": [gettext("does not match")]},
        ),
    )
    with transaction.atomic():
        if intended_use not in IntendedUse.values:
            raise InvalidInput(
                gettext("Unknown intended use %(value)s; use one of %(values)s")
                % {"value": repr(intended_use), "values": ", ".join(IntendedUse.values)},
                fields={"intended_use": [gettext("unknown value")]},
            )
        line = line_locked(line)
        _refuse_if_blocked(line, intended_use)
        if not 1 <= vials_requested <= MAX_VIALS_PER_REQUEST:
            raise InvalidInput(
                gettext("Ask for 1 to %(max)d vials") % {"max": MAX_VIALS_PER_REQUEST},
                fields={"vials_requested": [gettext("out of range")]},
            )
        country = recipient_country.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise InvalidInput(
                gettext("Give the country as its two-letter ISO code (DE, CN, US …)"),
                fields={"recipient_country": [gettext("two letters")]},
            )
        licence = selectors.current_licence()
        if licence_number != licence.number:
            raise Conflict(
                gettext(
                    "The licence terms changed (version %(new)d replaces %(old)d); "
                    "read the new terms and sign again"
                )
                % {"new": licence.number, "old": licence_number},
                fields={"licence_number": [gettext("not the current version")]},
            )
        if not accept_licence:
            raise InvalidInput(
                gettext("Accept the licence terms to submit the request"),
                fields={"accept_licence": [gettext("required")]},
            )
        request = DistributionRequest(
            line=line,
            provider_id=line.institution_id,
            researcher=actor,
            project_title=project_title.strip(),
            project_summary=project_summary.strip(),
            principal_investigator=principal_investigator.strip(),
            recipient_institution=recipient_institution.strip(),
            recipient_country=country,
            intended_use=intended_use,
            ethics_reference=ethics_reference.strip(),
            vials_requested=vials_requested,
            licence=licence,
            needs_committee=line.managed_access,
            checks=check_notes(line, intended_use),
        )
        full_clean(request, validate_constraints=False)
        with audit_context(actor=actor, reason=f"Request for {line.name}"):
            request.save()
            signature = LicenceSignature(
                request=request,
                licence=licence,
                signer=actor,
                printed_name=printed_name(actor),
                meaning=SIGNATURE_MEANING,
                signed_at=timezone.now(),
            )
            signature.digest = signature_digest(request, signature)
            signature.save()
            request_event(
                request,
                RequestEvent.Kind.SUBMITTED,
                actor,
                "",
                f"Licence version {licence.number} signed by {signature.printed_name}",
            )
    notify("submitted", request, [actor])
    notify("to_review", request, holders(Perm.DISTRIBUTION_REVIEW, request.provider_id))
    return request


def _reason(reason: str, missing: str) -> str:
    """The reason given, or InvalidInput saying `missing`."""
    if not reason.strip():
        raise InvalidInput(missing, fields={"reason": [gettext("required")]})
    return reason.strip()


def _decision_reason(reason: str, approve: bool) -> str:
    if approve:
        return _reason(reason, gettext("Give a reason for the approval"))
    return _reason(reason, gettext("Give a reason for the rejection"))


# Review


@transaction.atomic
def distribution_request_review(
    *, actor: User, request: DistributionRequest, approve: bool, reason: str
) -> DistributionRequest:
    """The provider's curator approves or rejects. Approval re-runs the automatic checks
    against the line as it is now; a managed-access line then waits for the committee."""
    request = locked_request(request)
    require(actor, Perm.DISTRIBUTION_REVIEW, request.provider_id)
    require_authorised(actor, Task.REQUEST_REVIEW, request.provider_id)
    if actor.pk == request.researcher_id:
        raise Forbidden(gettext("You cannot review your own request"))
    expect_status(request, RequestStatus.SUBMITTED)
    reason = _decision_reason(reason, approve)
    before = request.status
    with audit_context(actor=actor, reason=reason):
        request.reviewed_by = actor
        if approve:
            line = line_locked(request.line_id)
            _refuse_if_blocked(line, request.intended_use)
            request.needs_committee = request.needs_committee or line.managed_access
            request.status = (
                RequestStatus.AWAITING_COMMITTEE
                if request.needs_committee
                else RequestStatus.APPROVED
            )
        else:
            request.status = RequestStatus.REJECTED
        request.save(update_fields=["status", "reviewed_by", "needs_committee", "updated_at"])
        kind = RequestEvent.Kind.APPROVED if approve else RequestEvent.Kind.REJECTED
        request_event(request, kind, actor, before, reason)
    if request.status == RequestStatus.AWAITING_COMMITTEE:
        notify("committee", request, holders(Perm.DISTRIBUTION_COMMITTEE, request.provider_id))
    else:
        _decided(request, reason)
    return request


def _decided(request: DistributionRequest, reason: str) -> None:
    outcome = "approved" if request.status == RequestStatus.APPROVED else "rejected"
    notify("decision", request, [request.researcher], outcome=outcome, reason=reason)
    if outcome == "approved":
        notify("to_ship", request, holders(Perm.DISTRIBUTION_SHIP, request.provider_id))


@transaction.atomic
def distribution_request_committee_review(
    *, actor: User, request: DistributionRequest, approve: bool, reason: str
) -> DistributionRequest:
    """The provider's access committee gives the second decision on a managed-access line;
    its member must be someone other than the curator who approved and the researcher."""
    request = locked_request(request)
    if not is_committee_member(actor, request.provider_id):
        raise Forbidden(
            gettext(
                "The second approval of a managed-access line needs the provider's access committee"
            )
        )
    expect_status(request, RequestStatus.AWAITING_COMMITTEE)
    if actor.pk in (request.reviewed_by_id, request.researcher_id):
        raise Forbidden(
            gettext(
                "The committee's approval must come from someone other than the curator who "
                "approved and the researcher"
            )
        )
    reason = _decision_reason(reason, approve)
    before = request.status
    with audit_context(actor=actor, reason=reason):
        if approve:
            line = line_locked(request.line_id)
            _refuse_if_blocked(line, request.intended_use)
        request.committee_by = actor
        request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
        request.save(update_fields=["status", "committee_by", "updated_at"])
        kind = RequestEvent.Kind.COMMITTEE_APPROVED if approve else RequestEvent.Kind.REJECTED
        request_event(request, kind, actor, before, reason)
    _decided(request, reason)
    return request


@transaction.atomic
def distribution_request_withdraw(
    *, actor: User, request: DistributionRequest, reason: str = ""
) -> DistributionRequest:
    """The researcher withdraws a request before vials are allocated to it."""
    request = locked_request(request)
    if actor.pk != request.researcher_id:
        raise Forbidden(gettext("Only the researcher who made a request can withdraw it"))
    expect_status(request, *WITHDRAWABLE)
    before = request.status
    with audit_context(actor=actor, reason=reason or "Withdrawn by the researcher"):
        request.status = RequestStatus.WITHDRAWN
        request.save(update_fields=["status", "updated_at"])
        request_event(request, RequestEvent.Kind.WITHDRAWN, actor, before, reason.strip())
    return request


# Fulfilment


def _reference_reason(request: DistributionRequest, what: str) -> str:
    return f"{what} for distribution request {request.reference} ({request.line.name})"


@transaction.atomic
def distribution_allocate(*, actor: User, request: DistributionRequest) -> list[Allocation]:
    """Reserve the requested number of vials from the provider's released distribution lots,
    oldest freeze date first; all of them or none.

    Locks: the request, then the line's distribution lots in primary-key order (so that two
    allocations of one line take turns), then the chosen vials in primary-key order, which are
    checked again under the lock before the biobank reserves them."""
    request = locked_request(request)
    require(actor, Perm.DISTRIBUTION_SHIP, request.provider_id)
    expect_status(request, RequestStatus.APPROVED)
    _refuse_if_blocked(request.line, request.intended_use)
    lots = list(
        CellBank.objects.select_for_update()
        .filter(pk__in=selectors.distribution_lots(request).values("pk"))
        .order_by("pk")
    )
    if not lots:
        raise Conflict(
            gettext("%(name)s has no distribution lot released by quality assurance")
            % {"name": request.line.name},
            fields={"lots": [gettext("none released")]},
        )
    wanted = request.vials_requested
    chosen = list(
        Vial.objects.filter(
            bank__in=lots,
            status=VialStatus.AVAILABLE,
            container__isnull=False,
            checked_out_to__isnull=True,
        )
        .order_by("bank__freeze_date", "bank_id", "pk")
        .values_list("pk", flat=True)[:wanted]
    )
    if len(chosen) < wanted:
        raise Conflict(
            ngettext(
                "Only %(count)d vial of released distribution lots of %(name)s is available; "
                "%(reference)s asks for %(wanted)d",
                "Only %(count)d vials of released distribution lots of %(name)s are available; "
                "%(reference)s asks for %(wanted)d",
                len(chosen),
            )
            % {
                "count": len(chosen),
                "name": request.line.name,
                "reference": request.reference,
                "wanted": wanted,
            },
            fields={"vials": [gettext("%(count)d available") % {"count": len(chosen)}]},
        )
    vials = vials_locked(chosen)
    for vial in vials:
        if (
            vial.status != VialStatus.AVAILABLE
            or vial.container_id is None
            or vial.checked_out_to_id
        ):
            raise Conflict(
                gettext("Vial %(barcode)s changed while it was being allocated; allocate again")
                % {"barcode": vial.barcode},
                fields={"vials": [gettext("changed meanwhile")]},
            )
    reason = _reference_reason(request, "Reserved")
    before = request.status
    paths: dict[int | None, str] = {}  # by the vials' container_id
    with audit_context(actor=actor, reason=reason):
        vials_set_status(actor=actor, vials=vials, status=VialStatus.RESERVED, reason=reason)
        allocations = []
        boxes = Container.objects.select_related("type").in_bulk({v.container_id for v in vials})
        for vial in vials:
            vial.container = boxes[vial.container_id]
            if vial.container_id not in paths:
                paths[vial.container_id] = container_path(vial.container)
            place = place_text(paths[vial.container_id], vial.container, vial.row, vial.column)
            allocations.append(
                Allocation(
                    request=request,
                    vial=vial,
                    bank_id=vial.bank_id,
                    place=place,
                    allocated_by=actor,
                )
            )
        try:
            with transaction.atomic():
                Allocation.objects.bulk_create(allocations)
        except IntegrityError:
            raise Conflict(
                gettext("A vial was allocated to another request meanwhile; allocate again"),
                fields={"vials": [gettext("taken")]},
            ) from None
        request.status = RequestStatus.ALLOCATED
        request.save(update_fields=["status", "updated_at"])
        request_event(
            request,
            RequestEvent.Kind.ALLOCATED,
            actor,
            before,
            ", ".join(v.barcode for v in vials),
        )
    return allocations


@transaction.atomic
def distribution_allocation_release(
    *, actor: User, request: DistributionRequest, reason: str
) -> DistributionRequest:
    """Put the reserved vials back (a vial found damaged at picking, a courier cancelled):
    they become available again and the request is approved, to be allocated anew."""
    request = locked_request(request)
    require(actor, Perm.DISTRIBUTION_SHIP, request.provider_id)
    expect_status(request, RequestStatus.ALLOCATED)
    reason = _reason(reason, gettext("Give a reason for the release of the allocation"))
    allocations = list(request.allocations.select_related("vial").order_by("vial_id"))
    reserved = [a.vial for a in allocations if a.vial.status == VialStatus.RESERVED]
    before = request.status
    with audit_context(actor=actor, reason=reason):
        vials_set_status(
            actor=actor,
            vials=reserved,
            status=VialStatus.AVAILABLE,
            reason=_reference_reason(request, f"Released ({reason})"),
        )
        Allocation.objects.filter(request=request).delete()
        request.status = RequestStatus.APPROVED
        request.save(update_fields=["status", "updated_at"])
        barcodes = ", ".join(a.vial.barcode for a in allocations)
        request_event(request, RequestEvent.Kind.APPROVED, actor, before, f"{reason}: {barcodes}")
    return request


@transaction.atomic
def distribution_ship(
    *,
    actor: User,
    request: DistributionRequest,
    courier: str,
    tracking_number: str,
    dry_shipper: str,
    temperature_logger: str,
    shipped_on: date,
    expected_on: date | None = None,
) -> Shipment:
    """Record the shipment: the reserved vials become distributed (custody events by the
    biobank) and the pack is frozen as sent. Refused when the line was recalled meanwhile,
    a lot is no longer released, or a lot lacks cells per vial and post-thaw viability."""
    request = locked_request(request)
    require(actor, Perm.DISTRIBUTION_SHIP, request.provider_id)
    expect_status(request, RequestStatus.ALLOCATED)
    _refuse_if_blocked(request.line, request.intended_use)
    allocations = list(request.allocations.select_related("bank", "vial").order_by("vial_id"))
    for bank in {a.bank_id: a.bank for a in allocations}.values():
        if not selectors.bank_is_released(bank):
            raise Conflict(
                gettext("Lot %(lot)s is no longer released by quality assurance")
                % {"lot": bank.code},
                fields={"lots": [bank.code]},
            )
        if bank.cells_per_vial is None and bank.post_thaw_viability is None:
            raise Conflict(
                gettext(
                    "Lot %(lot)s records neither cells per vial nor post-thaw viability; "
                    "the pack must carry one of them"
                )
                % {"lot": bank.code},
                fields={"lots": [bank.code]},
            )
    pack = selectors.shipment_pack(request)
    missing = [lot["bank"] for lot in pack["lots"] if lot["certificates"] == []]
    if missing:
        raise Conflict(
            ngettext(
                "No certificate of analysis for lot %(lots)s",
                "No certificate of analysis for lots %(lots)s",
                len(missing),
            )
            % {"lots": ", ".join(missing)},
            fields={"lots": missing},
        )
    shipment = Shipment(
        request=request,
        courier=courier.strip(),
        tracking_number=tracking_number.strip(),
        dry_shipper=dry_shipper.strip(),
        temperature_logger=temperature_logger.strip(),
        shipped_on=shipped_on,
        expected_on=expected_on,
        pack=pack,
        shipped_by=actor,
    )
    full_clean(shipment, validate_constraints=False, exclude=["request"])
    if shipped_on > timezone.localdate():
        raise InvalidInput(
            gettext("The shipping date is in the future; record the shipment when it leaves."),
            fields={"shipped_on": [gettext("future")]},
        )
    if expected_on is not None and expected_on < shipped_on:
        raise InvalidInput(
            gettext("The expected delivery date is before the shipping date"),
            fields={"expected_on": [gettext("before shipped_on")]},
        )
    reason = _reference_reason(request, "Shipped")
    before = request.status
    with audit_context(actor=actor, reason=reason):
        vials_set_status(
            actor=actor,
            vials=[a.vial for a in allocations],
            status=VialStatus.DISTRIBUTED,
            reason=f"{reason}, {shipment.courier} {shipment.tracking_number}",
        )
        shipment.save()
        request.status = RequestStatus.SHIPPED
        request.save(update_fields=["status", "updated_at"])
        request_event(
            request,
            RequestEvent.Kind.SHIPPED,
            actor,
            before,
            f"{shipment.courier} {shipment.tracking_number}",
        )
    notify("shipped", request, [request.researcher], shipment=shipment)
    return shipment


# Licence wording


@transaction.atomic
def licence_version_publish(
    *, actor: User, title: str, text: str, title_zh: str = "", text_zh: str = ""
) -> LicenceVersion:
    """A new wording of the licence, in English and (better) in Chinese too; requests from now
    on sign it, both texts at once. Platform admins only."""
    if not is_platform_admin(actor):
        raise Forbidden(gettext("Only platform admins publish a new licence wording"))
    if not text.strip():
        raise InvalidInput(
            gettext("The licence needs its text"), fields={"text": [gettext("required")]}
        )
    if title_zh.strip() and not text_zh.strip():
        raise InvalidInput(
            gettext("The Chinese title needs the Chinese text"),
            fields={"text_zh": [gettext("required")]},
        )
    last = LicenceVersion.objects.select_for_update().order_by("-number").first()
    licence = LicenceVersion(
        number=(last.number + 1) if last else 1,
        title=title.strip() or (last.title if last else "Licence"),
        text=text.strip(),
        title_zh=title_zh.strip() or (last.title_zh if last and text_zh.strip() else ""),
        text_zh=text_zh.strip(),
        sha256=licence_sha256(text.strip(), text_zh.strip()),
    )
    full_clean(licence, validate_constraints=False)
    with audit_context(actor=actor, reason=f"Licence version {licence.number}"):
        licence.save()
    return licence
