"""Document control (ISO 20387 8.3): writing controlled documents and their versions.

A version goes draft → in review → (reviewed, signed) → approved (signed, with an effective
date) → effective → superseded, or obsolete when its document is withdrawn. One rule puts an
approved version in force: `document_bring_into_force` makes every approved version whose
effective date has come effective (and supersedes the one before it), idempotently. Approval
calls it, and so do the gating check (`qms.gating.version_in_force`) and the document pages,
so that a version approved for a future date is in force on that date without anyone acting;
`status` stays the one truth the partial unique index guards (one effective version).

Reads (what a user may see, queues, the signed record and its verification) are in
`qms.documents_selectors`.
"""

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stemhub.accounts.models import Institution
from stemhub.accounts.permissions import Perm, require, user_can
from stemhub.audit.context import audit_context
from stemhub.core.errors import Conflict, Forbidden, InvalidInput, full_clean
from stemhub.core.names import said
from stemhub.qms.documents_selectors import periodic_review_record, version_record
from stemhub.qms.files import document_file_store
from stemhub.qms.models import (
    Acknowledgement,
    ControlledDocument,
    DocumentKind,
    DocumentVersion,
    PeriodicReview,
    VersionStatus,
)
from stemhub.qms.signing import signature_write, signing_password_check
from stemhub.quality.models import Signature

NUMBER = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
OPEN = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _document_locked(document: ControlledDocument) -> ControlledDocument:
    return ControlledDocument.objects.select_for_update().get(pk=document.pk)


def _version_locked(version: DocumentVersion) -> DocumentVersion:
    """The version's document and then the version, locked in that order (every service
    that changes versions locks the document first, so two of them never deadlock)."""
    ControlledDocument.objects.select_for_update().filter(pk=version.document_id).get()
    return (
        DocumentVersion.objects.select_for_update(of=("self",))
        .select_related("document__institution", "file")
        .get(pk=version.pk)
    )


def _not_withdrawn(document: ControlledDocument) -> None:
    if document.withdrawn_at is not None:
        raise Conflict(
            _("%(number)s was withdrawn on %(day)s; it takes no new versions or signatures")
            % {"number": document.number, "day": f"{document.withdrawn_at:%Y-%m-%d}"}
        )


def _in_status(version: DocumentVersion, *statuses: str) -> None:
    if version.status not in statuses:
        raise Conflict(
            _("%(version)s is %(status)s; this needs it %(needed)s")
            % {
                "version": version.label,
                "status": version.get_status_display(),
                "needed": _(" or ").join(str(VersionStatus(s).label) for s in statuses),
            },
            fields={"status": [version.status]},
        )


def require_controller(actor: Any, institution_id: int) -> None:
    """qms.documents (the document controller) or qms.manage (QA) in the institution."""
    if not (
        user_can(actor, Perm.QMS_DOCUMENTS, institution_id)
        or user_can(actor, Perm.QMS_MANAGE, institution_id)
    ):
        raise Forbidden(
            _("You need the permission %(perm)s for this institution's documents.")
            % {"perm": Perm.QMS_DOCUMENTS}
        )


# Documents and versions


