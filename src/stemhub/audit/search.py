"""Searching the audit trail: by record type, record id or text in the values, user, period and
operation, newest first; the page and the CSV export read the same filter."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from stemhub.accounts.models import User
from stemhub.audit.models import AuditEvent, Operation
from stemhub.audit.selectors import model_label, visible_events
from stemhub.core.errors import InvalidInput

SYSTEM = "system"


@dataclass(frozen=True)
class AuditFilter:
    model: str = ""
    record: str = ""
    user: str = ""
    start: date | None = None
    end: date | None = None
    operation: str = ""

    @property
    def any(self) -> bool:
        return bool(
            self.model or self.record or self.user or self.start or self.end or self.operation
        )


def _day(params: Mapping[str, str], name: str, problems: dict[str, list[str]]) -> date | None:
    value = (params.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems[name] = [_("%(value)r is not a date (YYYY-MM-DD).") % {"value": value}]
        return None


def parse_filter(params: Mapping[str, str]) -> AuditFilter:
    """The filter from query parameters (`model`, `record`, `user`, `from`, `to`,
    `operation`); raises InvalidInput naming each bad field."""
    problems: dict[str, list[str]] = {}
    model = (params.get("model") or "").strip()
    if model:
        try:
            model = model_label(model)
        except InvalidInput:
            problems["model"] = [_("%(value)r is not an audited record type.") % {"value": model}]
    operation = (params.get("operation") or "").strip().upper()
    if operation and operation not in Operation.values:
        problems["operation"] = [
            _("Choose created, changed or deleted, not %(value)r.") % {"value": operation}
        ]
    start, end = _day(params, "from", problems), _day(params, "to", problems)
    if start and end and end < start:
        problems["to"] = [_("The period ends before it starts.")]
    if problems:
        summary = " ".join(message for messages in problems.values() for message in messages)
        raise InvalidInput(summary, fields=problems)
    return AuditFilter(
        model=model,
        record=(params.get("record") or "").strip(),
        user=(params.get("user") or "").strip(),
        start=start,
        end=end,
        operation=operation,
    )


def _user_scope(text: str) -> Q:
    if text.lower() in {SYSTEM, _("system").lower()}:
        return Q(actor_id__isnull=True)
    people = User.objects.all()
    for word in text.split():
        people = people.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
        )
    named = people.values("pk")
    return Q(actor_label__iexact=text) | Q(actor_id__in=named)


def _record_scope(text: str) -> Q:
    """An id matches the row's primary key; anything else is looked for in the old and new
    values and the reason."""
    if text.isdigit():
        return Q(row_pk=text)
    return (
        Q(row_pk=text)
        | Q(new_text__icontains=text)
        | Q(old_text__icontains=text)
        | Q(reason__icontains=text)
    )


def search_events(user: Any, found: AuditFilter) -> QuerySet[AuditEvent]:
    """The rows the user may see that match, newest first."""
    events: QuerySet[AuditEvent] = visible_events(user)
    if found.model:
        events = events.filter(model=found.model)
    if found.operation:
        events = events.filter(operation=found.operation)
    zone = timezone.get_current_timezone()
    if found.start:
        events = events.filter(at__gte=datetime.combine(found.start, time.min, zone))
    if found.end:
        events = events.filter(
            at__lt=datetime.combine(found.end + timedelta(days=1), time.min, zone)
        )
    if found.user:
        events = events.filter(_user_scope(found.user))
    if found.record:
        if not found.record.isdigit():
            events = events.annotate(
                new_text=Cast("new_values", TextField()), old_text=Cast("old_values", TextField())
            )
        events = events.filter(_record_scope(found.record))
    return events.order_by("-id")


def period_text(found: AuditFilter) -> str:
    """The file name part of an export of this filter."""
    start = found.start.isoformat() if found.start else "start"
    end = found.end.isoformat() if found.end else timezone.localdate().isoformat()
    return f"{start}-{end}"
