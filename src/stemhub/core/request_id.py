"""Request ids: one id per request, from the proxy's `X-Request-ID` when it is a sane one, else
made here; sent back on the response and carried by every log record of the request.

The id lives in a context variable for the length of the request, so any logger anywhere in
the call (a service, the ORM's, django-axes') gets it through `RequestIdFilter`, which the
LOGGING handlers carry (stemhub.core.logs). It is cleared when the response is closed
(`request_finished`), not when the middleware returns: Django logs a 4xx/5xx answer
("Not Found: /x") after the middleware chain, and a streamed body is read later still. Log
lines written outside a request say "-".
"""

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponseBase

HEADER = "X-Request-ID"
# What a proxy may hand us: nginx's $request_id (32 hex digits), a UUID, a load balancer's trace
# id (AWS: "Root=1-5f84c7a9-..."). Anything longer or with other characters (spaces, quotes,
# newlines that would forge log lines) is replaced by an id of our own.
ACCEPTED = re.compile(r"[A-Za-z0-9._:=+/-]{1,128}")
NO_REQUEST = "-"

_current: ContextVar[str] = ContextVar("stemhub_request_id", default=NO_REQUEST)


def current_request_id() -> str:
    """The id of the request being served in this context, "-" outside a request."""
    return _current.get()


def accepted_or_new(offered: str | None) -> str:
    if offered is not None and ACCEPTED.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so that every other middleware's log lines carry the id too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = accepted_or_new(request.headers.get(HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _forget(**kwargs: object) -> None:
    _current.set(NO_REQUEST)


request_finished.connect(_forget, dispatch_uid="stemhub.core.request_id")


class RequestIdFilter(logging.Filter):
    """Stamps `record.request_id` (kept when a record already has one, e.g. from `extra=`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True
