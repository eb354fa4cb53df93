"""Django's own error pages are ours, in the reader's language: a mistyped address, a refusal,
and a server error (rendered without a request, so it stands alone)."""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_a_missing_page_says_so_in_the_browsers_language():
    answer = Client().get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert answer.status_code == 404
    page = answer.content.decode()
    assert "此地址没有页面" in page and 'href="/"' in page


def test_a_missing_page_in_english():
    answer = Client().get("/no-such-page/")
    assert "There is no page at this address" in answer.content.decode()


def test_the_server_error_page_renders_alone():
    with translation.override("zh-hans"):
        page = render_to_string("500.html")
    assert "服务器错误" in page and '<html lang="zh-Hans">' in page
