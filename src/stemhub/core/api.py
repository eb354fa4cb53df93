"""The HTTP/JSON API under /api/v1/: one NinjaAPI, authentication, and the error shape."""

import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticUndefined

from stemhub.accounts.models import ApiToken
from stemhub.core.errors import StemhubError, from_validation_error


class TokenAuth(HttpBearer):
    """`Authorization: Bearer shub_...`: a per-user revocable API token. An address that
    presents `STEMHUB_TOKEN_FAILURE_LIMIT` wrong tokens is answered 429 until the lockout
    time passes; `last_used_at` is written at most once a minute, so a busy script does not
    queue behind other writers for it."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        address = _failure_key(request)
        if cache.get(address, 0) >= settings.STEMHUB_TOKEN_FAILURE_LIMIT:
            raise HttpError(429, _("Too many wrong API tokens from this address; try again later"))
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or not found.user.is_active:
            _count_failure(address)
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


LAST_USED_EVERY = timedelta(minutes=1)


def _failure_key(request: HttpRequest) -> str:
    return f"api-token-failures:{request.META.get('REMOTE_ADDR', '')}"


def _count_failure(key: str) -> None:
    timeout = int(settings.AXES_COOLOFF_TIME.total_seconds())
    if not cache.add(key, 1, timeout):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout)


class SessionAuth(APIKeyCookie):
    """The browser session, with CSRF protection on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


def anonymous(request: HttpRequest) -> Any:
    """Lets a request through unauthenticated; endpoints then show only public data."""
    return True


def _decimal(low: float, high: float, step: float) -> Any:
    """A decimal given as a JSON number within [low, high] in steps of `step` (the column's
    decimal places): ninja would declare "a number or any string" and no bounds."""
    places = len(str(step).split(".")[1])
    return Annotated[
        Decimal,
        Field(ge=low, le=high, decimal_places=places),
        WithJsonSchema(
            {"type": "number", "minimum": low, "maximum": high, "multipleOf": step},
            mode="validation",
        ),
    ]


# The decimal columns the API writes: a percentage, degrees Celsius (down to absolute zero),
# a QC specification limit.
Percent = _decimal(0, 100, 0.01)
Celsius = _decimal(-273.15, 9999.99, 0.01)
Recovery = _decimal(0, 9999.99, 0.01)
Limit = _decimal(-99_999_999.9999, 99_999_999.9999, 0.0001)


# The choices of each `one_of` field by its pattern, to name them when a value is refused.
CHOICES: dict[str, list[str]] = {}


def one_of(choices: Iterable[str], default: Any = PydanticUndefined, **field: Any) -> Any:
    """A text field that takes only `choices`: declared as their enum, and refused otherwise
    (400 naming the field)."""
    values = list(choices)
    pattern = "^(?:" + "|".join(re.escape(v) for v in values) + ")$"
    CHOICES[pattern] = values
    return Field(default, pattern=pattern, json_schema_extra={"enum": [*values]}, **field)


def _a_date_in_words(value: Any) -> Any:
    if not isinstance(value, str | date):
        raise ValueError(_("a date as YYYY-MM-DD"))
    return value


# A day given as YYYY-MM-DD: pydantic would also take a number as seconds since 1970.
Day = Annotated[date, BeforeValidator(_a_date_in_words)]


# Text a service needs said: at least one character that is not a space. Python's str.strip()
# (which the services use) also strips U+001C-U+001F and U+0085, which a pattern's \s leaves.
WORDS_PATTERN = r"[^\s\x1c-\x1f\x85]"
Words = Annotated[str, Field(pattern=WORDS_PATTERN)]


def file_answer(media_type: str) -> dict[str, Any]:
    """`openapi_extra` for an operation answering a file rather than JSON."""
    content = {media_type: {"schema": {"type": "string", "format": "binary"}}}
    return {"responses": {200: {"description": "The file", "content": content}}}


TOKEN = TokenAuth()
SESSION = SessionAuth()
AUTHENTICATED = [TOKEN, SESSION]
OPTIONAL = [TOKEN, SESSION, anonymous]


# Every 4xx answer: what went wrong in words, and which fields (or lines) it concerns.
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}

ERROR_WORDS = {
    400: "Bad input: the message names the field (a service's rule or the schema's)",
    401: "Not authenticated: log in or send an API token",
    403: "Not allowed for your roles or institution",
    404: "No such record that you may see",
    409: "Conflicts with the record's current state",
    429: "Too many attempts: wait and try again",
}


