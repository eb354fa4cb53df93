"""Errors that services raise and that the API and pages turn into one shape:
`{"error": {"code", "message", "fields"}}` with a 4xx status."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models

from stemhub.core.validation import text_problem


class StemhubError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def as_dict(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class InvalidInput(StemhubError):
    status = 400
    code = "invalid"


class Forbidden(StemhubError):
    status = 403
    code = "forbidden"


class LockedOut(Forbidden):
    """Too many wrong passwords: the account or address is locked out for a while (429)."""

    status = 429
    code = "locked_out"


class NotFound(StemhubError):
    status = 404
    code = "not_found"


class Conflict(StemhubError):
    status = 409
    code = "conflict"


class Unavailable(StemhubError):
    """The server cannot do this now for want of something an operator provides (reference
    data, a service): 503, with what to provide in the message."""

    status = 503
    code = "unavailable"


def from_validation_error(error: ValidationError, message: str | None = None) -> InvalidInput:
    """A Django ValidationError as an InvalidInput naming each field and its problems."""
    if hasattr(error, "error_dict"):
        fields = {
            ("__all__" if name == "__all__" else name): [str(m) for e in errs for m in e.messages]
            for name, errs in error.error_dict.items()
        }
        summary = "; ".join(
            f"{name}: {' '.join(problems)}" if name != "__all__" else " ".join(problems)
            for name, problems in fields.items()
        )
    else:
        fields = {"__all__": [str(m) for m in error.messages]}
        summary = " ".join(fields["__all__"])
    return InvalidInput(message or summary, fields=fields)


def full_clean(
    obj: Any,
    *,
    validate_constraints: bool,
    exclude: Iterable[str] = (),
    prefix: str = "",
) -> None:
    """`obj.full_clean()` as an InvalidInput naming each field (under `prefix.` when given).
    Text fields holding a NUL or a bidirectional override are refused too (core.validation).
    `validate_constraints` is stated at every call: False where the database's constraints are
    checked on write under the caller's lock (a query per constraint would be wasted), True where
    a readable message per constraint matters more."""
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=validate_constraints)
        _refuse_control_characters(obj, exclude)
    except ValidationError as error:
        if prefix and hasattr(error, "error_dict"):
            error = ValidationError(
                {f"{prefix}.{name}": errs for name, errs in error.error_dict.items()}
            )
        raise from_validation_error(error) from None


def _refuse_control_characters(obj: models.Model, exclude: Iterable[str]) -> None:
    skipped = set(exclude)
    problems = {
        field.name: [problem]
        for field in obj._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField)) and field.name not in skipped
        if isinstance(value := getattr(obj, field.attname), str)
        and (problem := text_problem(value))
    }
    if problems:
        raise ValidationError(problems)


def is_unique_violation(error: IntegrityError) -> bool:
    """Whether `error` is a unique constraint violated (a race another writer won, answered 409),
    not a check or not-null constraint (a bad value, a defect of validation)."""
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    if sqlstate is not None:
        return bool(sqlstate == "23505")
    return "UNIQUE constraint failed" in str(error)
