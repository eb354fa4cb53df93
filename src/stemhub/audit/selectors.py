"""Reads of the audit trail, scoped to what the reader may see: a QA manager or institution
admin sees the rows of their own institution's records, a platform admin every row."""

import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from stemhub.accounts.permissions import Perm, is_platform_admin, user_can
from stemhub.audit.models import AuditEvent
from stemhub.audit.registry import RELATED
from stemhub.audit.triggers import audited_models
from stemhub.core.errors import InvalidInput, NotFound

# The export's header row stays these English, machine-readable names in every interface
# language: the file is read back by scripts and inspectors' tools.
EXPORT_COLUMNS = (
    "id",
    "at",
    "model",
    "table",
    "row_pk",
    "operation",
    "actor_id",
    "actor",
    "reason",
    "institution_id",
    "transaction",
    "db_user",
    "old_values",
    "new_values",
)


def visible_events(user: Any) -> QuerySet[AuditEvent]:
    if not user_can(user, Perm.AUDIT_VIEW):
        return AuditEvent.objects.none()
    if is_platform_admin(user):
        return AuditEvent.objects.all()
    return AuditEvent.objects.filter(institution_id=user.institution_id)


def audited_labels() -> list[tuple[str, str]]:
    """(label_lower, verbose name) of every audited model, for filters."""
    return sorted(
        (model._meta.label_lower, f"{model._meta.app_config.verbose_name}: "
         f"{model._meta.verbose_name}")
        for model, _path in audited_models()
    )  # fmt: skip


def model_label(value: str, *, field: str = "model") -> str:
    """An audited model's `app_label.modelname` from any case of it; InvalidInput otherwise."""
    try:
        model = apps.get_model(value)
    except (LookupError, ValueError):
        model = None
    if model is None or model not in {m for m, _path in audited_models()}:
        raise InvalidInput(
            _("%(value)r is not an audited record type") % {"value": value},
            fields={field: [_("unknown")]},
        )
    return model._meta.label_lower


def record_trail(user: Any, model: str, pk: str, *, with_related: bool = False) -> list[AuditEvent]:
    """Every audit row of one record, oldest first, and with `with_related` those of the rows
    that belong to it (`RELATED`: a line's markers, a request's shipment); NotFound when the
    user may see none of the record's own."""
    try:
        label = model_label(model)
    except InvalidInput as error:
        raise NotFound(error.message) from None
    visible = visible_events(user)
    scope = Q(model=label, row_pk=str(pk))
    children = RELATED.get(label, ()) if with_related else ()
    if children:
        # Inserts and deletes carry the whole row, foreign key included: they name the child
        # rows; every later change of those rows is theirs too.
        owned = Q()
        for child, column in children:
            refers = Q(**{f"new_values__{column}": _number(pk)}) | Q(
                **{f"old_values__{column}": _number(pk)}
            )
            owned |= Q(model=child) & refers
        rows: dict[str, set[str]] = {}
        for child, row_pk in visible.filter(owned).values_list("model", "row_pk"):
            rows.setdefault(child, set()).add(row_pk)
        for child, pks in rows.items():
            scope |= Q(model=child, row_pk__in=sorted(pks))
    events = list(visible.filter(scope).order_by("id"))
    if not any(e.model == label for e in events):
        raise NotFound(
            _("No audit trail for %(model)s %(pk)s that you may see") % {"model": label, "pk": pk}
        )
    return events


def _number(pk: str) -> int | str:
    return int(pk) if str(pk).isdigit() else pk


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            _("%(field)s: %(value)r is not a date (YYYY-MM-DD)") % {"field": field, "value": value},
            fields={field: [_("not a date")]},
        ) from None


# A period reaching past these days means "from the beginning" or "until now": clamped to
# them, as a day at the very edge of the calendar overflows once shifted to UTC.
EARLIEST_DAY, LATEST_DAY = date(1, 1, 2), date(9999, 12, 30)


def period_events(
    user: Any, *, start: str | date, end: str | date, model: str = ""
) -> QuerySet[AuditEvent]:
    """The rows from the day `start` to the day `end` (both included, site time), optionally of
    one model, oldest first."""
    if not start or not end:
        raise InvalidInput(
            _("Give the period: from and to (YYYY-MM-DD)"),
            fields={name: [_("required")] for name, v in (("from", start), ("to", end)) if not v},
        )
    first = start if isinstance(start, date) else _day(start, "from")
    last = end if isinstance(end, date) else _day(end, "to")
    if last < first:
        raise InvalidInput(_("The period ends before it starts"), fields={"to": [_("before from")]})
    first, last = max(first, EARLIEST_DAY), min(last, LATEST_DAY)
    zone = timezone.get_current_timezone()
    events = visible_events(user).filter(
        at__gte=datetime.combine(first, time.min, zone),
        at__lt=datetime.combine(last + timedelta(days=1), time.min, zone),
    )
    if model:
        events = events.filter(model=model_label(model))
    return events.order_by("id")


def export_rows(events: QuerySet[AuditEvent]) -> Iterator[tuple[Any, ...]]:
    """The events as CSV cells (header: EXPORT_COLUMNS), fetched in chunks (for a streamed
    response)."""
    for event in events.iterator(chunk_size=2000):
        yield (
            event.pk,
            event.at.isoformat(),
            event.model,
            event.table_name,
            event.row_pk,
            event.operation,
            event.actor_id or "",
            event.actor_label,
            event.reason,
            event.institution_id or "",
            event.txid,
            event.db_user,
            "" if event.old_values is None else json.dumps(event.old_values, sort_keys=True),
            "" if event.new_values is None else json.dumps(event.new_values, sort_keys=True),
        )
