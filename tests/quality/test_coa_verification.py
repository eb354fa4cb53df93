"""Certificates issued by a release, and the public pages that verify them: the status, the
sha256 check of an uploaded file or a pasted hash, the public download and what the catalogue
lists."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from stemhub.core.errors import Conflict
from stemhub.quality import services
from stemhub.quality.coa import certificate_issue, verification_url
from stemhub.quality.models import Certificate, QcTest
from stemhub.quality.verification import public_certificates_for_line
from stemhub.registry.models import CellLine
from tests.conftest import PASSWORD
from tests.quality.public_cases import (
    BANK_CODE,
    FIRST_TEST_DAY,
    LINE,
    NUMBER,
    bank_with_passing_results,
    certified,
)

pytestmark = pytest.mark.urls("tests.quality.public_cases")


@pytest.fixture
def release(users):
    return certified(users)


def fail_mycoplasma(users, bank):
    return services.qc_result_record(
        actor=users["bank_technician"],
        bank=bank,
        test=QcTest.objects.get(code="mycoplasma", current=True),
        value="positive",
        tested_on=FIRST_TEST_DAY + timedelta(days=40),
    )


def upload(content: bytes, name: str = "certificate.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_release_issues_a_numbered_certificate_with_its_sha256(release):
    certificate = Certificate.objects.get(release=release)
    assert certificate.number == f"COA-{BANK_CODE}-1" == NUMBER
    pdf = bytes(certificate.pdf)
    assert pdf.startswith(b"%PDF-")
    assert certificate.sha256 == hashlib.sha256(pdf).hexdigest()
    assert certificate.public


def test_the_issued_pdf_states_the_bank_its_tests_and_the_signature(release):
    pypdf = pytest.importorskip("pypdf")
    pdf = bytes(Certificate.objects.get(release=release).pdf)
    text = " ".join(
        " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split()
    )
    signature = release.signature
    assert LINE in text and "AD-iPS-1" in text  # the line and its synonym
    assert f"Master cell bank {BANK_CODE}" in text
    assert "P12" in text and "2025-03-14" in text and "1,000,000" in text
    names = [
        t.name
        for t in QcTest.objects.filter(current=True)
        if "mcb" in t.required_tiers and not t.clinical_only
    ]
    squashed = "".join(text.split())  # a long name wraps within its table cell
    assert [name for name in names if "".join(name.split()) not in squashed] == []
    assert f"All {len(names)} tests met their specification." in text
    assert "Tanabe 100.00 %" in text  # the bank's profile is the line's own
    assert "Approved for release" in text and signature.printed_name in text
    assert signature.record_hash in text
    assert verification_url(NUMBER) in text


def test_the_qr_code_of_the_issued_certificate_opens_its_verification_page(release, client):
    pdfium = pytest.importorskip("pypdfium2")
    zxingcpp = pytest.importorskip("zxingcpp")
    pdf = bytes(Certificate.objects.get(release=release).pdf)
    image = pdfium.PdfDocument(pdf)[0].render(scale=80 / 72).to_pil()
    [url] = [code.text for code in zxingcpp.read_barcodes(image)]
    assert url.endswith(f"/verify/{NUMBER}/")
    path = url[url.index("/verify/") :]
    answer = client.get(path)
    assert answer.status_code == 200
    assert b"Valid" in answer.content


def test_a_release_is_certified_once(release):
    with pytest.raises(Conflict):
        certificate_issue(release=release)
    assert Certificate.objects.count() == 1


def test_the_verification_page_shows_the_essentials_to_anyone(release):
    answer = Client().get(f"/verify/{NUMBER}/")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'id="certificate-state">Valid<' in page
    assert LINE in page and BANK_CODE in page
    assert release.signature.printed_name in page and release.signature.record_hash in page
    assert f"/verify/{NUMBER}/pdf" in page


def test_an_unknown_number_is_404(db):
    assert Client().get("/verify/COA-NOPE-1/").status_code == 404


def test_the_issued_file_matches(release):
    pdf = bytes(Certificate.objects.get(release=release).pdf)
    answer = Client().post(f"/verify/{NUMBER}/", {"file": upload(pdf)})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "This file is the certificate issued on" in page
    assert hashlib.sha256(pdf).hexdigest() in page


def test_a_pasted_sha256_matches_whatever_its_case_and_spacing(release):
    digest = hashlib.sha256(bytes(Certificate.objects.get(release=release).pdf)).hexdigest()
    pasted = f"  {digest[:32].upper()} {digest[32:]}  "
    answer = Client().post(f"/verify/{NUMBER}/", {"sha256": pasted})
    assert "This file is the certificate issued on" in answer.content.decode()


def test_an_altered_file_does_not_match(release):
    pdf = bytearray(Certificate.objects.get(release=release).pdf)
    pdf[-10] ^= 1
    answer = Client().post(f"/verify/{NUMBER}/", {"file": upload(bytes(pdf))})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "This file does not match any certificate" in page
    assert "This file is the certificate" not in page


def test_a_malformed_hash_or_nothing_at_all_is_400_naming_the_field(release):
    answer = Client().post(f"/verify/{NUMBER}/", {"sha256": "abc123"})
    assert answer.status_code == 400
    assert "64 hexadecimal digits" in answer.content.decode()
    answer = Client().post(f"/verify/{NUMBER}/", {})
    assert answer.status_code == 400
    assert "Choose the certificate" in answer.content.decode()


def test_a_failing_result_after_release_supersedes_the_certificate(users, release):
    pdf = bytes(Certificate.objects.get(release=release).pdf)
    fail_mycoplasma(users, release.bank)
    answer = Client().post(f"/verify/{NUMBER}/", {"file": upload(pdf)})
    page = answer.content.decode()
    assert 'id="certificate-state">Superseded<' in page
    assert "Mycoplasma out of specification" in page  # the reason the release fell
    # The file is still the one issued: the check says so, and that it is superseded.
    assert "This file is the certificate issued on" in page
    assert "has since been superseded" in page


def test_a_new_release_issues_the_next_number_and_supersedes_the_first(users, release):
    bank = release.bank
    result = fail_mycoplasma(users, bank)
    for nonconformity in result.nonconformities.all():
        services.nonconformity_close(
            actor=users["qa_manager"],
            nonconformity=nonconformity,
            reason="Re-tested negative",
            password=PASSWORD,
        )
    services.qc_result_record(
        actor=users["bank_technician"],
        bank=bank,
        test=QcTest.objects.get(code="mycoplasma", current=True),
        value="negative",
        tested_on=FIRST_TEST_DAY + timedelta(days=41),
    )
    services.bank_release(actor=users["qa_manager"], bank=bank, password=PASSWORD)
    assert sorted(Certificate.objects.values_list("number", flat=True)) == [
        f"COA-{BANK_CODE}-1",
        f"COA-{BANK_CODE}-2",
    ]
    old = Client().get(f"/verify/{NUMBER}/").content.decode()
    assert 'id="certificate-state">Superseded<' in old
    assert f"/verify/COA-{BANK_CODE}-2/" in old
    new = Client().get(f"/verify/COA-{BANK_CODE}-2/").content.decode()
    assert 'id="certificate-state">Valid<' in new


def test_the_lookup_page_finds_a_certificate_by_file_or_by_number(release):
    pdf = bytes(Certificate.objects.get(release=release).pdf)
    answer = Client().post("/verify/", {"file": upload(pdf)})
    assert "This file is the certificate issued on" in answer.content.decode()
    assert NUMBER in answer.content.decode()
    answer = Client().post("/verify/", {"file": upload(b"%PDF-1.4 something else")})
    assert "This file does not match any certificate" in answer.content.decode()
    assert Client().get("/verify/", {"number": NUMBER}).status_code == 200
    assert Client().get("/verify/", {"number": "COA-NOPE-9"}).status_code == 404


def test_a_file_checked_on_another_certificates_page_is_named(users, release):
    other_bank = bank_with_passing_results(users, code="NSCBi001-A-WCB-01")
    services.bank_release(actor=users["qa_manager"], bank=other_bank, password=PASSWORD)
    other = Certificate.objects.get(release__bank=other_bank)
    answer = Client().post(f"/verify/{NUMBER}/", {"file": upload(bytes(other.pdf))})
    page = answer.content.decode()
    assert "This file is a different certificate" in page
    assert other.number in page


def test_the_pdf_downloads_while_public_and_not_otherwise(release):
    certificate = Certificate.objects.get(release=release)
    answer = Client().get(f"/verify/{NUMBER}/pdf")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer.content == bytes(certificate.pdf)
    assert f'filename="{NUMBER}.pdf"' in answer["Content-Disposition"]
    Certificate.objects.filter(pk=certificate.pk).update(public=False)
    assert Client().get(f"/verify/{NUMBER}/pdf").status_code == 404


def test_a_private_certificate_shows_its_details_only_to_the_holder_of_the_file(release):
    certificate = Certificate.objects.get(release=release)
    Certificate.objects.filter(pk=certificate.pk).update(public=False)
    page = Client().get(f"/verify/{NUMBER}/").content.decode()
    assert 'id="certificate-state">Valid<' in page
    assert release.signature.record_hash not in page
    assert f"/verify/{NUMBER}/pdf" not in page
    page = Client().post(f"/verify/{NUMBER}/", {"file": upload(bytes(certificate.pdf))})
    assert release.signature.record_hash in page.content.decode()


def test_the_catalogue_lists_standing_public_certificates_of_a_published_line(users, release):
    line = CellLine.objects.get(name=LINE)
    assert [c.number for c in public_certificates_for_line(line)] == [NUMBER]
    fail_mycoplasma(users, release.bank)
    assert public_certificates_for_line(line) == []


def test_the_catalogue_lists_no_private_certificate(release):
    Certificate.objects.update(public=False)
    assert public_certificates_for_line(CellLine.objects.get(name=LINE)) == []


def test_the_catalogue_query_count_does_not_grow_with_certificates(
    users, release, django_assert_num_queries
):
    line = CellLine.objects.get(name=LINE)
    with django_assert_num_queries(1):
        found = public_certificates_for_line(line)
        _ = [(c.number, c.release.bank.code, c.release.signature.printed_name) for c in found]
