"""A version's file: PDF or DOCX proven by its bytes, not empty, 25 MB at most, stored with
its sha256, through the service, the page and the API alike."""

import base64
import hashlib
import json

import pytest

from stemhub.core.errors import InvalidInput
from stemhub.qms import documents, files
from stemhub.qms.models import DocumentFile
from tests.qms.documents_setup import PDF, drafted, sop

pytestmark = pytest.mark.django_db
DOCX = b"PK\x03\x04" + b"\x00" * 40


def attach(users, name: str, content: bytes):
    version = documents.version_draft(actor=users["document_controller"], document=sop(users))
    return documents.version_file_attach(
        actor=users["document_controller"], version=version, name=name, chunks=[content]
    )


def test_a_pdf_is_stored_with_its_sha256(users):
    version = attach(users, "SOP-BB-012.pdf", PDF)
    assert version.file.sha256 == hashlib.sha256(PDF).hexdigest()
    assert version.file.content_type == files.PDF
    assert version.file.size == len(PDF)


def test_a_docx_is_accepted(users):
    assert attach(users, "sop.docx", DOCX).file.content_type == files.DOCX


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("sop.pdf", b"<html>not a pdf</html>", "content does not match the file name"),
        ("sop.docx", PDF, "content does not match the file name"),
        ("sop.txt", b"plain text", "PDF or DOCX only"),
        ("sop.pdf", b"", "empty"),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused_naming_the_field(users, name, content, problem):
    with pytest.raises(InvalidInput) as refused:
        attach(users, name, content)
    assert refused.value.fields == {"file": [problem]}
    assert not DocumentFile.objects.exists()


def test_a_file_over_the_limit_is_refused_as_soon_as_it_is_passed(users, monkeypatch):
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 100)
    read = []

    def chunks():
        for n in range(10):
            read.append(n)
            yield PDF[:8] + b"x" * 52

    version = documents.version_draft(actor=users["document_controller"], document=sop(users))
    with pytest.raises(InvalidInput) as refused:
        documents.version_file_attach(
            actor=users["document_controller"], version=version, name="big.pdf", chunks=chunks()
        )
    assert refused.value.fields == {"file": ["too large"]}
    assert len(read) == 2  # stopped at the chunk that passed the limit


def test_the_page_shows_a_wrong_file_on_its_form_and_keeps_the_summary(users, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = sop(users)
    documents.version_draft(actor=users["document_controller"], document=document)
    answer = client_for("document_controller").post(
        f"/qms/documents/{document.pk}/versions/1/edit/",
        {
            "change_summary": "New thaw medium",
            "file": SimpleUploadedFile("sop.pdf", b"GIF89a...", "application/pdf"),
        },
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'id="edit-error"' in page
    assert "content does not match the file name" in page
    assert "New thaw medium" in page


def test_the_api_refuses_a_wrong_file_naming_the_field(users, client_for):
    document = sop(users)
    documents.version_draft(actor=users["document_controller"], document=document)
    client = client_for("document_controller")
    url = f"/api/v1/qms/documents/{document.pk}/versions/1/file"
    for body, field in (
        ({"name": "a.pdf", "content_base64": base64.b64encode(b"hello").decode()}, "file"),
        ({"name": "a.pdf", "content_base64": "***"}, "content_base64"),
    ):
        answer = client.post(url, json.dumps(body), content_type="application/json")
        assert answer.status_code == 400, answer.content
        assert field in answer.json()["error"]["fields"]


def test_the_file_downloads_as_stored_with_its_sha256(users, client_for):
    version = drafted(users, sop(users), "x")
    answer = client_for("document_controller").get(
        f"/qms/documents/{version.document_id}/versions/1/file/"
    )
    assert answer.status_code == 200
    assert answer.content == version.file.content
    assert answer["X-Content-SHA256"] == hashlib.sha256(answer.content).hexdigest()
