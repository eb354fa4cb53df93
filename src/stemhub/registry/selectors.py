"""Reads that span relations, with visibility rules applied."""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from stemhub.accounts.permissions import Perm, is_platform_admin, permissions_of
from stemhub.core.errors import NotFound
from stemhub.registry.models import PUBLISHED_AFTER_REVIEW, CellLine, Status, Synonym


def visible_lines(user: Any) -> QuerySet[CellLine]:
    """Published lines for everyone; a staff member also sees their institution's drafts."""
    lines = CellLine.objects.all()
    if is_platform_admin(user):
        return lines
    if Perm.VIEW_INTERNAL in permissions_of(user) and user.institution_id:
        return lines.filter(Q(status=Status.PUBLISHED) | Q(institution_id=user.institution_id))
    return lines.filter(status=Status.PUBLISHED)


def resolve_name(name: str, user: Any = None) -> CellLine:
    """The line a standard name or synonym (case-insensitive) refers to, among those visible."""
    lines = visible_lines(user)
    line = lines.filter(name=name).first() or lines.filter(name__iexact=name).first()
    if line is not None:
        return line
    matches = list(
        lines.filter(pk__in=Synonym.objects.filter(name__iexact=name).values("line_id"))[:2]
    )
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise NotFound(
            _("%(name)r is a synonym of several lines; use a standard name") % {"name": name}
        )
    raise NotFound(_("No cell line is known as %(name)r") % {"name": name})


def _shown_reason(reason: str) -> str:
    """A version's reason as stored, or in the reader's language when a service wrote it."""
    return _(reason) if reason == PUBLISHED_AFTER_REVIEW else reason


def line_history(line: CellLine) -> list[dict[str, Any]]:
    """Every recorded change of a line, oldest first: versions, curation and availability."""
    entries: list[dict[str, Any]] = []
    for version in line.versions.select_related("actor"):
        entries.append(
            {
                "at": version.at.isoformat(),
                "kind": "version",
                "actor": version.actor.get_full_name() or version.actor.username,
                "summary": _("Version %(number)d: %(reason)s")
                % {"number": version.number, "reason": _shown_reason(version.note)},
                "details": {"number": version.number, "changes": version.changes},
            }
        )
    for event in line.curation_events.select_related("actor"):
        entries.append(
            {
                "at": event.at.isoformat(),
                "kind": "curation",
                "actor": event.actor.get_full_name() or event.actor.username,
                "summary": f"{event.get_from_status_display()} → {event.get_to_status_display()}",
                "details": {
                    "from": event.from_status,
                    "to": event.to_status,
                    "comment": event.note,
                },
            }
        )
    for change in line.availability_changes.select_related("actor"):
        entries.append(
            {
                "at": change.at.isoformat(),
                "kind": "availability",
                "actor": change.actor.get_full_name() or change.actor.username,
                "summary": f"{change.get_from_availability_display()} → "
                f"{change.get_to_availability_display()}",
                "details": {
                    "from": change.from_availability,
                    "to": change.to_availability,
                    "reason": change.note,
                },
            }
        )
    return sorted(entries, key=lambda e: (e["at"], e["kind"]))
