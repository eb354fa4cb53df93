"""An upload over STEMHUB_MAX_UPLOAD_MB is answered 413 with the limit named, never a 500, and
reaches no import."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from stemhub.registry.models import CellLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_mb(settings):
    settings.STEMHUB_MAX_UPLOAD_MB = 1


def big() -> SimpleUploadedFile:
    return SimpleUploadedFile("lines.csv", b"name,line_type\n" + b"x" * (1024 * 1024), "text/csv")


def test_an_api_upload_over_the_limit_is_413_in_the_error_shape(client_for, one_mb):
    answer = client_for("curator").post("/api/v1/imports/lines", {"file": big()})
    assert answer.status_code == 413
    error = answer.json()["error"]
    assert error["code"] == "too_large" and "the limit for one upload is 1 MB" in error["message"]
    assert not CellLine.objects.exists()


def test_a_page_upload_over_the_limit_is_413_naming_the_limit(client_for, one_mb):
    answer = client_for("curator").post("/staff/import/lines/", {"file": big()})
    assert answer.status_code == 413
    assert "the limit for one upload is 1 MB" in answer.content.decode()


def test_an_upload_within_the_limit_goes_through(client_for, one_mb):
    small = SimpleUploadedFile("lines.csv", b"name,line_type\nNSCBi001-A,hiPSC\n", "text/csv")
    answer = client_for("curator").post("/staff/import/lines/", {"file": small, "dry_run": "on"})
    assert answer.status_code == 200


def test_the_refusal_is_in_the_browsers_language(client_for, one_mb):
    """It comes before the locale middleware, so it reads the cookie or Accept-Language itself."""
    answer = client_for("curator").post(
        "/staff/import/lines/", {"file": big()}, HTTP_ACCEPT_LANGUAGE="zh-CN"
    )
    assert answer.status_code == 413
    assert "单次上传上限为 1 MB" in answer.content.decode()
