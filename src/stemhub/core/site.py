"""The request being served, for the few things that need it outside a view: the site's public
address (certificate QR codes, e-mail links) and the client address a password check counts
failures against.

`site_url()`: `STEMHUB_SITE_URL` when it is set; else the address the current request came in
on (the server's real host and port); else, outside any request (a command), the local
development address.
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

LOCAL_URL = "http://127.0.0.1:8000"

_current: ContextVar[HttpRequest | None] = ContextVar("stemhub_current_request", default=None)


def current_request() -> HttpRequest | None:
    return _current.get()


def site_url() -> str:
    """The base address, without a trailing slash."""
    configured = getattr(settings, "STEMHUB_SITE_URL", "")
    request = _current.get()
    served = request.build_absolute_uri("/") if request is not None else ""
    return (configured or served or LOCAL_URL).rstrip("/")


def absolute(path: str) -> str:
    return site_url() + path


class CurrentRequestMiddleware:
    """Remembers the request for the duration of its handling."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(request)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
