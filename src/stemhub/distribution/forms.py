"""Parsing of the distribution forms: plain values from POST data, errors naming the field."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import QueryDict

from stemhub.core.errors import InvalidInput


def text(data: QueryDict | dict[str, Any], name: str, *, required: bool = True) -> str:
    value = str(data.get(name, "") or "").strip()
    if required and not value:
        raise InvalidInput(f"Fill in {name.replace('_', ' ')}", fields={name: ["required"]})
    return value


def integer(data: QueryDict | dict[str, Any], name: str) -> int:
    try:
        return int(str(data.get(name, "")).strip())
    except ValueError:
        raise InvalidInput(
            f"{name.replace('_', ' ')} must be a whole number", fields={name: ["a number"]}
        ) from None


def decimal(data: QueryDict | dict[str, Any], name: str) -> Decimal:
    try:
        return Decimal(str(data.get(name, "")).strip())
    except InvalidOperation:
        raise InvalidInput(f"{name} must be a number", fields={name: ["a number"]}) from None


def day(data: QueryDict | dict[str, Any], name: str, *, required: bool = True) -> date | None:
    value = str(data.get(name, "") or "").strip()
    if not value and not required:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{name.replace('_', ' ')} must be a date (YYYY-MM-DD)", fields={name: ["a date"]}
        ) from None


def decision(data: QueryDict | dict[str, Any]) -> bool:
    value = str(data.get("decision", ""))
    if value not in ("approve", "reject"):
        raise InvalidInput("Approve or reject", fields={"decision": ["approve or reject"]})
    return value == "approve"
