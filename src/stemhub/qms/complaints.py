"""Complaints (ISO 20387 7.13): recorded by staff (qms.record) as they arrive by e-mail,
telephone, letter or in person, or filed by anyone on the public form; reviewed, handed to a
CAPA when corrective action is needed, and closed with the outcome by QA (qms.manage).

    received ─► under review ─► closed
        └──── (a CAPA may be opened from either of the first two) ────┘
"""

import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from stemhub.accounts.models import Institution, InstitutionKind
from stemhub.accounts.permissions import Perm, require
from stemhub.audit.context import audit_context
from stemhub.core.errors import Conflict, InvalidInput, StemhubError, full_clean
from stemhub.core.names import said
from stemhub.core.validation import EARLIEST_LAB_DATE
from stemhub.qms.capa import capa_open
from stemhub.qms.models import (
    Capa,
    CapaSource,
    ComplainantKind,
    Complaint,
    ComplaintChannel,
    ComplaintStatus,
)
from stemhub.qms.models.complaints import (
    CONTACT_LENGTH,
    DESCRIPTION_LENGTH,
    NAME_LENGTH,
    ORGANISATION_LENGTH,
    REFERENCE_LENGTH,
)

# The public form: at most this many complaints from one address per hour.
PUBLIC_PER_HOUR = 5
MIN_DESCRIPTION = 20
RECEIVING_KINDS = (InstitutionKind.STEM_CELL_BANK, InstitutionKind.CORD_BLOOD_BANK)


class TooManyComplaints(StemhubError):
    status = 429
    code = "too_many"


def receiving_institutions() -> QuerySet[Institution]:
    """The biobanks a complaint can be sent to on the public form."""
    return Institution.objects.filter(kind__in=RECEIVING_KINDS).order_by("name")


