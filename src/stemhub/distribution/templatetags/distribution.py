"""`{% request_option line user as option %}`: what the line page offers this visitor; and the
filters that put the codes a pick list, a pack or a request stores into words."""

from typing import Any

from django import template
from django.db.models import TextChoices
from django.utils.translation import gettext

from stemhub.biobank.models import VialStatus
from stemhub.distribution import checks
from stemhub.distribution.models import IntendedUse
from stemhub.distribution.selectors import released_stock
from stemhub.distribution.services import REQUESTABLE, refusals
from stemhub.registry.models import Availability, Differentiation, GermLayer, MarkerResult

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
        "reasons_text": gettext("; ").join(reasons),
        "stock": released_stock(line) if requestable else 0,
        "expand_to_order": line.availability == Availability.EXPAND_TO_ORDER,
        "signed_in": bool(getattr(user, "is_authenticated", False)),
    }


def _label(choices: type[TextChoices], value: Any) -> Any:
    """The label of `value` in `choices`, or `value` itself when it is none of them."""
    return choices(value).label if value in choices.values else value


@register.filter
def vial_status(value: str) -> Any:
    return _label(VialStatus, value)


@register.filter
def marker_result(value: str) -> Any:
    return _label(MarkerResult.Result, value)


@register.filter
def germ_layer(value: str) -> Any:
    return _label(GermLayer, value)


@register.filter
def differentiation_mode(value: str) -> Any:
    return _label(Differentiation.Mode, value)


@register.filter
def intended_use(value: str) -> Any:
    return _label(IntendedUse, value)


@register.filter
def check_note(stored: str) -> str:
    """An automatic check note, stored in English, in the reader's language."""
    return checks.note_text(stored)
