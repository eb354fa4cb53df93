"""`{% load form_errors %}`: an error's fields named as the form labels them, not by their
parameter names (`tested_on` → "Test date")."""

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


def field_label(name: str, labels: Mapping[str, Any] | None = None) -> str:
    """The label of field `name`: from `labels` when given there, else its name in words."""
    if labels and name in labels:
        return str(labels[name])
    words = name.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


@register.filter
def field_errors(error: Any, labels: Mapping[str, Any] | None = None) -> list[tuple[str, str]]:
    """`(label, problems)` for each field of a `StemhubError`."""
    fields = getattr(error, "fields", None) or {}
    return [(field_label(name, labels), ", ".join(map(str, p))) for name, p in fields.items()]
