"""Governing documents, and people brought up to the mark for a task under one: the rows the
competence and gating tests share. Acknowledgements are written directly (the documents part
owns the acknowledge action)."""

import datetime
from typing import Any

from django.utils import timezone

from stemhub.audit.context import audit_context
from stemhub.qms import competence
from stemhub.qms.models import (
    Acknowledgement,
    ControlledDocument,
    DocumentKind,
    DocumentVersion,
    TaskProcedure,
    VersionStatus,
)
from stemhub.qms.signing import signature_write
from stemhub.quality.models import Signature
from tests.conftest import PASSWORD


def effective_document(
    institution: Any,
    number: str,
    owner: Any,
    *,
    version: int = 1,
    retraining: bool = False,
    title: str = "Procedure",
    pk: int | None = None,
) -> DocumentVersion:
    """A document of the institution whose version `version` is in force (approved, signed),
    with superseded versions before it."""
    with audit_context(actor=owner, reason="test setup"):
        document, _ = ControlledDocument.objects.get_or_create(
            institution=institution,
            number=number,
            defaults={"title": title, "kind": DocumentKind.SOP, "owner": owner, "pk": pk},
        )
        in_force = None
        for n in range(1, version + 1):
            current = n == version
            signature = signature_write(
                actor=owner,
                meaning=Signature.Meaning.DOCUMENT_APPROVED,
                record={"document": number, "version": n},
            )
            in_force = DocumentVersion.objects.create(
                document=document,
                number=n,
                status=VersionStatus.EFFECTIVE if current else VersionStatus.SUPERSEDED,
                retraining_required=retraining and current,
                effective_from=timezone.localdate() - datetime.timedelta(days=400 - 100 * n),
                review_due=timezone.localdate() + datetime.timedelta(days=365),
                approval_signature=signature,
                created_by=owner,
                retired_at=None if current else timezone.now(),
                retired_reason="" if current else "new version",
            )
    assert in_force is not None
    return in_force


def govern(
    institution: Any, task: str, owner: Any, *, number: str = "SOP-T-001", retraining: bool = True
) -> DocumentVersion:
    """`task` governed at the institution by a document in force (needing retraining unless
    told otherwise)."""
    version = effective_document(institution, number, owner, retraining=retraining)
    with audit_context(actor=owner, reason="test setup"):
        TaskProcedure.objects.create(institution=institution, task=task, document=version.document)
    return version


def acknowledge(user: Any, version: DocumentVersion) -> None:
    with audit_context(actor=user, reason="read and understood"):
        Acknowledgement.objects.get_or_create(user=user, version=version)


def assess(user: Any, task: str, assessor: Any, **values: Any) -> Any:
    return competence.competence_assessment_sign(
        actor=assessor,
        user=user,
        task=task,
        assessed_on=values.pop("assessed_on", timezone.localdate()),
        method=values.pop("method", "Observed practice"),
        outcome=values.pop("outcome", "competent"),
        password=PASSWORD,
        **values,
    )


def qualify(user: Any, task: str, version: DocumentVersion | None, trainer: Any) -> None:
    """Everything `user` needs to do `task` under `version`: read it, trained on it, assessed
    competent and authorised for a year."""
    if version is not None:
        acknowledge(user, version)
        competence.training_record_create(
            actor=trainer,
            user=user,
            course="",
            document_version=version,
            trainer=trainer,
            trained_on=timezone.localdate(),
        )
    assess(user, task, trainer)
    competence.authorisation_grant(
        actor=trainer,
        user=user,
        task=task,
        expires_on=timezone.localdate() + datetime.timedelta(days=365),
    )
