"""Reads of document control: what a user may see, the queues, the acknowledgement list, and
the record a review or approval signs with its verification."""

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from stemhub.accounts.models import User
from stemhub.accounts.permissions import (
    ROLE_PERMISSIONS,
    Perm,
    is_platform_admin,
    permissions_of,
    user_can,
)
from stemhub.audit.models import AuditEvent
from stemhub.core.errors import NotFound
from stemhub.qms.competence_matrix import matrix_for
from stemhub.qms.models import (
    Acknowledgement,
    ControlledDocument,
    DocumentVersion,
    PeriodicReview,
    TrainingRecord,
    VersionStatus,
)
from stemhub.quality.models import Signature
from stemhub.quality.selectors import SignatureCheck, record_hash

# Versions only their writers see: others see what was approved.
UNRELEASED = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW)


def writes_documents(user: Any, institution_id: int) -> bool:
    """Document controller or QA manager of the institution: sees drafts, drafts and reviews."""
    return user_can(user, Perm.QMS_DOCUMENTS, institution_id) or user_can(
        user, Perm.QMS_MANAGE, institution_id
    )


def visible_documents(user: Any) -> QuerySet[ControlledDocument]:
    """The controlled documents of the user's institution (every one for platform admins),
    for holders of qms.view."""
    if not user_can(user, Perm.QMS_VIEW):
        return ControlledDocument.objects.none()
    documents = ControlledDocument.objects.select_related("institution", "owner")
    if is_platform_admin(user):
        return documents
    return documents.filter(institution_id=user.institution_id)


