"""Re-entering one's password to sign: counted against the same brute-force limits as logins.

An electronic signature (a release, a licence) re-authenticates the signer. Each wrong password
is reported to django-axes as a failed login of that account from the client's address, so 15
wrong signing passwords lock the account exactly as 15 wrong logins would, and the lockout is
lifted the same way (time, or an administrator).

The name a signature carries is the signing account's (`printed_name`), never typed in: one
account cannot sign under another person's name.
"""

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from stemhub.core.errors import LockedOut, StemhubError
from stemhub.core.site import current_request

SIGNATURE_SENDER = "stemhub.signature"


def _lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many wrong passwords: this account is locked for %(minutes)s minutes, or until an "
        "administrator unlocks it"
    ) % {"minutes": minutes}


def printed_name(user: Any) -> str:
    """The name an electronic signature shows: the account's full name with its Chinese name
    after it (`Wei Zhang (张伟)`), either one alone, else the username. The same in every
    interface language: it is stored with the signature."""
    full = str(user.get_full_name()).strip()
    chinese = str(getattr(user, "name_zh", "") or "").strip()
    if full and chinese and chinese != full:
        return f"{full} ({chinese})"
    return full or chinese or str(user.get_username())


def password_confirm(actor: Any, password: str, *, wrong: StemhubError) -> None:
    """Pass when `password` is the actor's; otherwise raise `wrong` (the caller's words), or
    `LockedOut` (a Forbidden, answered 429) once the account or address is locked out."""
    request = current_request() or HttpRequest()
    credentials = {"username": actor.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        raise LockedOut(_lockout_message(), fields={"password": [_("locked out")]})
    if password and actor.check_password(password):
        return
    user_login_failed.send(sender=SIGNATURE_SENDER, credentials=credentials, request=request)
    if AxesProxyHandler.is_locked(request, credentials):
        raise LockedOut(_lockout_message(), fields={"password": [_("locked out")]})
    raise wrong


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """What a locked-out client gets (settings.AXES_LOCKOUT_CALLABLE): the API's error shape,
    429 in JSON, under /api/ (a script reads it as any other error); the lockout page
    elsewhere."""
    status = 429  # Too Many Requests, as django-axes answers
    retry = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        answer: HttpResponse = JsonResponse(
            {
                "error": {
                    "code": "locked_out",
                    "message": _lockout_message(),
                    "fields": {"password": [_("locked out")]},
                }
            },
            status=status,
        )
    else:
        answer = render(
            request,
            settings.AXES_LOCKOUT_TEMPLATE,
            {
                "failure_limit": get_failure_limit(request, credentials),
                "username": get_client_username(request, credentials) or "",
                "cooloff_timedelta": get_cool_off(request),
            },
            status=status,
        )
    answer["Retry-After"] = retry
    return answer


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]  # axes ships no py.typed
    """django-axes's lockout check for logins over HTTP. A programmatic `authenticate()` with no
    request (a shell, a test client's `login`) has no address to count and is no brute-force
    channel: it passes through to the password check."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)  # None, or raises lockout
        return None
