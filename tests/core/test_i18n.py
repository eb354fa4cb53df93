"""The interface in Simplified Chinese and English: every template's visible text is marked for
translation, every marked string of every app has a Chinese translation, and the language is
chosen by the profile, then the switch (a cookie), then the browser."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from tests.i18n import APPS, SOURCE, catalogue_entries, template_files, untranslated_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", template_files(), ids=lambda path: str(path.relative_to(SOURCE)))
def test_every_visible_word_of_a_template_is_marked_for_translation(path):
    findings = untranslated_text(path)
    assert not findings, f"{path.relative_to(SOURCE)} shows text not marked for translation:\n" + (
        "\n".join(str(finding) for finding in findings)
    )


def test_the_template_scanner_finds_unmarked_text(tmp_path):
    """The scanner itself: prose, a visible attribute, a literal default and a with-argument
    are found; marked text, code, comments and units are not."""
    template = tmp_path / "sample.html"
    template.write_text(
        '{% load i18n %}<h1>{% translate "Vials" %}</h1>\n'
        "<p>Released vials</p>\n"
        '<input placeholder="Search lines">\n'
        '{{ value|default:"none recorded" }}{{ when|date:"Y-m-d" }}{{ v|default:_("none") }}\n'
        '{% include "x.html" with heading="Stock" %}\n'
        "{% comment %}Not shown{% endcomment %}<code>unit_id,abo</code>\n"
        "{% blocktranslate %}Shown {{ n }} times{% endblocktranslate %}<td>{{ tnc }} kg</td>\n",
        encoding="utf-8",
    )
    found = [(finding.line, finding.text) for finding in untranslated_text(template)]
    assert found == [
        (2, "Released vials"),
        (3, "Search lines"),
        (4, "none recorded"),
        (5, "Stock"),
    ]


def _untranslated(app: str, workdir: Path) -> list[str]:
    """The marked strings of `app` that its zh_Hans catalogue lacks or marks fuzzy: gettext's
    own extraction (makemessages) run on a copy of the app, merged into a copy of its .po."""
    copy = workdir / app
    shutil.copytree(SOURCE / app, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    catalogue = copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    if not catalogue.is_file():
        return [f"{app} has no catalogue: {catalogue.relative_to(workdir)}"]
    with translation.override(None):
        here = os.getcwd()
        os.chdir(copy)
        try:
            call_command(
                "makemessages",
                locale=["zh_Hans"],
                extensions=["html", "txt", "py"],
                no_obsolete=True,
                add_location="file",
                verbosity=0,
            )
        finally:
            os.chdir(here)
    return [
        f"{app}: {entry.msgid!r}" + (" (fuzzy)" if entry.fuzzy else "")
        for entry in catalogue_entries(catalogue)
        if entry.fuzzy or not all(entry.msgstr)
    ]


def test_every_marked_string_has_a_chinese_translation(tmp_path, settings):
    settings.LOCALE_PATHS = []
    missing = [text for app in APPS for text in _untranslated(app, tmp_path)]
    assert not missing, f"{len(missing)} strings lack a zh_Hans translation:\n" + "\n".join(
        missing[:200]
    )


def test_the_catalogue_reader_sees_missing_and_fuzzy_translations(tmp_path):
    catalogue = tmp_path / "django.po"
    catalogue.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        'msgid "Vial"\nmsgstr "冻存管"\n\n'
        '#, fuzzy\nmsgid "Release"\nmsgstr "放行"\n\n'
        'msgid ""\n"Cord "\n"blood"\nmsgstr ""\n\n'
        'msgid "one vial"\nmsgid_plural "%(n)s vials"\nmsgstr[0] "%(n)s 支冻存管"\n',
        encoding="utf-8",
    )
    entries = {entry.msgid: entry for entry in catalogue_entries(catalogue)}
    assert set(entries) == {"Vial", "Release", "Cord blood", "one vial"}
    assert entries["Vial"].msgstr == ["冻存管"] and not entries["Vial"].fuzzy
    assert entries["Release"].fuzzy
    assert entries["Cord blood"].msgstr == [""]
    assert entries["one vial"].msgstr == ["%(n)s 支冻存管"]


LOGIN = "/accounts/login/"


def _language_of(response) -> str:
    return response.headers["Content-Language"]


def test_the_browser_language_is_the_default(client):
    assert _language_of(client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")) == "zh-hans"
    assert _language_of(client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")) == "en"
    assert _language_of(client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="fr-FR")) == "en"


def test_the_switch_sets_a_cookie_that_beats_the_browser():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/accounts/language/", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    page = client.get(LOGIN)
    assert _language_of(page) == "zh-hans"
    assert '<html lang="zh-Hans">' in page.content.decode()


def test_the_switch_refuses_a_foreign_next_address():
    response = Client().post(
        "/accounts/language/", {"language": "zh-hans", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_profile_language_beats_the_cookie_and_the_browser(users):
    researcher = users["researcher"]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(researcher)
    client.post("/accounts/language/", {"language": "zh-hans", "next": "/"})
    researcher.refresh_from_db()
    assert researcher.language == "zh-hans"
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    assert _language_of(client.get("/accounts/profile/")) == "zh-hans"
    # "the browser's language" forgets both choices
    client.post("/accounts/language/", {"language": "", "next": "/accounts/profile/"})
    researcher.refresh_from_db()
    assert researcher.language == ""
    assert _language_of(client.get("/accounts/profile/")) == "en"


def test_the_chinese_interface_is_translated(client):
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "登录" in page and "Log in" not in page


def test_times_are_shown_in_the_servers_time_zone(users, settings):
    """A centre in China runs with TIME_ZONE=Asia/Shanghai: a token made at 20:00 UTC reads
    04:00 the next day (UTC+8), in both languages."""
    import datetime as dt

    from stemhub.accounts.models import ApiToken

    settings.TIME_ZONE = "Asia/Shanghai"
    curator = users["curator"]
    client = Client()
    client.force_login(curator)
    client.post("/accounts/tokens/", {"name": "nightly export"})
    ApiToken.objects.filter(user=curator).update(
        created_at=dt.datetime(2026, 1, 1, 20, 0, tzinfo=dt.UTC)
    )
    for language in ("en", "zh-CN"):
        page = client.get("/accounts/tokens/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert "2026-01-02 04:00" in page, language


def test_our_commands_speak_the_shells_language():
    from stemhub.cli import command_language

    assert command_language({"LANG": "zh_CN.UTF-8"}) == "zh-hans"
    assert command_language({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    assert command_language({"LC_MESSAGES": "zh_TW.UTF-8"}) == "zh-hans"
    assert command_language({"LANG": "C.UTF-8"}) == "en"
    assert command_language({}) == "en"
