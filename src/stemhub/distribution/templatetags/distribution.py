"""`{% request_option line user as option %}`: what the line page offers this visitor."""

from typing import Any

from django import template

from stemhub.distribution.models import IntendedUse
from stemhub.distribution.selectors import released_stock
from stemhub.distribution.services import REQUESTABLE, refusals
from stemhub.registry.models import Availability

register = template.Library()


@register.simple_tag
def request_option(line: Any, user: Any) -> dict[str, Any]:
    """`open`: the line can be requested for some use; `reasons`: why not otherwise;
    `stock`: vials that could go out now (counted only when the line is open)."""
    blocked = refusals(line, IntendedUse.BASIC_RESEARCH)
    reasons = blocked.get("line", [])
    requestable = line.availability in REQUESTABLE and not reasons
    return {
        "open": requestable,
        "reasons": reasons,
        "stock": released_stock(line) if requestable else 0,
        "expand_to_order": line.availability == Availability.EXPAND_TO_ORDER,
        "signed_in": bool(getattr(user, "is_authenticated", False)),
    }