@transaction.atomic
def document_create(
    *,
    actor: Any,
    number: str,
    title: str,
    kind: str,
    title_zh: str = "",
    owner: Any = None,
    review_interval_months: int = 24,
    institution: Institution | None = None,
) -> ControlledDocument:
    """Put a document under control (qms.documents in the institution, the actor's by
    default). Its first version is drafted with `version_draft`."""
    institution = institution or actor.institution
    if institution is None:
        raise InvalidInput(
            _("You belong to no institution; name one to keep the document for."),
            fields={"institution": [_("required")]},
        )
    require(actor, Perm.QMS_DOCUMENTS, institution.pk)
    number = number.strip().upper()
    if not NUMBER.match(number):
        raise InvalidInput(
            _("A document number reads like SOP-BB-012: capitals and digits in parts joined by -"),
            fields={"number": [_("like SOP-BB-012")]},
        )
    if kind not in DocumentKind.values:
        raise InvalidInput(
            _("Unknown kind %(kind)r; use one of %(allowed)s")
            % {"kind": kind, "allowed": ", ".join(DocumentKind.values)},
            fields={"kind": [_("unknown value")]},
        )
    if not 1 <= review_interval_months <= 120:
        raise InvalidInput(
            _("The periodic review interval is 1 to 120 months"),
            fields={"review_interval_months": [_("out of range")]},
        )
    if ControlledDocument.objects.filter(institution=institution, number=number).exists():
        raise Conflict(
            _("%(number)s is already a controlled document here") % {"number": number},
            fields={"number": [_("taken")]},
        )
    document = ControlledDocument(
        institution=institution,
        number=number,
        title=title.strip(),
        title_zh=title_zh.strip(),
        kind=kind,
        owner=owner or actor,
        review_interval_months=review_interval_months,
    )
    full_clean(document, validate_constraints=False)
    try:
        with transaction.atomic(), audit_context(actor=actor, reason=f"{number} under control"):
            document.save()
    except IntegrityError:
        raise Conflict(
            _("%(number)s is already a controlled document here") % {"number": number},
            fields={"number": [_("taken")]},
        ) from None
    return document


@transaction.atomic
def version_draft(
    *, actor: Any, document: ControlledDocument, change_summary: str = ""
) -> DocumentVersion:
    """Start the next version (1 for a new document) as a draft. One revision at a time: a
    draft or a version in review already open is a 409."""
    document = _document_locked(document)
    require_controller(actor, document.institution_id)
    _not_withdrawn(document)
    open_revision = document.versions.filter(status__in=OPEN).first()
    if open_revision is not None:
        raise Conflict(
            _("%(version)s is still %(status)s: finish or return it before starting another")
            % {"version": open_revision.label, "status": open_revision.get_status_display()}
        )
    last = document.versions.order_by("-number").values_list("number", flat=True).first()
    version = DocumentVersion(
        document=document,
        number=(last or 0) + 1,
        change_summary=change_summary.strip(),
        created_by=actor,
    )
    full_clean(version, validate_constraints=False, exclude=("document", "created_by"))
    with audit_context(actor=actor, reason=f"{version.label} drafted"):
        version.save()
    return version


@transaction.atomic
def version_edit(
    *,
    actor: Any,
    version: DocumentVersion,
    change_summary: str | None = None,
    file_name: str = "",
    chunks: Iterable[bytes] | None = None,
) -> DocumentVersion:
    """Change a draft: what changed, and its file (PDF or DOCX, stored with its sha256)."""
    version = _version_locked(version)
    require_controller(actor, version.document.institution_id)
    _not_withdrawn(version.document)
    _in_status(version, VersionStatus.DRAFT)
    fields = []
    if chunks is not None:
        version.file = document_file_store(actor=actor, name=file_name, chunks=chunks)
        fields.append("file")
    if change_summary is not None:
        version.change_summary = change_summary.strip()
        fields.append("change_summary")
    full_clean(version, validate_constraints=False, exclude=("document", "created_by", "file"))
    with audit_context(actor=actor, reason=f"{version.label} edited"):
        version.save(update_fields=fields)
    return version


def version_file_attach(
    *, actor: Any, version: DocumentVersion, name: str, chunks: Iterable[bytes]
) -> DocumentVersion:
    """Attach (or replace) a draft's file."""
    return version_edit(actor=actor, version=version, file_name=name, chunks=chunks)


@transaction.atomic
def version_submit(*, actor: Any, version: DocumentVersion) -> DocumentVersion:
    """Send a draft for review: it needs its file, and from version 2 on, what changed."""
    version = _version_locked(version)
    require_controller(actor, version.document.institution_id)
    _not_withdrawn(version.document)
    _in_status(version, VersionStatus.DRAFT)
    # The version's state, not the request, is what is missing: 409.
    if version.file_id is None:
        raise Conflict(
            _("Attach the document's file (PDF or DOCX) before submitting it for review"),
            fields={"file": [_("required")]},
        )
    if version.number > 1 and not version.change_summary:
        raise Conflict(
            _("Say what changed since version %(n)s") % {"n": version.number - 1},
            fields={"change_summary": [_("required")]},
        )
    with audit_context(actor=actor, reason=f"{version.label} submitted for review"):
        version.status = VersionStatus.IN_REVIEW
        version.save(update_fields=["status"])
    return version


