"""The language a certificate is issued in: chosen where the release is signed (page, API),
by default the signer's, kept on the certificate so that rendering it again gives the bytes
that were issued; Chinese names from the database print exactly."""

import json

import pytest
from django.utils import translation

from stemhub.core.errors import InvalidInput
from stemhub.quality import services
from stemhub.quality.coa import certificate_data, render_certificate
from stemhub.quality.models import Certificate, CertificateLanguage, Release
from tests.conftest import PASSWORD
from tests.quality.setups import pass_everything, qc_bank
from tests.quality.test_coa_languages import text_of

INSTITUTION = "国家干细胞资源库"


@pytest.fixture
def ready_bank(users):
    found = qc_bank(users)
    pass_everything(users["bank_technician"], found)
    return found


def release(users, bank, **choice):
    return services.bank_release(actor=users["qa_manager"], bank=bank, password=PASSWORD, **choice)


def test_a_bilingual_certificate_keeps_its_language_and_renders_again_to_the_same_bytes(
    users, ready_bank
):
    done = release(users, ready_bank, certificate_language="bilingual")
    certificate = Certificate.objects.get(release=done)
    assert certificate.language == CertificateLanguage.BILINGUAL
    text = text_of(bytes(certificate.pdf))
    assert "分析证书 Certificate of Analysis" in text and "放行签名 / Release signature" in text
    # Whatever language the one re-rendering it uses.
    with translation.override("zh-hans"):
        again = render_certificate(
            certificate_data(
                done,
                number=certificate.number,
                issued_at=certificate.issued_at,
                language=certificate.language,
            )
        )
    assert again == bytes(certificate.pdf)


def test_chinese_names_from_the_database_print_exactly(users, ready_bank):
    ready_bank.institution.name = INSTITUTION
    ready_bank.institution.save(update_fields=["name"])
    signer = users["qa_manager"]
    signer.first_name, signer.last_name = "堃", "王"
    signer.save(update_fields=["first_name", "last_name"])
    done = release(users, ready_bank, certificate_language="zh-hans")
    text = text_of(bytes(Certificate.objects.get(release=done).pdf))
    assert f"{INSTITUTION} (NSCB)" in text
    assert "签名人 堃 王" in text
    assert "签名含义 批准放行" in text
    assert f"细胞库 主细胞库 {ready_bank.code}" in text


def test_by_default_the_certificate_is_in_the_signers_language(users, ready_bank):
    users["qa_manager"].language = "zh-hans"
    users["qa_manager"].save(update_fields=["language"])
    done = release(users, ready_bank)
    certificate = Certificate.objects.get(release=done)
    assert certificate.language == CertificateLanguage.CHINESE
    assert "已放行" in text_of(bytes(certificate.pdf))


def test_an_unknown_language_is_refused_before_anything_is_signed(users, ready_bank):
    with pytest.raises(InvalidInput) as refused:
        release(users, ready_bank, certificate_language="fr")
    assert "certificate_language" in refused.value.fields
    assert not Release.objects.filter(bank=ready_bank).exists()


def test_the_release_form_offers_the_languages_with_the_signers_own_chosen(
    users, ready_bank, client_for
):
    client = client_for("qa_manager")
    page = client.get(
        f"/quality/banks/{ready_bank.pk}/", headers={"accept-language": "zh-CN"}
    ).content.decode()
    assert 'name="certificate_language"' in page
    assert '<option value="zh-hans" selected>中文</option>' in page
    assert '<option value="bilingual">中英双语</option>' in page
    answer = client.post(
        f"/quality/banks/{ready_bank.pk}/release/",
        {"password": PASSWORD, "certificate_language": "bilingual"},
    )
    assert answer.status_code == 302
    assert Certificate.objects.get(release__bank=ready_bank).language == "bilingual"


def test_the_api_takes_the_certificate_language(users, ready_bank, client_for):
    answer = client_for("qa_manager").post(
        f"/api/v1/quality/banks/{ready_bank.pk}/release",
        json.dumps({"password": PASSWORD, "certificate_language": "zh-hans"}),
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert Certificate.objects.get(release__bank=ready_bank).language == "zh-hans"
    refused = client_for("qa_manager").post(
        f"/api/v1/quality/banks/{ready_bank.pk}/release",
        json.dumps({"password": PASSWORD, "certificate_language": "de"}),
        content_type="application/json",
    )
    assert refused.status_code == 400
