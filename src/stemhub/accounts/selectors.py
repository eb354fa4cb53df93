"""Reads of institutions and their members, with who may see them applied."""

from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Prefetch, Q, QuerySet
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
            % {"name": institution.name}
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
            % {"name": institution.name, "username": username}
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
