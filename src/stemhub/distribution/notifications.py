"""The emails of the distribution workflow, queued in the transaction that caused them and sent
by a worker (`stemhub.core.mail`: a rolled-back decision mails nobody, a slow mail server holds
no request, a failing one is tried again). Each recipient reads the mail in the
language of their profile (`User.language`), else the site's (`LANGUAGE_CODE`): one mail per
language, to the recipients who read it.

Links are absolute: `STEMHUB_SITE_URL`, or the address the request that caused the mail came in
on (`stemhub.core.site`).
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from stemhub.accounts.models import User
from stemhub.accounts.permissions import ROLE_PERMISSIONS, Perm
from stemhub.core.mail import mail_queue
from stemhub.core.site import absolute
from stemhub.distribution.models import DistributionRequest


def request_url(request: DistributionRequest) -> str:
    return absolute(reverse("distribution:request", args=[request.pk]))


def holders(perm: Perm, institution_id: int) -> list[User]:
    """The institution's active members with an email address whose roles grant `perm`."""
    roles = sorted(role for role, perms in ROLE_PERMISSIONS.items() if perm in perms)
    people = (
        User.objects.filter(
            institution_id=institution_id, is_active=True, role_grants__role__in=roles
        )
        .exclude(email="")
        .distinct()
        .order_by("email")
    )
    return list(people)


_muted: ContextVar[bool] = ContextVar("distribution_notifications_muted", default=False)


@contextmanager
def notifications_muted() -> Iterator[None]:
    """Send no mail inside: for writing history (the demo), whose addresses are invented."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def notify(template: str, request: DistributionRequest, to: Iterable[User], **context: Any) -> None:
    """Mail `template` about `request` to the people `to`, each in their language."""
    if _muted.get():
        return
    by_language: dict[str, set[str]] = defaultdict(set)
    for person in to:
        if person.email:
            by_language[person.language or settings.LANGUAGE_CODE].add(person.email)
    for language, addresses in sorted(by_language.items()):
        with translation.override(language):
            text = render_to_string(
                f"distribution/emails/{template}.txt",
                {"request": request, "url": request_url(request), **context},
            ).strip()
        subject, _, body = text.partition("\n")
        mail_queue(subject.strip(), body.strip() + "\n", sorted(addresses))
