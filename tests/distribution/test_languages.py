"""Distribution in Chinese and English: each e-mail in its recipient's language, the licence in
both languages (version 1 stays as its researchers signed it), and the pages in the reader's."""

import hashlib

import pytest
from django.core import mail

from stemhub.accounts.models import Role
from stemhub.distribution import services
from stemhub.distribution.models import LicenceVersion, licence_sha256
from stemhub.distribution.selectors import current_licence
from stemhub.registry.models import CellLine
from tests.conftest import make_user
from tests.distribution.setups import approved, available_line, make_request
from tests.jobs.queue import run_queued_tasks

pytestmark = pytest.mark.django_db

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}


def _speaks(user, language):
    user.language = language
    user.save(update_fields=["language"])


def test_a_researcher_who_reads_chinese_gets_the_decision_in_chinese(
    users, line, django_capture_on_commit_callbacks
):
    _speaks(users["researcher"], "zh-hans")
    found = make_request(users, line)
    with django_capture_on_commit_callbacks(execute=True):
        services.distribution_request_review(
            actor=users["curator"], request=found, approve=True, reason="知情同意范围相符"
        )
    run_queued_tasks()  # the worker sends the queued mails
    (decision,) = [m for m in mail.outbox if m.to == ["researcher@example.org"]]
    assert decision.subject == f"[stemhub] {line.name} 的申请 {found.reference}：已批准"
    assert "尊敬的 Researcher Tester：" in decision.body
    assert "已获批准" in decision.body and "原因：知情同意范围相符" in decision.body
    assert "Dear" not in decision.body and "approved" not in decision.body


def test_one_event_mails_each_recipient_in_their_own_language(
    users, line, django_capture_on_commit_callbacks
):
    _speaks(users["researcher"], "zh-hans")
    second_curator = make_user("second_curator", users["curator"].institution, Role.CURATOR)
    _speaks(second_curator, "zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        found = make_request(users, line)

    def mail_to(address):
        run_queued_tasks()  # the worker sends the queued mails
        (message,) = [m for m in mail.outbox if address in m.to]
        return message

    # The researcher's acknowledgement, in Chinese.
    acknowledgement = mail_to("researcher@example.org")
    assert acknowledgement.subject == f"[stemhub] 已收到 {line.name} 的申请 {found.reference}"
    assert "我们已收到您的申请" in acknowledgement.body
    # The reviewers: one mail in English, one in Chinese, each to those who read it.
    english = mail_to("curator@example.org")
    chinese = mail_to("second_curator@example.org")
    assert "second_curator@example.org" not in english.to
    assert chinese.to == ["second_curator@example.org"]
    assert english.subject == f"[stemhub] New request {found.reference} for {line.name}"
    assert "asks for 2 vials" in english.body and "Review it:" in english.body
    assert chinese.subject == f"[stemhub] {line.name} 的新申请 {found.reference}"
    assert "申请 2 支" in chinese.body and "用于基础研究" in chinese.body
    assert "前往审查：" in chinese.body


def test_a_recipient_without_a_language_reads_the_sites(
    users, line, settings, django_capture_on_commit_callbacks
):
    settings.LANGUAGE_CODE = "zh-hans"
    with django_capture_on_commit_callbacks(execute=True):
        found = make_request(users, line)
    run_queued_tasks()  # the worker sends the queued mails
    (acknowledgement,) = [m for m in mail.outbox if m.to == ["researcher@example.org"]]
    assert acknowledgement.subject == f"[stemhub] 已收到 {line.name} 的申请 {found.reference}"


def test_the_check_notes_reach_a_chinese_reviewer_in_chinese(
    users, django_capture_on_commit_callbacks
):
    line = available_line(users, "NSCBi002-A")
    CellLine.objects.filter(pk=line.pk).update(managed_access=True, restrictions="No animal work")
    line.refresh_from_db()
    _speaks(users["curator"], "zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        found = make_request(users, line)
    # Stored as the record, in English ...
    assert found.checks == [
        f"{line.name} is under managed access: the access committee must approve",
        "Restrictions on record: No animal work",
    ]
    # ... read in the reviewer's language.
    run_queued_tasks()  # the worker sends the queued mails
    (to_review,) = [m for m in mail.outbox if m.to == ["curator@example.org"]]
    assert f"核查：{line.name} 实行受控准入：须经准入委员会批准" in to_review.body
    assert "核查：记录中的使用限制：No animal work" in to_review.body


def test_the_licence_in_force_says_the_same_terms_in_chinese():
    licence = current_licence()
    assert licence.number == 2
    for term in ("免费", "不得转让", "仅用于本项目", "知识产权", "共享成果", "同等效力"):
        assert term in licence.text_zh
    assert "both texts are equally binding" in licence.text
    assert licence.sha256 == licence_sha256(licence.text, licence.text_zh)


def test_version_1_stays_as_its_researchers_signed_it():
    first = LicenceVersion.objects.get(number=1)
    assert first.text_zh == "" and first.title_zh == ""
    assert first.sha256 == hashlib.sha256(first.text.encode()).hexdigest()


def test_a_bilingual_wording_hashes_both_texts(users):
    published = services.licence_version_publish(
        actor=users["platform_admin"], title="Licence", text="Terms.", text_zh="条款。"
    )
    assert published.sha256 == licence_sha256("Terms.", "条款。")
    assert published.sha256 != licence_sha256("Terms.", "其他条款。")
    assert published.sha256 != hashlib.sha256(b"Terms.").hexdigest()


def test_the_request_form_shows_the_readers_text_first(line, client_for):
    client = client_for("researcher")
    url = f"/distribution/lines/{line.name}/request/"
    chinese = client.get(url, **CHINESE).content.decode()
    assert chinese.index("不得转让") < chinese.index("Not transferable")
    assert "同一条款的英文文本（English）" in chinese and "签署并提交申请" in chinese
    english = client.get(url).content.decode()
    assert english.index("Not transferable") < english.index("不得转让")
    assert "The same terms in Chinese (中文)" in english


def test_the_request_page_in_chinese(users, line, client_for):
    found = approved(users, line)
    page = client_for("researcher").get(f"/distribution/requests/{found.pk}/", **CHINESE)
    text = page.content.decode()
    assert "已批准" in text and "下一步：" in text
    assert "第 2 版，由 Researcher Tester 于" in text and "接受许可协议条款" in text
    assert "Researcher Tester 签署了第 2 版许可协议" in text
    assert "Next step" not in text and "signed by" not in text
    found.signature.refresh_from_db()
    assert found.signature.meaning == "accepted the licence terms"