def _errors_of(operation: Operation, details: dict[str, Any]) -> list[int]:
    """The 4xx answers an operation can give, from its shape: authentication (401 and 403;
    429 wherever a token is read, even optionally, as an address sending wrong tokens is
    locked out), input (400), a record named in the path, or referred to by the input
    of a signed-in request (404), and state changes (409)."""
    callbacks = operation.auth_callbacks or []
    optional = anonymous in callbacks
    writes = bool(set(operation.methods) & {"POST", "PATCH", "PUT", "DELETE"})
    has_input = bool(details.get("parameters")) or "requestBody" in details
    codes = set()
    if callbacks and not optional:
        codes |= {401, 403}
    if TOKEN in callbacks:
        codes.add(429)
    if any(p.get("in") == "path" for p in details.get("parameters", [])):
        codes.add(404)
    if has_input and callbacks:
        codes.add(404)
    if writes or has_input:
        codes.add(400)
    if writes:
        codes.add(409)
    return sorted(codes)


class TruthfulSchema(OpenAPISchema):
    """Ninja's OpenAPI document, plus what every operation really answers: its 4xx responses
    in the one error shape, and optional authentication stated as such (an empty security
    requirement beside the token and the session)."""

    def operation_details(self, operation: Operation) -> dict[str, Any]:
        details = super().operation_details(operation)
        self.schemas["Error"] = ERROR_SCHEMA
        error = {"$ref": "#/components/schemas/Error"}
        for code in _errors_of(operation, details):
            details["responses"].setdefault(
                code,
                {
                    "description": ERROR_WORDS[code],
                    "content": {"application/json": {"schema": error}},
                },
            )
        return details

    def operation_security(self, operation: Operation) -> list[dict[str, Any]] | None:
        security = super().operation_security(operation)
        if security and anonymous in (operation.auth_callbacks or []):
            security.append({})
        return security


class ObjectBodies(Parser):
    """Every JSON body of this API is an object: a list or a bare value is refused (ninja would
    read `[null]` as an empty object when every field is optional)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise HttpError(400, _("The body must be a JSON object"))
        return data


class StemhubAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return TruthfulSchema(api=self, path_prefix=path_prefix)


api = StemhubAPI(
    title="stemhub API",
    version="1",
    description="Registry, biobank and matching services of a stem cell resource centre. "
    "Authenticate with a session cookie or `Authorization: Bearer <token>`.",
    urls_namespace="api",
    auth=AUTHENTICATED,
    parser=ObjectBodies(),
)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> HttpResponse:
    return api.create_response(
        request,
        {"error": {"code": code, "message": message, "fields": fields or {}}},
        status=status,
    )


@api.exception_handler(StemhubError)
def on_stemhub_error(request: HttpRequest, exc: StemhubError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(ValidationError)
def on_django_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    err = from_validation_error(exc)
    return error_response(request, 400, err.code, err.message, err.fields)


# Where ninja says a parameter came from: the field is named without it (`within_days`,
# not `query.within_days`).
PARAMETER_PLACES = {"body", "payload", "query", "path", "form", "file", "header", "cookie"}


def _said(problem: dict[str, Any]) -> str:
    """Pydantic's message for one problem, in words where it would quote our patterns."""
    if problem.get("type") == "string_pattern_mismatch":
        pattern = problem.get("ctx", {}).get("pattern")
        if pattern in CHOICES:
            return _("one of %(values)s") % {"values": ", ".join(CHOICES[pattern])}
        if pattern == WORDS_PATTERN:
            return _("required: at least one character that is not a space")
    return str(problem.get("msg", _("invalid")))


@api.exception_handler(NinjaValidationError)
def on_schema_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for problem in exc.errors:
        location = [str(p) for p in problem.get("loc", []) if p not in PARAMETER_PLACES]
        fields.setdefault(".".join(location) or "__all__", []).append(_said(problem))
    summary = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
    # 400, as every other bad input: the client sent something this API refuses, and the
    # message and `fields` say which field and why (one code for "fix your request").
    message = _("Invalid request: %(problems)s") % {"problems": summary}
    return error_response(request, 400, "invalid", message, fields)


@api.exception_handler(MultiPartParserError)
def on_broken_form(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    message = _("The body is not a readable multipart form: %(error)s") % {"error": exc}
    return error_response(request, 400, "invalid", message, {})


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthenticated", _("Log in or send an API token."))


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", str(exc) or _("You may not do this."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", str(exc) or _("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, "error", str(exc))