def _limited(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise InvalidInput(
            _("%(field)s is required") % {"field": field}, fields={field: [_("required")]}
        )
    if len(text) > limit:
        raise InvalidInput(
            _("%(field)s is longer than %(n)s characters") % {"field": field, "n": limit},
            fields={field: [_("at most %(n)s characters") % {"n": limit}]},
        )
    return text


def _complaint(
    *,
    institution_id: int,
    complainant_kind: str,
    channel: str,
    received_on: datetime.date,
    description: str,
    complainant_name: str,
    complainant_contact: str,
    complainant_organisation: str,
    related_reference: str,
    recorded_by: Any,
) -> Complaint:
    if complainant_kind not in ComplainantKind.values:
        raise InvalidInput(
            _("Say who complains: a researcher, a hospital, a member of the public, a regulator"),
            fields={"complainant_kind": [_("unknown")]},
        )
    if channel not in ComplaintChannel.values:
        raise InvalidInput(_("Say how the complaint arrived"), fields={"channel": [_("unknown")]})
    today = timezone.localdate()
    if not EARLIEST_LAB_DATE <= received_on <= today:
        raise InvalidInput(
            _("%(day)s cannot be the day it was received (today is %(today)s)")
            % {"day": received_on, "today": today},
            fields={"received_on": [_("not in the future")]},
        )
    complaint = Complaint(
        institution_id=institution_id,
        complainant_kind=complainant_kind,
        channel=channel,
        received_on=received_on,
        description=_limited(description, "description", DESCRIPTION_LENGTH, required=True),
        complainant_name=_limited(complainant_name, "complainant_name", NAME_LENGTH),
        complainant_contact=_limited(complainant_contact, "complainant_contact", CONTACT_LENGTH),
        complainant_organisation=_limited(
            complainant_organisation, "complainant_organisation", ORGANISATION_LENGTH
        ),
        related_reference=_limited(related_reference, "related_reference", REFERENCE_LENGTH),
        recorded_by=recorded_by,
    )
    full_clean(complaint, validate_constraints=False)
    complaint.save()
    return complaint


def complaint_record(
    *,
    actor: Any,
    institution_id: int,
    complainant_kind: str,
    channel: str,
    received_on: datetime.date,
    description: str,
    complainant_name: str = "",
    complainant_contact: str = "",
    complainant_organisation: str = "",
    related_reference: str = "",
) -> Complaint:
    """Record a complaint as it arrived (e-mail, telephone, letter, in person ...). Needs
    qms.record in the receiving institution."""
    require(actor, Perm.QMS_RECORD, institution_id)
    with audit_context(actor=actor, reason="Complaint recorded"):
        return _complaint(
            institution_id=institution_id,
            complainant_kind=complainant_kind,
            channel=channel,
            received_on=received_on,
            description=description,
            complainant_name=complainant_name,
            complainant_contact=complainant_contact,
            complainant_organisation=complainant_organisation,
            related_reference=related_reference,
            recorded_by=actor,
        )


def complaint_submit_public(
    *,
    institution_code: str,
    complainant_kind: str,
    description: str,
    complainant_name: str = "",
    complainant_contact: str = "",
    complainant_organisation: str = "",
    related_reference: str = "",
    address: str = "",
) -> Complaint:
    """A complaint filed on the public form by anyone, signed in or not, named or anonymous.
    It lands in the receiving institution's list as received, for QA to review. One address
    files at most PUBLIC_PER_HOUR an hour; the description is 20 to 5,000 characters."""
    institution = receiving_institutions().filter(provider_code=institution_code).first()
    if institution is None:
        raise InvalidInput(
            _("Choose the biobank your complaint is about"),
            fields={"institution": [_("choose one from the list")]},
        )
    if complainant_kind == ComplainantKind.REGULATOR:
        complainant_kind = ComplainantKind.OTHER  # a regulator writes; the form is for others
    text = str(description or "").strip()
    if len(text) < MIN_DESCRIPTION:
        raise InvalidInput(
            _("Tell us what happened in at least %(n)s characters") % {"n": MIN_DESCRIPTION},
            fields={"description": [_("at least %(n)s characters") % {"n": MIN_DESCRIPTION}]},
        )
    # The form always gives the client's address; a caller with none (the demo) is not limited.
    key = f"qms-public-complaints:{address}"
    if address and cache.get(key, 0) >= PUBLIC_PER_HOUR:
        raise TooManyComplaints(
            _(
                "Too many complaints from this address in the last hour; try again later or "
                "write to the biobank."
            )
        )
    with audit_context(actor=None, reason="Complaint filed on the public form"):
        complaint = _complaint(
            institution_id=institution.pk,
            complainant_kind=complainant_kind,
            channel=ComplaintChannel.WEB,
            received_on=timezone.localdate(),
            description=text,
            complainant_name=complainant_name,
            complainant_contact=complainant_contact,
            complainant_organisation=complainant_organisation,
            related_reference=related_reference,
            recorded_by=None,
        )
    if address and not cache.add(key, 1, 3600):
        try:
            cache.incr(key)
        except ValueError:
            cache.add(key, 1, 3600)
    return complaint


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _not_closed(complaint: Complaint) -> None:
    if complaint.status == ComplaintStatus.CLOSED:
        raise Conflict(
            _("%(complaint)s is closed: its outcome is recorded and it cannot change.")
            % {"complaint": complaint.number},
            fields={"status": [complaint.status]},
        )


def complaint_review_start(*, actor: Any, complaint: Complaint) -> Complaint:
    """Take a received complaint under review. Needs qms.record in its institution."""
    require(actor, Perm.QMS_RECORD, complaint.institution_id)
    with audit_context(actor=actor, reason="Complaint taken under review"):
        found = _locked(complaint)
        _not_closed(found)
        if found.status == ComplaintStatus.IN_REVIEW:
            raise Conflict(
                _("%(complaint)s is already under review.") % {"complaint": found.number},
                fields={"status": [found.status]},
            )
        found.status = ComplaintStatus.IN_REVIEW
        found.save(update_fields=["status"])
    return found


def complaint_capa_open(
    *,
    actor: Any,
    complaint: Complaint,
    title: str = "",
    owner: Any = None,
    due_on: datetime.date | None = None,
) -> Capa:
    """Open the complaint's CAPA (at most one; a second call returns it) and take the
    complaint under review. Needs qms.record in its institution."""
    require(actor, Perm.QMS_RECORD, complaint.institution_id)
    with audit_context(actor=actor, reason="CAPA opened from a complaint"):
        found = _locked(complaint)
        _not_closed(found)
        capa = capa_open(
            actor=actor,
            institution_id=found.institution_id,
            source=CapaSource.COMPLAINT,
            source_id=found.pk,
            source_label=found.number,
            title=title.strip()
            or said(
                lambda: (
                    _("%(number)s: complaint received %(day)s (%(who)s)")
                    % {
                        "number": found.number,
                        "who": found.get_complainant_kind_display(),
                        "day": f"{found.received_on:%Y-%m-%d}",
                    }
                )
            ),
            description=found.description,
            owner=owner,
            due_on=due_on,
        )
        found.capa = capa
        if found.status == ComplaintStatus.RECEIVED:
            found.status = ComplaintStatus.IN_REVIEW
        found.save(update_fields=["capa", "status"])
    return capa


def complaint_close(*, actor: Any, complaint: Complaint, outcome: str) -> Complaint:
    """Close the complaint with its outcome (what was found, what the complainant was told).
    Needs qms.manage in its institution."""
    require(actor, Perm.QMS_MANAGE, complaint.institution_id)
    said = str(outcome or "").strip()
    if not said:
        raise InvalidInput(_("Say how the complaint ended"), fields={"outcome": [_("required")]})
    with audit_context(actor=actor, reason="Complaint closed"):
        found = _locked(complaint)
        _not_closed(found)
        found.status = ComplaintStatus.CLOSED
        found.outcome = said
        found.closed_by, found.closed_at = actor, timezone.now()
        full_clean(found, validate_constraints=False)
        found.save()
    return found


def public_form_limits() -> dict[str, int]:
    """The public form's limits, for its page to state them."""
    return {
        "name": NAME_LENGTH,
        "contact": CONTACT_LENGTH,
        "organisation": ORGANISATION_LENGTH,
        "reference": REFERENCE_LENGTH,
        "description": DESCRIPTION_LENGTH,
        "min_description": MIN_DESCRIPTION,
        "per_hour": PUBLIC_PER_HOUR,
    }
