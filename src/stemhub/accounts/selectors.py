"""Reads of institutions and their members, with who may see them applied."""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from stemhub.accounts.models import Institution, Role, RoleGrant, User
from stemhub.accounts.permissions import Perm, is_platform_admin, user_can
from stemhub.core.errors import Forbidden, NotFound


def managed_institution(user: Any, code: str) -> Institution:
    """The institution of provider code `code`, if the user manages its members."""
    institution = Institution.objects.filter(provider_code=code).first()
    if institution is None:
        raise NotFound(_("No institution has the provider code %(code)r.") % {"code": code})
    if not user_can(user, Perm.MANAGE_MEMBERS, institution.pk):
        raise Forbidden(
            _("Only the institution admins of %(name)s (and platform admins) manage its members.")
            % {"name": institution.display_name}
        )
    return institution


def members_of(institution: Institution) -> QuerySet[User]:
    """The institution's accounts, active first, by name, with their roles fetched."""
    return (
        User.objects.filter(institution=institution)
        .prefetch_related(Prefetch("role_grants", RoleGrant.objects.order_by("role")))
        .order_by("-is_active", "last_name", "first_name", "username")
    )


def member_of(institution: Institution, username: str) -> User:
    member = members_of(institution).select_related("institution").filter(username=username).first()
    if member is None:
        raise NotFound(
            _("%(name)s has no member %(username)r.")
            % {"name": institution.display_name, "username": username}
        )
    return member


class MemberCounts(TypedDict):
    member_count: int
    active_count: int
    line_count: int


if TYPE_CHECKING:  # WithAnnotations cannot be subscripted at run time
    from django_stubs_ext import WithAnnotations

    InstitutionOverview = WithAnnotations[Institution, MemberCounts]


def institutions_overview(user: Any) -> "QuerySet[InstitutionOverview]":
    """Every institution with its member counts: for platform admins only."""
    if not is_platform_admin(user):
        raise Forbidden(_("The list of institutions is for platform admins."))
    return Institution.objects.annotate(
        member_count=Count("members", distinct=True),
        active_count=Count("members", filter=Q(members__is_active=True), distinct=True),
        line_count=Count("cell_lines", distinct=True),
    ).order_by("name")


def grantable_roles(user: Any) -> list[tuple[str, StrOrPromise]]:
    """The roles this user may grant: every one but platform admin, unless they are one."""
    admin = is_platform_admin(user)
    return [
        (value, label) for value, label in Role.choices if admin or value != Role.PLATFORM_ADMIN
    ]


@dataclass(frozen=True)
class Lockout:
    """An account locked by django-axes: since when, after how many wrong passwords, and
    through which doors (login, signature, API)."""

    since: datetime
    failures: int
    channels: tuple[str, ...]


def _channel(path: str) -> str:
    if path.startswith("/api/"):
        return _("API")
    if path == reverse("login"):
        return _("login")
    return _("signature")


def member_lockout(member: User) -> Lockout | None:
    """The member's lockout, or None when their account is not locked (an address's own
    lockout, from guessing several accounts, is lifted with `axes_reset_ip`)."""
    window = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(username=member.username, attempt_time__gte=window)
    failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
    if failures < settings.AXES_FAILURE_LIMIT:
        return None
    logged = list(
        AccessFailureLog.objects.filter(username=member.username, attempt_time__gte=window)
        .order_by("-attempt_time")
        .values_list("attempt_time", "path_info", "locked_out")[:failures]
    )
    locking = [at for at, _path, locked in logged if locked]
    since = min(locking) if locking else max(a.attempt_time for a in attempts)
    channels = tuple(dict.fromkeys(_channel(path) for _at, path, _locked in reversed(logged)))
    return Lockout(since=since, failures=failures, channels=channels)
