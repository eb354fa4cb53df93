"""A review or approval signature binds to the hash of what was signed: the document, the
version, what changed, the file's name and sha256, the effective date and the retraining flag.
Changing any of them, or the stored copy of the record, breaks its verification."""

import json

import pytest

from stemhub.audit.triggers import history_rewritable
from stemhub.qms.documents_selectors import version_signatures
from stemhub.qms.models import ControlledDocument, DocumentFile, DocumentVersion
from stemhub.quality.models import Signature
from tests.qms.documents_setup import advance, drafted, sop

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(users) -> DocumentVersion:
    return advance(users, drafted(users, sop(users)), "effective", retraining_required=True)


def checks(version: DocumentVersion) -> dict[str, object]:
    version = DocumentVersion.objects.select_related("document__institution", "file").get(
        pk=version.pk
    )
    return {str(step.step): step.check for step in version_signatures(version)}


def test_both_signatures_verify_while_nothing_changed(signed):
    found = checks(signed)
    assert set(found) == {"Review", "Approval"}
    assert all(check.intact for check in found.values())


def test_swapping_the_files_bytes_breaks_both_signatures(signed):
    with history_rewritable():
        DocumentFile.objects.filter(pk=signed.file_id).update(sha256="0" * 64)
    found = checks(signed)
    assert not found["Review"].intact
    assert not found["Approval"].intact
    assert "file changed" in found["Approval"].changes


def test_changing_the_effective_date_or_retraining_flag_breaks_the_approval_only(signed):
    DocumentVersion.objects.filter(pk=signed.pk).update(retraining_required=False)
    found = checks(signed)
    assert found["Review"].intact
    assert not found["Approval"].intact
    assert found["Approval"].changes == ["retraining_required changed"]


def test_changing_the_title_breaks_the_signatures(signed):
    ControlledDocument.objects.filter(pk=signed.document_id).update(title="Thawing vials")
    assert not any(check.intact for check in checks(signed).values())


def test_editing_the_stored_record_is_caught_even_when_the_data_is_untouched(signed):
    signature = Signature.objects.get(pk=signed.approval_signature_id)
    record = json.loads(signature.record)
    record["retraining_required"] = False
    Signature.objects.filter(pk=signature.pk).update(record=json.dumps(record))
    found = checks(signed)
    assert not found["Approval"].intact
    assert "the stored copy of the signed record does not match its hash" in (
        found["Approval"].changes
    )


def test_the_page_verifies_on_request(signed, client_for):
    client = client_for("bank_technician")
    url = f"/qms/documents/{signed.document_id}/"
    page = client.get(url).content.decode()
    assert 'id="verify"' in page and "check-valid" not in page
    assert Signature.objects.get(pk=signed.approval_signature_id).record_hash in page
    page = client.get(url + "?version=1&verify=1").content.decode()
    assert page.count("badge check-valid") == 2
    DocumentVersion.objects.filter(pk=signed.pk).update(retraining_required=False)
    page = client.get(url + "?version=1&verify=1").content.decode()
    assert page.count("badge check-broken") == 1


def test_the_api_reports_each_signatures_state(signed, client_for):
    url = f"/api/v1/qms/documents/{signed.document_id}/versions/1/signatures"
    answer = client_for("curator").get(url).json()
    assert [s["state"] for s in answer] == ["valid", "valid"]
    assert [s["meaning"] for s in answer] == ["document reviewed", "document approved"]
    with history_rewritable():
        DocumentFile.objects.filter(pk=signed.file_id).update(name="other.pdf")
    answer = client_for("curator").get(url).json()
    assert {s["state"] for s in answer} == {"record changed since signing"}