@transaction.atomic
def version_return(*, actor: Any, version: DocumentVersion, reason: str) -> DocumentVersion:
    """Send a version in review back to draft, saying why (its review signature, if any, no
    longer stands: the draft will change)."""
    version = _version_locked(version)
    require_controller(actor, version.document.institution_id)
    _in_status(version, VersionStatus.IN_REVIEW)
    if not reason.strip():
        raise InvalidInput(
            _("Say why the version goes back to draft"), fields={"reason": [_("required")]}
        )
    with audit_context(actor=actor, reason=reason):
        if version.review_signature_id is not None:
            Signature.objects.filter(pk=version.review_signature_id).update(
                superseded_at=timezone.now(), superseded_reason=reason.strip()
            )
        version.status = VersionStatus.DRAFT
        version.review_signature = None
        version.save(update_fields=["status", "review_signature"])
    return version


def version_review(
    *, actor: Any, version: DocumentVersion, password: str, comment: str = ""
) -> DocumentVersion:
    """Sign the review of a version in review ("document reviewed"): a document controller or
    QA manager of the institution other than the version's author, password re-entered."""
    require_controller(actor, version.document.institution_id)
    if version.created_by_id == actor.pk:
        raise Forbidden(
            _("You drafted %(version)s: someone else reviews it") % {"version": version.label},
            fields={"reviewer": [_("not the author")]},
        )
    signing_password_check(actor, password)
    with transaction.atomic():
        version = _version_locked(version)
        _not_withdrawn(version.document)
        _in_status(version, VersionStatus.IN_REVIEW)
        if version.review_signature_id is not None:
            raise Conflict(
                _("%(version)s is reviewed already") % {"version": version.label},
                fields={"status": ["reviewed"]},
            )
        record = version_record(version, meaning=Signature.Meaning.DOCUMENT_REVIEWED)
        if comment.strip():
            record["comment"] = comment.strip()
        with audit_context(actor=actor, reason=f"{version.label} reviewed"):
            signature = signature_write(
                actor=actor, meaning=Signature.Meaning.DOCUMENT_REVIEWED, record=record
            )
            version.review_signature = signature
            version.save(update_fields=["review_signature"])
    return version


def version_approve(
    *,
    actor: Any,
    version: DocumentVersion,
    password: str,
    effective_from: datetime.date,
    retraining_required: bool,
    today: datetime.date | None = None,
) -> DocumentVersion:
    """Sign the approval of a reviewed version ("document approved", qms.manage, password
    re-entered): the approver sets the day it comes into force (today or later) and whether
    staff must be trained on it again. On that day it becomes effective and the version before
    it superseded; today's approval for today does so at once."""
    require(actor, Perm.QMS_MANAGE, version.document.institution_id)
    today = today or timezone.localdate()
    if effective_from < today:
        raise InvalidInput(
            _("A version comes into force today or later, not on %(day)s")
            % {"day": f"{effective_from:%Y-%m-%d}"},
            fields={"effective_from": [_("today or later")]},
        )
    signing_password_check(actor, password)
    with transaction.atomic():
        version = _version_locked(version)
        _not_withdrawn(version.document)
        _in_status(version, VersionStatus.IN_REVIEW)
        if version.review_signature_id is None:
            raise Conflict(
                _("%(version)s has not been reviewed: a reviewer signs before the approver")
                % {"version": version.label},
                fields={"review_signature": [_("required")]},
            )
        version.effective_from = effective_from
        version.retraining_required = bool(retraining_required)
        record = version_record(version, meaning=Signature.Meaning.DOCUMENT_APPROVED)
        with audit_context(actor=actor, reason=f"{version.label} approved"):
            signature = signature_write(
                actor=actor, meaning=Signature.Meaning.DOCUMENT_APPROVED, record=record
            )
            version.approval_signature = signature
            version.status = VersionStatus.APPROVED
            version.save(
                update_fields=[
                    "approval_signature",
                    "status",
                    "effective_from",
                    "retraining_required",
                ]
            )
        document_bring_into_force(document=version.document, today=today)
    version.refresh_from_db()
    return version


