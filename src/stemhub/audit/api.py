"""The audit trail over HTTP: a record's trail and a period's rows (needs audit.view)."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from stemhub.accounts.permissions import Perm, user_can
from stemhub.audit.models import AuditEvent
from stemhub.audit.selectors import period_events, record_trail
from stemhub.core.api import AUTHENTICATED
from stemhub.core.errors import Forbidden
from stemhub.core.pages import AuthenticatedHttpRequest

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    at: datetime
    model: str
    row_pk: str
    operation: str
    old_values: dict[str, Any] | None
    new_values: dict[str, Any] | None
    actor_id: int | None
    actor: str = Field(alias="actor_label")
    reason: str
    institution_id: int | None
    transaction: str = Field(alias="txid")


class PeriodFilters(Schema):
    start: date = Field(alias="from", description="First day, YYYY-MM-DD")
    end: date = Field(alias="to", description="Last day, YYYY-MM-DD")
    model: str = ""
    limit: int = Field(500, ge=1, le=5000)
    after_id: int = Field(0, ge=0, description="Continue after this id (keyset paging)")


def _allowed(request: HttpRequest) -> None:
    if not user_can(request.user, Perm.AUDIT_VIEW):
        raise Forbidden(_("The audit trail needs the permission audit.view."))


@router.get("/audit/records/{model}/{pk}", response=list[AuditEventOut], auth=AUTHENTICATED)
def audit_record(request: AuthenticatedHttpRequest, model: str, pk: str) -> list[AuditEvent]:
    """Needs audit.view for the record's institution: the record's audit rows, oldest first."""
    _allowed(request)
    return record_trail(request.user, model, pk)


@router.get("/audit/events", response=list[AuditEventOut], auth=AUTHENTICATED)
def audit_events(
    request: AuthenticatedHttpRequest, filters: Query[PeriodFilters]
) -> list[AuditEvent]:
    """Needs audit.view: the audit rows of a period (from, to: YYYY-MM-DD), oldest first,
    `limit` at a time; pass the last id as `after_id` for the next page."""
    _allowed(request)
    events = period_events(
        request.user, start=filters.start, end=filters.end, model=filters.model
    ).filter(id__gt=filters.after_id)
    return list(events[: filters.limit])
