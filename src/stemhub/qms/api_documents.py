"""Document control over HTTP. Reading needs qms.view in the document's institution (drafts and
versions in review: qms.documents or qms.manage); drafting and reviewing qms.documents (or
qms.manage); approving, periodic review and withdrawal qms.manage. A version is addressed by
its document's id and its number: `/qms/documents/9101/versions/3`."""

import base64
import binascii
from datetime import date, datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.params import functions as param

from stemhub.accounts.permissions import Perm, require
from stemhub.core.api import AUTHENTICATED, Day, Words, file_answer, one_of
from stemhub.core.errors import InvalidInput, NotFound
from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.qms import documents as services
from stemhub.qms.documents_selectors import (
    acknowledgement_list,
    document_or_404,
    document_rows,
    document_search,
    documents_to_read,
    version_or_404,
    version_signatures,
    visible_documents,
    visible_versions,
)
from stemhub.qms.files import MAX_FILE_BYTES
from stemhub.qms.models import (
    ControlledDocument,
    DocumentKind,
    DocumentVersion,
    PeriodicReview,
    VersionStatus,
)

router = Router(tags=["qms"])
KIND_PATTERN = "^(" + "|".join(DocumentKind.values) + "|)$"
STATUS_PATTERN = "^(" + "|".join([*VersionStatus.values, "withdrawn"]) + "|)$"


class DocumentIn(Schema):
    number: str = Field(
        max_length=40, pattern=r"^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)+$", examples=["SOP-BB-012"]
    )
    title: str = Field(min_length=1, max_length=200)
    title_zh: str = Field("", max_length=200)
    kind: str = one_of(DocumentKind.values)
    review_interval_months: int = Field(24, ge=1, le=120)


class FileOut(Schema):
    name: str
    content_type: str
    size: int
    sha256: str


class VersionOut(Schema):
    document_id: int
    document: str
    number: int
    label: str
    status: str
    reviewed: bool
    change_summary: str
    file: FileOut | None
    effective_from: date | None
    retraining_required: bool
    review_due: date | None
    retired_reason: str


class DocumentOut(Schema):
    id: int
    institution: str
    number: str
    title: str
    title_zh: str
    kind: str
    owner: str
    review_interval_months: int
    withdrawn: bool
    in_force: int | None = Field(description="The number of the version in force")
    review_overdue: bool


class DocumentDetailOut(DocumentOut):
    versions: list[VersionOut]


class DraftIn(Schema):
    change_summary: str = ""


class VersionPatch(Schema):
    change_summary: str


class FileIn(Schema):
    name: str = Field(min_length=1, max_length=255, description="e.g. SOP-BB-012-v4.pdf")
    content_base64: str = Field(
        min_length=1, description="The PDF or DOCX file's bytes, base64-encoded (25 MB at most)"
    )


class ReasonIn(Schema):
    reason: Words


class DocumentSignIn(Schema):
    password: str = Field(min_length=1, description="Your password, re-entered to sign")
    comment: str = ""


class ApproveIn(Schema):
    password: str = Field(min_length=1, description="Your password, re-entered to sign")
    effective_from: Day
    retraining_required: bool


class PeriodicReviewIn(Schema):
    password: str = Field(min_length=1, description="Your password, re-entered to sign")
    outcome: str = one_of(PeriodicReview.Outcome.values)
    notes: str = ""


class PeriodicReviewOut(Schema):
    version: VersionOut
    outcome: str
    next_review_due: date | None
    revision: int | None


class AcknowledgementOut(Schema):
    username: str
    name: str
    acknowledged_at: datetime


class AcknowledgementsOut(Schema):
    version: str
    acknowledged: list[AcknowledgementOut]
    not_yet: list[str] = Field(description="Usernames of staff holding qms.view who have not")


class SignatureOut(Schema):
    step: str
    printed_name: str
    signed_at: datetime
    meaning: str
    record_hash: str
    state: str = Field(
        description="valid, superseded (record intact), record changed since signing"
    )
    current_hash: str
    changes: list[str]


