"""The emails of the distribution workflow, sent with Django's mail once the transaction that
caused them commits (a rolled-back decision mails nobody).

Links are absolute: `STEMHUB_SITE_URL`, or the address the request that caused the mail came in
on (`stemhub.core.site`).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from stemhub.accounts.models import User
from stemhub.accounts.permissions import ROLE_PERMISSIONS, Perm
from stemhub.core.site import absolute
from stemhub.distribution.models import DistributionRequest


def request_url(request: DistributionRequest) -> str:
    return absolute(reverse("distribution:request", args=[request.pk]))


def holders(perm: Perm, institution_id: int) -> list[str]:
    """Email addresses of the institution's active members whose roles grant `perm`."""
    roles = sorted(role for role, perms in ROLE_PERMISSIONS.items() if perm in perms)
    people = (
        User.objects.filter(
            institution_id=institution_id, is_active=True, role_grants__role__in=roles
        )
        .exclude(email="")
        .distinct()
        .order_by("email")
    )
    return list(people.values_list("email", flat=True))


_muted: ContextVar[bool] = ContextVar("distribution_notifications_muted", default=False)


@contextmanager
def notifications_muted() -> Iterator[None]:
    """Send no mail inside: for writing history (the demo), whose addresses are invented."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def notify(template: str, request: DistributionRequest, to: Iterable[str], **context: Any) -> None:
    recipients = sorted(set(to))
    if not recipients or _muted.get():
        return
    text = render_to_string(
        f"distribution/emails/{template}.txt",
        {"request": request, "url": request_url(request), **context},
    ).strip()
    subject, _, body = text.partition("\n")
    transaction.on_commit(
        lambda: send_mail(
            subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, recipients
        )
    )