def document_or_404(user: Any, pk: int) -> ControlledDocument:
    found = visible_documents(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No controlled document #%(pk)s that you may see") % {"pk": pk})
    return found


def visible_versions(user: Any, document: ControlledDocument) -> QuerySet[DocumentVersion]:
    """The document's versions, newest first; drafts and versions in review only for its
    writers."""
    versions = document.versions.select_related(
        "file", "created_by", "review_signature", "approval_signature"
    ).order_by("-number")
    if writes_documents(user, document.institution_id):
        return versions
    return versions.exclude(status__in=UNRELEASED)


def version_or_404(user: Any, document_id: int, number: int) -> DocumentVersion:
    document = document_or_404(user, document_id)
    found = visible_versions(user, document).filter(number=number).first()
    if found is None:
        raise NotFound(
            _("%(number)s has no version %(n)s that you may see")
            % {"number": document.number, "n": number}
        )
    found.document = document
    return found


def in_force(document: ControlledDocument) -> DocumentVersion | None:
    return document.versions.filter(status=VersionStatus.EFFECTIVE).first()


def document_search(
    documents: QuerySet[ControlledDocument], *, kind: str = "", status: str = "", q: str = ""
) -> QuerySet[ControlledDocument]:
    """Filter by kind, by the status of one of the versions (or `withdrawn`), and by words of
    the number or of either title."""
    if kind:
        documents = documents.filter(kind=kind)
    if status == "withdrawn":
        documents = documents.filter(withdrawn_at__isnull=False)
    elif status:
        documents = documents.filter(versions__status=status).distinct()
    for word in q.split():
        documents = documents.filter(
            Q(number__icontains=word) | Q(title__icontains=word) | Q(title_zh__icontains=word)
        )
    return documents


@dataclass(frozen=True)
class DocumentRow:
    document: ControlledDocument
    current: DocumentVersion | None  # in force
    pending: DocumentVersion | None  # approved, not yet in force
    open: DocumentVersion | None  # draft or in review (writers only)
    review_overdue: bool


def document_rows(
    user: Any, documents: QuerySet[ControlledDocument], *, today: datetime.date
) -> list[DocumentRow]:
    """One row per document with its version in force, the one approved to follow and the
    open revision; documents whose periodic review is overdue first, then by number."""
    docs = list(documents.prefetch_related("versions"))
    rows = []
    for document in docs:
        versions = sorted(document.versions.all(), key=lambda v: -v.number)

        def first(*statuses: str, among: list[DocumentVersion] = versions) -> Any:
            return next((v for v in among if v.status in statuses), None)

        current = first(VersionStatus.EFFECTIVE)
        writer = writes_documents(user, document.institution_id)
        rows.append(
            DocumentRow(
                document=document,
                current=current,
                pending=first(VersionStatus.APPROVED),
                open=first(*UNRELEASED) if writer else None,
                review_overdue=bool(current and current.review_due and current.review_due < today),
            )
        )
    rows.sort(key=lambda r: (not r.review_overdue, r.document.number))
    return rows


def reviews_overdue(institution_id: int | None, *, today: datetime.date) -> list[DocumentVersion]:
    """Effective versions whose periodic review date has passed, the longest overdue first."""
    versions = DocumentVersion.objects.filter(
        status=VersionStatus.EFFECTIVE, review_due__lt=today
    ).select_related("document")
    if institution_id is not None:
        versions = versions.filter(document__institution_id=institution_id)
    return list(versions.order_by("review_due", "document__number"))


def documents_to_read(user: Any) -> list[DocumentVersion]:
    """The effective versions of the user's institution they have not acknowledged, by
    document number."""
    if not user_can(user, Perm.QMS_VIEW) or user.institution_id is None:
        return []
    return list(
        DocumentVersion.objects.filter(
            status=VersionStatus.EFFECTIVE,
            document__institution_id=user.institution_id,
            document__withdrawn_at__isnull=True,
        )
        .exclude(Exists(Acknowledgement.objects.filter(version=OuterRef("pk"), user=user)))
        .select_related("document", "file")
        .order_by("document__number")
    )


def documents_awaiting(user: Any) -> list[DocumentVersion]:
    """Versions waiting for this user's signature: in review and not reviewed (for a
    document controller or QA manager who did not draft them), reviewed and awaiting approval
    (for a QA manager)."""
    if user.institution_id is None and not is_platform_admin(user):
        return []
    held = permissions_of(user)
    waiting = DocumentVersion.objects.filter(
        status=VersionStatus.IN_REVIEW, document__withdrawn_at__isnull=True
    ).select_related("document", "created_by")
    if not is_platform_admin(user):
        waiting = waiting.filter(document__institution_id=user.institution_id)
    wanted = Q(pk__in=[])
    if held & {Perm.QMS_DOCUMENTS, Perm.QMS_MANAGE}:
        wanted |= Q(review_signature__isnull=True) & ~Q(created_by=user)
    if Perm.QMS_MANAGE in held:
        wanted |= Q(review_signature__isnull=False)
    return list(waiting.filter(wanted).order_by("document__number"))


@dataclass(frozen=True)
class DraftWaiting:
    """A draft waiting for its author to submit it, and the last time it came back from
    review (the audit trail's row: when, by whom, why), if it did."""

    version: DocumentVersion
    returned: AuditEvent | None


def drafts_waiting_for(user: Any) -> list[DraftWaiting]:
    """The drafts of the user's institution that the user started or whose document the user
    owns, documents not withdrawn: each waits for them to finish and submit it. Those returned
    from review first, then by document number."""
    if user.institution_id is None or not user_can(user, Perm.QMS_VIEW):
        return []
    drafts = list(
        DocumentVersion.objects.filter(
            status=VersionStatus.DRAFT,
            document__institution_id=user.institution_id,
            document__withdrawn_at__isnull=True,
        )
        .filter(Q(created_by=user) | Q(document__owner=user))
        .select_related("document")
        .order_by("document__number")
    )
    if not drafts:
        return []
    returned: dict[str, AuditEvent] = {}
    for event in (
        AuditEvent.objects.filter(
            model=DocumentVersion._meta.label_lower,
            row_pk__in=[str(version.pk) for version in drafts],
            operation=AuditEvent.Operation.UPDATE,
            old_values__status=VersionStatus.IN_REVIEW,
            new_values__status=VersionStatus.DRAFT,
        )
        .select_related("actor")
        .order_by("id")
    ):
        returned[event.row_pk] = event  # the latest return wins
    waiting = [DraftWaiting(version, returned.get(str(version.pk))) for version in drafts]
    waiting.sort(key=lambda draft: draft.returned is None)
    return waiting


def staff_readers(institution_id: int) -> list[User]:
    """The institution's active staff who hold qms.view: those who should read its
    documents."""
    roles = [role for role, held in ROLE_PERMISSIONS.items() if Perm.QMS_VIEW in held]
    return list(
        User.objects.filter(institution_id=institution_id, is_active=True)
        .filter(Q(role_grants__role__in=roles) | Q(is_superuser=True))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


@dataclass(frozen=True)
class AcknowledgementList:
    acknowledged: list[Acknowledgement]
    missing: list[User]


def acknowledgement_list(version: DocumentVersion) -> AcknowledgementList:
    """Who acknowledged the version (and when), and who among the institution's staff holding
    qms.view has not."""
    done = list(version.acknowledgements.select_related("user").order_by("acknowledged_at"))
    seen = {ack.user_id for ack in done}
    missing = [
        person for person in staff_readers(version.document.institution_id) if person.pk not in seen
    ]
    return AcknowledgementList(acknowledged=done, missing=missing)


def untrained_on(version: DocumentVersion) -> list[User]:
    """Who must still be trained on a version in force that requires retraining: the people
    whose job or authorisation requires the document (as the training matrix reads them) and
    who have no training on this version. Reading it is not enough."""
    if version.status != VersionStatus.EFFECTIVE or not version.retraining_required:
        return []
    matrix = matrix_for(version.document.institution_id)
    key = str(version.document_id)
    at = next(
        (n for n, c in enumerate(matrix.columns) if c.kind == "document" and c.key == key), None
    )
    if at is None:
        return []
    trained = set(
        TrainingRecord.objects.filter(document_version=version).values_list("user_id", flat=True)
    )
    return [
        row.person for row in matrix.rows if row.cells[at].required and row.person.pk not in trained
    ]


# What is signed, and its verification


def version_record(version: DocumentVersion, *, meaning: str) -> dict[str, Any]:
    """The canonical record a review or an approval signs: the document, the version, what
    changed, the file's name and sha256, and for an approval the effective date and whether
    retraining is required."""
    document = version.document
    stored = version.file
    record: dict[str, Any] = {
        "meaning": meaning,
        "institution": document.institution.provider_code,
        "document": document.number,
        "title": document.title,
        "title_zh": document.title_zh,
        "kind": document.kind,
        "version": version.number,
        "change_summary": version.change_summary,
        "file": (
            {"name": stored.name, "sha256": stored.sha256, "size": stored.size}
            if stored is not None
            else None
        ),
    }
    if meaning == Signature.Meaning.DOCUMENT_APPROVED:
        record["effective_from"] = (
            version.effective_from.isoformat() if version.effective_from else None
        )
        record["retraining_required"] = version.retraining_required
    return record


@dataclass(frozen=True)
class SignedStep:
    """One signature on a version: what it was (review, approval, periodic review), the
    signature, and its check."""

    step: str
    signature: Signature
    check: SignatureCheck


def _check(signature: Signature, now: dict[str, Any]) -> SignatureCheck:
    stored_ok = hashlib.sha256(signature.record.encode()).hexdigest() == signature.record_hash
    try:
        signed = json.loads(signature.record)
    except ValueError:
        signed = {}
    current = record_hash(now)
    changes = [
        _("%(field)s changed") % {"field": key}
        for key in sorted(set(signed) | set(now))
        if signed.get(key) != now.get(key)
    ]
    if not stored_ok:
        changes.insert(0, _("the stored copy of the signed record does not match its hash"))
    return SignatureCheck(
        intact=stored_ok and current == signature.record_hash,
        signed_hash=signature.record_hash,
        current_hash=current,
        changes=changes,
        superseded=signature.superseded_at is not None,
    )


def version_signatures(version: DocumentVersion) -> list[SignedStep]:
    """The version's signatures, each verified: the record rebuilt from the data as it is now,
    hashed, and compared with the hash signed (and the stored copy with its own hash)."""
    steps = []
    if version.review_signature_id:
        signature = Signature.objects.get(pk=version.review_signature_id)
        now = version_record(version, meaning=Signature.Meaning.DOCUMENT_REVIEWED)
        comment = json.loads(signature.record).get("comment") if signature.record else None
        if comment:
            now["comment"] = comment
        steps.append(SignedStep(_("Review"), signature, _check(signature, now)))
    if version.approval_signature_id:
        signature = Signature.objects.get(pk=version.approval_signature_id)
        now = version_record(version, meaning=Signature.Meaning.DOCUMENT_APPROVED)
        steps.append(SignedStep(_("Approval"), signature, _check(signature, now)))
    for review in PeriodicReview.objects.filter(version=version).select_related(
        "signature", "revision"
    ):
        now = version_record(version, meaning=Signature.Meaning.DOCUMENT_REVIEWED)
        now["periodic_review"] = periodic_review_record(review)
        steps.append(
            SignedStep(_("Periodic review"), review.signature, _check(review.signature, now))
        )
    return steps


def periodic_review_record(review: PeriodicReview) -> dict[str, Any]:
    """What a periodic review signs, besides the version's record."""
    return {
        "reviewed_on": review.reviewed_on.isoformat(),
        "outcome": review.outcome,
        "notes": review.notes,
        "next_review_due": (review.next_review_due.isoformat() if review.next_review_due else None),
        "revision": review.revision.number if review.revision else None,
    }