def _version(version: DocumentVersion) -> dict[str, Any]:
    stored = version.file
    return {
        "document_id": version.document_id,
        "document": version.document.number,
        "number": version.number,
        "label": version.label,
        "status": version.status,
        "reviewed": version.review_signature_id is not None,
        "change_summary": version.change_summary,
        "file": (
            {
                "name": stored.name,
                "content_type": stored.content_type,
                "size": stored.size,
                "sha256": stored.sha256,
            }
            if stored is not None
            else None
        ),
        "effective_from": version.effective_from,
        "retraining_required": version.retraining_required,
        "review_due": version.review_due,
        "retired_reason": version.retired_reason,
    }


def _document(
    document: ControlledDocument, current: DocumentVersion | None, overdue: bool
) -> dict[str, Any]:
    return {
        "id": document.pk,
        "institution": document.institution.provider_code,
        "number": document.number,
        "title": document.title,
        "title_zh": document.title_zh,
        "kind": document.kind,
        "owner": document.owner.username,
        "review_interval_months": document.review_interval_months,
        "withdrawn": document.withdrawn_at is not None,
        "in_force": current.number if current else None,
        "review_overdue": overdue,
    }


def _detail(request: AuthenticatedHttpRequest, document: ControlledDocument) -> dict[str, Any]:
    services.document_bring_into_force(document=document)
    versions = list(visible_versions(request.user, document))
    current = next((v for v in versions if v.status == VersionStatus.EFFECTIVE), None)
    overdue = bool(current and current.review_due and current.review_due < timezone.localdate())
    return {**_document(document, current, overdue), "versions": [_version(v) for v in versions]}


def _viewer(request: AuthenticatedHttpRequest) -> None:
    require(request.user, Perm.QMS_VIEW)


@router.get("/qms/documents", response=list[DocumentOut], auth=AUTHENTICATED)
def documents_list(
    request: AuthenticatedHttpRequest,
    kind: str = param.Query("", pattern=KIND_PATTERN, description="sop, form, policy ..."),
    status: str = param.Query(
        "", pattern=STATUS_PATTERN, description="A version's status, or withdrawn"
    ),
    q: str = param.Query("", description="Words of the number or either title"),
) -> list[dict[str, Any]]:
    """Needs qms.view: your institution's controlled documents (every one for platform
    admins), those overdue for periodic review first; filter by kind, by the status of one of
    their versions (or `withdrawn`), and by words of the number or either title."""
    _viewer(request)
    user = request.user
    services.document_versions_bring_into_force(
        institution_id=None if user.is_superuser else user.institution_id
    )
    found = document_search(visible_documents(user), kind=kind, status=status, q=q)
    return [
        _document(row.document, row.current, row.review_overdue)
        for row in document_rows(user, found, today=timezone.localdate())
    ]


@router.post("/qms/documents", response={201: DocumentDetailOut}, auth=AUTHENTICATED)
def documents_create(
    request: AuthenticatedHttpRequest, payload: DocumentIn
) -> Status[dict[str, Any]]:
    """Needs qms.documents in your institution: put a document under control."""
    document = services.document_create(actor=request.user, **payload.dict())
    return Status(201, _detail(request, document))


