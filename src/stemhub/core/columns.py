"""A model's own fields and their database columns, typed.

`Options.get_field` also answers with reverse relations, which have neither a column nor a
default; the raw-SQL paths (audit triggers, bulk uploads) and the form builders want a field
that is a real column of the table.
"""

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models


def concrete_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """The field `name` of `model` itself (not a reverse relation)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise FieldDoesNotExist(f"{model._meta.label}.{name} is a reverse relation, not a field")
    return field


def column(model: type[models.Model], name: str) -> str:
    """The database column of the field `name` of `model`."""
    field = concrete_field(model, name)
    if field.column is None:
        raise FieldDoesNotExist(f"{model._meta.label}.{name} has no column")
    return field.column
