"""`{% load audit_words %}`: an audit event's changes in the words of the model they touched:
each column named by its field's label ("Passage number", not `passage_number`), and coded
values shown as their choice label ("Quarantined", not `quarantined`)."""

from functools import cache
from typing import Any

from django import template
from django.apps import apps
from django.db.models import Field
from django.utils.translation import gettext as _

register = template.Library()


@cache
def _fields(model_label: str) -> "dict[str, Field[Any, Any]]":
    """The model's concrete fields by database column (`bank_id` → the `bank` field)."""
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        return {}
    return {f.column: f for f in model._meta.concrete_fields if f.column}


def column_label(model_label: str, column: str) -> str:
    field = _fields(model_label).get(column)
    words = str(field.verbose_name) if field is not None else column.replace("_", " ")
    return words[:1].upper() + words[1:]


def value_words(model_label: str, column: str, value: Any) -> Any:
    """A stored value as a reader wants it: a choice's label, yes or no; else as stored."""
    field = _fields(model_label).get(column)
    if value is None or field is None:
        return value
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


@register.filter
def changes_in_words(event: Any) -> list[tuple[str, Any, Any]]:
    """(label, old, new) for every column the event touched, in words."""
    return [
        (
            column_label(event.model, column),
            value_words(event.model, column, old),
            value_words(event.model, column, new),
        )
        for column, old, new in event.changes
    ]


@register.filter
def record_type(model_label: str) -> str:
    """A model label as the words of its record type ("biobank.vial" → "Vial")."""
    try:
        words = str(apps.get_model(model_label)._meta.verbose_name)
    except (LookupError, ValueError):
        return model_label
    return words[:1].upper() + words[1:]
