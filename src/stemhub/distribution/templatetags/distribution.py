"""`{% request_option line user as option %}`: what the line page offers this visitor."""

from typing import Any

from django import template

from stemhub.distribution.models import IntendedUse
from stemhub.distribution.services import REQUESTABLE, refusals

register = template.Library()


@register.simple_tag
def request_option(line: Any, user: Any) -> dict[str, Any]:
    """`open`: the line can be requested for some use; `reasons`: why not otherwise."""
    blocked = refusals(line, IntendedUse.BASIC_RESEARCH)
    reasons = blocked.get("line", [])
    return {
        "open": line.availability in REQUESTABLE and not reasons,
        "reasons": reasons,
        "signed_in": bool(getattr(user, "is_authenticated", False)),
    }
