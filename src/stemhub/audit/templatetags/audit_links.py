"""`{% audit_trail_link record %}`: a "History / audit trail" link on a record's staff page,
shown to those who may read the record's audit trail."""

from typing import Any

from django import template
from django.urls import reverse

from stemhub.accounts.permissions import Perm, is_platform_admin, user_can
from stemhub.audit.registry import AUDITED

register = template.Library()


def institution_of(record: Any) -> int | None:
    """The record's institution id, following its path in `AUDITED`."""
    path = AUDITED.get(record._meta.label)
    if not path:
        return None
    *steps, last = path.split("__")
    owner = record
    for step in steps:
        owner = getattr(owner, step, None)
        if owner is None:
            return None
    return getattr(owner, f"{last}_id", None)


@register.inclusion_tag("audit/_trail_link.html", takes_context=True)
def audit_trail_link(context: template.Context, record: Any) -> dict[str, Any]:
    user = context.get("user")
    label = record._meta.label if record is not None else ""
    institution_id = institution_of(record) if label in AUDITED else None
    shown = (
        label in AUDITED
        and user_can(user, Perm.AUDIT_VIEW, institution_id)
        and (institution_id is not None or is_platform_admin(user))
    )
    url = reverse("audit:record", args=[record._meta.label_lower, record.pk]) if shown else ""
    return {"url": url}