# Coming into force


def document_bring_into_force(
    *, document: ControlledDocument, today: datetime.date | None = None
) -> DocumentVersion | None:
    """Make effective the approved versions of `document` whose day has come, in order of
    their effective date (each supersedes the one before); return the version in force.
    Idempotent, and cheap when nothing is due (one query)."""
    today = today or timezone.localdate()
    due = DocumentVersion.objects.filter(
        document_id=document.pk, status=VersionStatus.APPROVED, effective_from__lte=today
    )
    if due.exists():
        with transaction.atomic(), audit_context(actor=None, reason="Effective date reached"):
            ControlledDocument.objects.select_for_update().filter(pk=document.pk).get()
            for version in due.select_for_update().order_by("effective_from", "number"):
                _supersede_current(version)
    return DocumentVersion.objects.filter(
        document_id=document.pk, status=VersionStatus.EFFECTIVE
    ).first()


def _supersede_current(version: DocumentVersion) -> None:
    assert version.effective_from is not None
    now = timezone.now()
    current = DocumentVersion.objects.filter(
        document_id=version.document_id, status=VersionStatus.EFFECTIVE
    ).first()
    if current is not None:
        current.status = VersionStatus.SUPERSEDED
        current.retired_at = now
        reason = said(
            lambda: (
                _("Superseded by version %(n)s, effective %(day)s")
                % {"n": version.number, "day": f"{version.effective_from:%Y-%m-%d}"}
            )
        )
        current.retired_reason, current.retired_reason_zh = reason.en, reason.zh
        current.save(update_fields=["status", "retired_at", "retired_reason", "retired_reason_zh"])
    version.status = VersionStatus.EFFECTIVE
    version.review_due = add_months(version.effective_from, version.document.review_interval_months)
    version.save(update_fields=["status", "review_due"])


def document_versions_bring_into_force(
    *, today: datetime.date | None = None, institution_id: int | None = None
) -> int:
    """Every document (of one institution, if given) with an approved version whose day has
    come: bring it into force. Returns how many documents changed. The document pages call
    it, so that what they show is what is in force today."""
    today = today or timezone.localdate()
    due = DocumentVersion.objects.filter(status=VersionStatus.APPROVED, effective_from__lte=today)
    if institution_id is not None:
        due = due.filter(document__institution_id=institution_id)
    documents = ControlledDocument.objects.filter(
        pk__in=due.values("document_id").distinct()
    ).order_by("pk")
    changed = 0
    for document in documents:
        document_bring_into_force(document=document, today=today)
        changed += 1
    return changed


# Periodic review and withdrawal


def version_periodic_review(
    *,
    actor: Any,
    version: DocumentVersion,
    password: str,
    outcome: str,
    notes: str = "",
    today: datetime.date | None = None,
) -> PeriodicReview:
    """Sign the periodic review of the version in force (qms.manage): `confirmed` sets its
    next review `review_interval_months` from today; `revision` starts the next version as a
    draft (the version stays in force until its successor is)."""
    require(actor, Perm.QMS_MANAGE, version.document.institution_id)
    if outcome not in PeriodicReview.Outcome.values:
        raise InvalidInput(
            _("Unknown outcome %(value)r; use one of %(allowed)s")
            % {"value": outcome, "allowed": ", ".join(PeriodicReview.Outcome.values)},
            fields={"outcome": [_("unknown value")]},
        )
    if outcome == PeriodicReview.Outcome.REVISION and not notes.strip():
        raise InvalidInput(
            _("Say what the revision must change"), fields={"notes": [_("required")]}
        )
    today = today or timezone.localdate()
    signing_password_check(actor, password)
    with transaction.atomic():
        version = _version_locked(version)
        _not_withdrawn(version.document)
        _in_status(version, VersionStatus.EFFECTIVE)
        document = version.document
        review = PeriodicReview(
            version=version, reviewed_on=today, outcome=outcome, notes=notes.strip()
        )
        with audit_context(actor=actor, reason=f"{version.label} periodic review"):
            if outcome == PeriodicReview.Outcome.CONFIRMED:
                review.next_review_due = add_months(today, document.review_interval_months)
            else:
                review.revision = version_draft(
                    actor=actor,
                    document=document,
                    change_summary=_("Periodic review: %(notes)s") % {"notes": notes.strip()},
                )
            record = version_record(version, meaning=Signature.Meaning.DOCUMENT_REVIEWED)
            record["periodic_review"] = periodic_review_record(review)
            review.signature = signature_write(
                actor=actor, meaning=Signature.Meaning.DOCUMENT_REVIEWED, record=record
            )
            review.save()
            if review.next_review_due is not None:
                version.review_due = review.next_review_due
                version.save(update_fields=["review_due"])
    return review