@router.get("/qms/documents/to-read", response=list[VersionOut], auth=AUTHENTICATED)
def documents_to_read_list(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """Needs qms.view: the versions in force at your institution you have not acknowledged."""
    _viewer(request)
    if request.user.institution_id:
        services.document_versions_bring_into_force(institution_id=request.user.institution_id)
    return [_version(v) for v in documents_to_read(request.user)]


@router.get("/qms/documents/{document_id}", response=DocumentDetailOut, auth=AUTHENTICATED)
def documents_detail(request: AuthenticatedHttpRequest, document_id: int) -> dict[str, Any]:
    """Needs qms.view in the document's institution: the document and its versions (drafts
    and versions in review for its writers only)."""
    _viewer(request)
    return _detail(request, document_or_404(request.user, document_id))


@router.post("/qms/documents/{document_id}/versions", response={201: VersionOut},
             auth=AUTHENTICATED)  # fmt: skip
def documents_version_new(
    request: AuthenticatedHttpRequest, document_id: int, payload: DraftIn
) -> Status[dict[str, Any]]:
    """Needs qms.documents (or qms.manage): draft the next version."""
    _viewer(request)
    document = document_or_404(request.user, document_id)
    version = services.version_draft(
        actor=request.user, document=document, change_summary=payload.change_summary
    )
    return Status(201, _version(version))


def _found(request: AuthenticatedHttpRequest, document_id: int, number: int) -> DocumentVersion:
    _viewer(request)
    return version_or_404(request.user, document_id, number)


@router.patch("/qms/documents/{document_id}/versions/{number}", response=VersionOut,
              auth=AUTHENTICATED)  # fmt: skip
def documents_version_edit(
    request: AuthenticatedHttpRequest, document_id: int, number: int, payload: VersionPatch
) -> dict[str, Any]:
    """Needs qms.documents (or qms.manage): change a draft's summary of what changed."""
    version = _found(request, document_id, number)
    return _version(
        services.version_edit(
            actor=request.user, version=version, change_summary=payload.change_summary
        )
    )


@router.post("/qms/documents/{document_id}/versions/{number}/file", response=VersionOut,
             auth=AUTHENTICATED)  # fmt: skip
def documents_file_upload(
    request: AuthenticatedHttpRequest, document_id: int, number: int, payload: FileIn
) -> dict[str, Any]:
    """Needs qms.documents (or qms.manage): attach a draft's file, a PDF or DOCX given as
    base64 (proven by its first bytes, 25 MB at most, stored with its sha256)."""
    version = _found(request, document_id, number)
    services.require_controller(request.user, version.document.institution_id)
    if len(payload.content_base64) > (MAX_FILE_BYTES * 4) // 3 + 8:
        raise InvalidInput(
            _("%(name)s is larger than %(mb)s MB")
            % {"name": payload.name, "mb": MAX_FILE_BYTES // (1024 * 1024)},
            fields={"content_base64": [_("too large")]},
        )
    try:
        content = base64.b64decode(payload.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            _("The file's content is not valid base64"),
            fields={"content_base64": [_("not base64")]},
        ) from None
    return _version(
        services.version_file_attach(
            actor=request.user, version=version, name=payload.name, chunks=[content]
        )
    )


@router.get("/qms/documents/{document_id}/versions/{number}/file", auth=AUTHENTICATED,
            openapi_extra=file_answer("application/pdf"))  # fmt: skip
def documents_file(
    request: AuthenticatedHttpRequest, document_id: int, number: int
) -> HttpResponse:
    """Needs qms.view in the document's institution: the version's file as stored, its
    sha256 in the `X-Content-SHA256` header."""
    version = _found(request, document_id, number)
    if version.file is None:
        raise NotFound(_("%(version)s has no file yet") % {"version": version.label})
    answer = HttpResponse(bytes(version.file.content), content_type=version.file.content_type)
    answer["Content-Disposition"] = f'attachment; filename="{version.label.replace(" ", "-")}"'
    answer["X-Content-SHA256"] = version.file.sha256
    return answer


@router.post("/qms/documents/{document_id}/versions/{number}/submit", response=VersionOut,
             auth=AUTHENTICATED)  # fmt: skip
def documents_version_submit(
    request: AuthenticatedHttpRequest, document_id: int, number: int
) -> dict[str, Any]:
    """Needs qms.documents (or qms.manage): send a draft with its file for review."""
    version = _found(request, document_id, number)
    return _version(services.version_submit(actor=request.user, version=version))


@router.post("/qms/documents/{document_id}/versions/{number}/return", response=VersionOut,
             auth=AUTHENTICATED)  # fmt: skip
def documents_version_return(
    request: AuthenticatedHttpRequest, document_id: int, number: int, payload: ReasonIn
) -> dict[str, Any]:
    """Needs qms.documents (or qms.manage): send a version in review back to draft."""
    version = _found(request, document_id, number)
    return _version(
        services.version_return(actor=request.user, version=version, reason=payload.reason)
    )


@router.post("/qms/documents/{document_id}/versions/{number}/review", response=VersionOut,
             auth=AUTHENTICATED)  # fmt: skip
def documents_version_review(
    request: AuthenticatedHttpRequest, document_id: int, number: int, payload: DocumentSignIn
) -> dict[str, Any]:
    """Needs qms.documents (or qms.manage), not the version's author: sign its review
    ("document reviewed"), password re-entered."""
    version = _found(request, document_id, number)
    return _version(
        services.version_review(
            actor=request.user,
            version=version,
            password=payload.password,
            comment=payload.comment,
        )
    )


@router.post("/qms/documents/{document_id}/versions/{number}/approve", response=VersionOut,
             auth=AUTHENTICATED)  # fmt: skip
def documents_version_approve(
    request: AuthenticatedHttpRequest, document_id: int, number: int, payload: ApproveIn
) -> dict[str, Any]:
    """Needs qms.manage: sign the approval of a reviewed version ("document approved"),
    password re-entered, with its effective date (today or later) and whether retraining is
    required. It comes into force on that date."""
    version = _found(request, document_id, number)
    return _version(
        services.version_approve(
            actor=request.user,
            version=version,
            password=payload.password,
            effective_from=payload.effective_from,
            retraining_required=payload.retraining_required,
        )
    )


@router.post("/qms/documents/{document_id}/versions/{number}/periodic-review",
             response={201: PeriodicReviewOut}, auth=AUTHENTICATED)  # fmt: skip
def documents_periodic_review(
    request: AuthenticatedHttpRequest, document_id: int, number: int, payload: PeriodicReviewIn
) -> Status[dict[str, Any]]:
    """Needs qms.manage: sign the periodic review of the version in force: `confirmed` sets
    the next review date, `revision` starts the next version as a draft."""
    version = _found(request, document_id, number)
    review = services.version_periodic_review(
        actor=request.user,
        version=version,
        password=payload.password,
        outcome=payload.outcome,
        notes=payload.notes,
    )
    version.refresh_from_db()
    return Status(
        201,
        {
            "version": _version(version),
            "outcome": review.outcome,
            "next_review_due": review.next_review_due,
            "revision": review.revision.number if review.revision else None,
        },
    )


@router.post("/qms/documents/{document_id}/versions/{number}/acknowledge",
             response={201: AcknowledgementOut}, auth=AUTHENTICATED)  # fmt: skip
def documents_acknowledge(
    request: AuthenticatedHttpRequest, document_id: int, number: int
) -> Status[dict[str, Any]]:
    """Needs qms.view, staff of the document's institution: "read and understood" the
    effective version, once."""
    version = _found(request, document_id, number)
    ack = services.acknowledgement_record(actor=request.user, version=version)
    return Status(
        201,
        {
            "username": request.user.username,
            "name": request.user.display_name,
            "acknowledged_at": ack.acknowledged_at,
        },
    )


@router.get("/qms/documents/{document_id}/versions/{number}/acknowledgements",
            response=AcknowledgementsOut, auth=AUTHENTICATED)  # fmt: skip
def documents_acknowledgements(
    request: AuthenticatedHttpRequest, document_id: int, number: int
) -> dict[str, Any]:
    """Needs qms.view in the document's institution: who acknowledged the version, and who
    among the institution's staff holding qms.view has not."""
    version = _found(request, document_id, number)
    acks = acknowledgement_list(version)
    return {
        "version": version.label,
        "acknowledged": [
            {
                "username": a.user.username,
                "name": a.user.display_name,
                "acknowledged_at": a.acknowledged_at,
            }
            for a in acks.acknowledged
        ],
        "not_yet": [person.username for person in acks.missing],
    }


@router.get("/qms/documents/{document_id}/versions/{number}/signatures",
            response=list[SignatureOut], auth=AUTHENTICATED)  # fmt: skip
def documents_signatures(
    request: AuthenticatedHttpRequest, document_id: int, number: int
) -> list[dict[str, Any]]:
    """Needs qms.view in the document's institution: the version's signatures, each verified
    (the signed record rebuilt from the data now and hashed again)."""
    version = _found(request, document_id, number)
    return [
        {
            "step": str(step.step),
            "printed_name": step.signature.printed_name,
            "signed_at": step.signature.signed_at,
            "meaning": step.signature.meaning,
            "record_hash": step.signature.record_hash,
            "state": step.check.state,
            "current_hash": step.check.current_hash,
            "changes": step.check.changes,
        }
        for step in version_signatures(version)
    ]


@router.post("/qms/documents/{document_id}/withdraw", response=DocumentDetailOut,
             auth=AUTHENTICATED)  # fmt: skip
def documents_withdraw(
    request: AuthenticatedHttpRequest, document_id: int, payload: ReasonIn
) -> dict[str, Any]:
    """Needs qms.manage: withdraw the document; its versions in force or approved become
    obsolete."""
    _viewer(request)
    document = document_or_404(request.user, document_id)
    services.document_withdraw(actor=request.user, document=document, reason=payload.reason)
    document.refresh_from_db()
    return _detail(request, document)
