"""Administration's menu entries, the institution admin's members queue and the platform admin's
overview of the network's institutions."""

from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.models import Role, RoleGrant, User
from stemhub.accounts.permissions import Perm, is_platform_admin
from stemhub.accounts.selectors import institutions_overview, members_of
from stemhub.core.navigation import (
    SIGNED_IN,
    MenuItem,
    Panel,
    Queue,
    QueueRow,
    Section,
    register_menu,
    register_panel,
    register_section,
)

SHOWN = 6


def _own_code(user: Any) -> dict[str, Any] | None:
    institution = getattr(user, "institution", None)
    return {"code": institution.provider_code} if institution is not None else None


register_section(Section("admin", _("Administration"), 90))
register_menu(
    MenuItem("admin", _("Members"), "members", (Perm.MANAGE_MEMBERS,), order=10, kwargs=_own_code),
    MenuItem("admin", _("Institutions"), "institutions", SIGNED_IN, 20, when=is_platform_admin),
    MenuItem("admin", _("API tokens"), "tokens", SIGNED_IN, order=50),
    MenuItem(
        "admin", _("Site administration"), "admin:index", SIGNED_IN, 90, when=is_platform_admin
    ),
)


def _last_seen(member: Any) -> str:
    if member.last_login:
        return gettext("last login %(when)s") % {"when": f"{member.last_login:%Y-%m-%d}"}
    if member.has_usable_password():
        return gettext("never logged in")
    return gettext("password not set yet")


def _roles_of(member: Any) -> str:
    return ", ".join(str(g.get_role_display()) for g in member.role_grants.all()) or "—"


def members_queue(user: Any) -> Queue:
    """The admin's institution's active members: roles and last login, who never came first."""
    institution = getattr(user, "institution", None)
    if institution is None:
        return Queue(count=0, rows=[], empty=_("You belong to no institution."))
    active = [m for m in members_of(institution) if m.is_active]
    active.sort(key=lambda m: (m.last_login is not None, m.last_name, m.username))
    rows = [
        QueueRow(
            label=m.display_name,
            url=reverse("member", args=[institution.provider_code, m.username]),
            detail=f"{_roles_of(m)} · {_last_seen(m)}",
        )
        for m in active[:SHOWN]
    ]
    return Queue(
        count=len(active),
        rows=rows,
        more_url=reverse("members", args=[institution.provider_code]),
        empty=_("No active member. Add members from Administration → Members."),
    )


def institutions_queue(user: Any) -> Queue:
    """Platform admins: every institution with its active members and lines."""
    found = list(institutions_overview(user))
    rows = [
        QueueRow(
            label=f"{i.provider_code} · {i.display_name}",
            url=reverse("members", args=[i.provider_code]),
            detail=" · ".join(
                [
                    ngettext("%(n)d active member", "%(n)d active members", i.active_count)
                    % {"n": i.active_count},
                    ngettext("%(n)d cell line", "%(n)d cell lines", i.line_count)
                    % {"n": i.line_count},
                ]
            ),
            badge=str(i.get_kind_display()),
        )
        for i in found[:SHOWN]
    ]
    return Queue(
        count=len(found),
        rows=rows,
        more_url=reverse("institutions"),
        empty=_("No institution yet. Add one in the site administration."),
    )


def people_queue(user: Any) -> Queue:
    """Platform admins: the network's active accounts, counted per role."""
    if not is_platform_admin(user):
        return Queue(count=0, rows=[])
    active = User.objects.filter(is_active=True)
    counted = dict(
        RoleGrant.objects.filter(user__is_active=True)
        .values_list("role")
        .annotate(n=Count("user", distinct=True))
        .values_list("role", "n")
    )
    rows = [
        QueueRow(
            label=str(label),
            url=reverse("institutions"),
            badge=ngettext("%(n)d person", "%(n)d people", counted[role]) % {"n": counted[role]},
        )
        for role, label in Role.choices
        if counted.get(role)
    ]
    return Queue(
        count=active.count(),
        rows=rows,
        more_url=reverse("institutions"),
        empty=_("No active account yet. Institution admins add their members."),
    )


register_panel(
    Panel("people", _("People by role"), SIGNED_IN, people_queue, order=1, when=is_platform_admin),
    Panel(
        "members",
        _("Members"),
        (Perm.MANAGE_MEMBERS,),
        members_queue,
        order=60,
        when=lambda user: not is_platform_admin(user),
    ),
    Panel(
        "institutions",
        _("Institutions"),
        SIGNED_IN,
        institutions_queue,
        order=1,
        when=is_platform_admin,
    ),
)
