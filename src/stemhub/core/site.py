"""The site's public address, for links that leave the browser: certificate QR codes, e-mails.

`STEMHUB_SITE_URL` when it is set; else the address the current request came in on (the
server's real host and port, remembered by `SiteAddressMiddleware`); else, outside any request
(a command), the local development address.
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

LOCAL_URL = "http://127.0.0.1:8000"

_request_base: ContextVar[str] = ContextVar("stemhub_request_base", default="")


def site_url() -> str:
    """The base address, without a trailing slash."""
    configured = getattr(settings, "STEMHUB_SITE_URL", "")
    return (configured or _request_base.get() or LOCAL_URL).rstrip("/")


def absolute(path: str) -> str:
    return site_url() + path


class SiteAddressMiddleware:
    """Remembers, for the duration of a request, the scheme, host and port it came in on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request_base.set(request.build_absolute_uri("/"))
        try:
            return self.get_response(request)
        finally:
            _request_base.reset(token)
