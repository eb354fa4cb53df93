"""Controlled documents the document tests share: the bank's SOP-BB-012 (id 9101) brought to a
given state by its document controller (who drafts) and QA manager (who reviews and approves)."""

import datetime
from typing import Any

from django.utils import timezone

from stemhub.audit.context import audit_context
from stemhub.qms import documents
from stemhub.qms.models import ControlledDocument, DocumentKind, DocumentVersion
from tests.conftest import PASSWORD

DOCUMENT_ID = 9101
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf(text: str = "") -> bytes:
    return PDF + text.encode()


def sop(users: dict[str, Any], number: str = "SOP-BB-012", **values: Any) -> ControlledDocument:
    controller = users["document_controller"]
    with audit_context(actor=controller, reason="test setup"):
        return ControlledDocument.objects.create(
            pk=values.pop("pk", DOCUMENT_ID),
            institution=controller.institution,
            number=number,
            title=values.pop("title", "Thawing cryopreserved vials"),
            title_zh=values.pop("title_zh", "冻存管复苏"),
            kind=DocumentKind.SOP,
            owner=controller,
            **values,
        )


def drafted(users: dict[str, Any], document: ControlledDocument, text: str = "") -> DocumentVersion:
    controller = users["document_controller"]
    version = documents.version_draft(
        actor=controller, document=document, change_summary=f"Revision {text}".strip()
    )
    return documents.version_file_attach(
        actor=controller, version=version, name="sop.pdf", chunks=[pdf(text)]
    )


def advance(
    users: dict[str, Any],
    version: DocumentVersion,
    state: str,
    *,
    effective_from: datetime.date | None = None,
    retraining_required: bool = False,
) -> DocumentVersion:
    """From draft to `state`: in_review, reviewed, effective (or approved for a later day)."""
    steps = ["draft", "in_review", "reviewed", "effective"]
    if steps.index(state) >= 1:
        version = documents.version_submit(actor=users["document_controller"], version=version)
    if steps.index(state) >= 2:
        version = documents.version_review(
            actor=users["qa_manager"], version=version, password=PASSWORD
        )
    if steps.index(state) >= 3:
        version = documents.version_approve(
            actor=users["qa_manager"],
            version=version,
            password=PASSWORD,
            effective_from=effective_from or timezone.localdate(),
            retraining_required=retraining_required,
        )
    return version


def sop_in(state: str):
    """Setup: SOP-BB-012 with version 1 in `state`."""

    def setup(users: dict[str, Any]) -> None:
        advance(users, drafted(users, sop(users)), state)

    return setup
