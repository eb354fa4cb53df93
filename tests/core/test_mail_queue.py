"""E-mails go through the task queue: a request only queues them (a rolled-back one queues
nothing), the worker sends them, and a mail server that fails gets the mail again later."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from stemhub.accounts.models import Role
from stemhub.accounts.services import password_mail_send
from stemhub.core import mail as mail_queue
from tests.conftest import make_user
from tests.jobs.queue import run_queued_tasks

pytestmark = pytest.mark.django_db


class FailingTwice(EmailBackend):
    """The locmem backend behind a mail server that refuses the first two connections."""

    failures = 0

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        if FailingTwice.failures < 2:
            FailingTwice.failures += 1
            raise smtplib.SMTPServerDisconnected("the mail server closed the connection")
        return super().send_messages(messages)


@pytest.fixture
def member(db):
    return make_user("new_member", None, Role.RESEARCHER)


def test_the_request_queues_the_mail_and_the_worker_sends_it(
    member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        password_mail_send(member)
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(task_path="stemhub.core.mail.mail_send").count() == 1
    run_queued_tasks()
    (message,) = mail.outbox
    assert message.to == ["new_member@example.org"] and "/accounts/reset/" in message.body


def test_a_rolled_back_request_mails_nobody(member, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        password_mail_send(member)
        raise RuntimeError("the request failed after queuing the mail")
    run_queued_tasks()
    assert mail.outbox == []
    assert not DBTaskResult.objects.filter(task_path="stemhub.core.mail.mail_send").exists()


def test_a_failing_mail_server_gets_the_mail_again_later(
    member, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingTwice"}}
    FailingTwice.failures = 0
    with django_capture_on_commit_callbacks(execute=True):
        password_mail_send(member)
    run_queued_tasks()
    assert mail.outbox == [] and FailingTwice.failures == 1
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after > timezone.now() and retry.args_kwargs["kwargs"] == {"attempt": 2}

    monkeypatch.setattr(mail_queue, "RETRY_SECONDS", 0)
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_queued_tasks()  # attempt 2 fails too, attempt 3 (queued at once now) is sent
    assert FailingTwice.failures == 2
    (message,) = mail.outbox
    assert message.to == ["new_member@example.org"]


def test_the_last_attempt_s_failure_is_left_in_the_queue_s_row(
    member, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingTwice"}}
    settings.STEMHUB_TASK_MAX_ATTEMPTS = 2
    monkeypatch.setattr(mail_queue, "RETRY_SECONDS", 0)
    FailingTwice.failures = 0
    with django_capture_on_commit_callbacks(execute=True):
        password_mail_send(member)
    run_queued_tasks()
    assert mail.outbox == []
    statuses = sorted(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == ["FAILED", "SUCCESSFUL"]
