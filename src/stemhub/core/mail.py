"""The platform's e-mails go through the task queue (`django.tasks` on django-tasks-db), so a
slow or failing mail server never holds a request.

`mail_queue` queues one mail once the caller's transaction commits (`on_commit`; a rolled-back
request mails nobody). The queue is a table: the mail waits there for a worker.
A worker sends it (`mail_send`); a mail server that refuses or cannot be reached (an
`SMTPException` or a network error) gets the mail again after `RETRY_SECONDS` times the attempt,
up to `STEMHUB_TASK_MAX_ATTEMPTS` attempts, then the failure stays in the worker's log and in the
queue's row (failed)."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)

RETRY_SECONDS = 60  # the n-th retry waits n times this long


def mail_queue(subject: str, body: str, recipients: list[str]) -> None:
    """Queue a plain-text mail from `DEFAULT_FROM_EMAIL` to `recipients`."""
    if recipients:
        sender, to = settings.DEFAULT_FROM_EMAIL, sorted(recipients)
        transaction.on_commit(lambda: mail_send.enqueue(subject, body, sender, to))


@task
def mail_send(
    subject: str, body: str, from_email: str, recipients: list[str], attempt: int = 1
) -> int:
    """Send one mail; on a mail server's failure queue it again (later) while attempts are left.
    Returns the number of mails sent (0 when it was queued again)."""
    try:
        return send_mail(subject, body, from_email, recipients)
    except (smtplib.SMTPException, OSError) as error:
        if attempt >= settings.STEMHUB_TASK_MAX_ATTEMPTS:
            logger.error("Mail %r to %s not sent after %s attempts", subject, recipients, attempt)
            raise
        wait = timedelta(seconds=RETRY_SECONDS * attempt)
        logger.warning(
            "Mail %r to %s: attempt %s failed (%s); again in %s",
            subject,
            recipients,
            attempt,
            error,
            wait,
        )
        mail_send.using(run_after=timezone.now() + wait).enqueue(
            subject, body, from_email, recipients, attempt=attempt + 1
        )
        return 0
