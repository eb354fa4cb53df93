"""`{% load capa_tags %}`: the badge class of a CAPA's or complaint's status (the shared
stylesheet's colours: blue while work is under way, amber for actions, green once closed)."""

from django import template

register = template.Library()

BADGES = {
    "open": "status-submitted",
    "investigation": "status-in_review",
    "actions": "status-returned",
    "effectiveness": "status-in_review",
    "closed": "status-published",
    "received": "status-returned",
    "in_review": "status-in_review",
}


@register.filter
def status_badge(status: str) -> str:
    return BADGES.get(status, "status-draft")