@transaction.atomic
def document_withdraw(
    *, actor: Any, document: ControlledDocument, reason: str
) -> ControlledDocument:
    """Withdraw a document (qms.manage): its effective and approved versions become obsolete,
    with the reason; it takes no new version or signature afterwards."""
    document = _document_locked(document)
    require(actor, Perm.QMS_MANAGE, document.institution_id)
    _not_withdrawn(document)
    if not reason.strip():
        raise InvalidInput(
            _("Say why the document is withdrawn"), fields={"reason": [_("required")]}
        )
    now = timezone.now()
    with audit_context(actor=actor, reason=reason):
        document.versions.filter(
            status__in=[VersionStatus.EFFECTIVE, VersionStatus.APPROVED]
        ).update(status=VersionStatus.OBSOLETE, retired_at=now, retired_reason=reason.strip())
        document.withdrawn_at = now
        document.withdrawn_reason = reason.strip()
        document.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    return document


# Read and understood


@transaction.atomic
def acknowledgement_record(*, actor: Any, version: DocumentVersion) -> Acknowledgement:
    """The actor's "read and understood" of an effective version of their institution's
    document (qms.view there); once per version."""
    require(actor, Perm.QMS_VIEW, version.document.institution_id)
    if actor.institution_id != version.document.institution_id:
        raise Forbidden(
            _("Only staff of %(institution)s acknowledge its documents")
            % {"institution": version.document.institution.provider_code}
        )
    document_bring_into_force(document=version.document)
    version.refresh_from_db()
    _in_status(version, VersionStatus.EFFECTIVE)
    if Acknowledgement.objects.filter(version=version, user=actor).exists():
        raise Conflict(
            _("You acknowledged %(version)s already") % {"version": version.label},
            fields={"version": [_("acknowledged already")]},
        )
    try:
        with transaction.atomic():
            return Acknowledgement.objects.create(version=version, user=actor)
    except IntegrityError:  # the same person, twice at the same moment
        raise Conflict(
            _("You acknowledged %(version)s already") % {"version": version.label},
            fields={"version": [_("acknowledged already")]},
        ) from None


# Records of other apps that cite a procedure

CITED = re.compile(
    r"^\s*(?P<number>[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+)(?:\s+v(?P<version>\d+))?\s*$"
)


def sop_in_force(*, institution_id: int, cited: str, field: str = "sop") -> DocumentVersion:
    """The version in force of the institution's document cited as `SOP-BB-010` (or as
    `SOP-BB-010 v3`, which must then be the version in force): what a record done under a
    procedure links to. InvalidInput naming `field` otherwise."""
    match = CITED.match(cited or "")
    if match is None:
        raise InvalidInput(
            _("Cite a procedure by its document number, like SOP-BB-010"),
            fields={field: [_("like SOP-BB-010")]},
        )
    number = match["number"].upper()
    document = ControlledDocument.objects.filter(
        institution_id=institution_id, number=number
    ).first()
    if document is None or document.withdrawn_at is not None:
        raise InvalidInput(
            _("%(number)s is not a controlled document of this institution") % {"number": number},
            fields={field: [_("unknown document number")]},
        )
    version = document_bring_into_force(document=document)
    if version is None:
        raise InvalidInput(
            _("%(number)s has no version in force") % {"number": number},
            fields={field: [_("no version in force")]},
        )
    if match["version"] and int(match["version"]) != version.number:
        raise InvalidInput(
            _("%(cited)s is not in force; %(label)s is")
            % {"cited": f"{number} v{match['version']}", "label": version.label},
            fields={field: [_("not the version in force")]},
        )
    return version
