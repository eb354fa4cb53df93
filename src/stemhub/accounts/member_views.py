"""The members pages: an institution admin lists their institution's members, adds one (who
gets a mail to set a password), grants and revokes roles, deactivates and reactivates accounts.
A platform admin also lists every institution and opens any one's members. Parse, call a
service or selector, render."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from stemhub.accounts import selectors, services
from stemhub.accounts.forms import ROLE_HELP, MemberForm, MemberNamesForm
from stemhub.accounts.models import Institution, Role, User
from stemhub.accounts.permissions import Perm, is_platform_admin
from stemhub.core.errors import NotFound, StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest, page

managers_only = page(
    Perm.MANAGE_MEMBERS,
    what=gettext_lazy("Managing members"),
    hint=gettext_lazy("Ask your institution admin to add or change members."),
)


@require_GET
@managers_only
def institutions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Platform admins: every institution with its members and lines; open one's members."""
    return render(
        request,
        "accounts/institutions.html",
        {"institutions": selectors.institutions_overview(request.user)},
    )


def _members_context(request: AuthenticatedHttpRequest, institution: Institution) -> dict[str, Any]:
    members = list(selectors.members_of(institution))
    return {
        "institution": institution,
        "members": members,
        "active_count": sum(1 for m in members if m.is_active),
        "platform_admin": is_platform_admin(request.user),
    }


@require_GET
@managers_only
def members(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Needs accounts.manage_members in the institution: its members, their roles and last
    login."""
    institution = selectors.managed_institution(request.user, code)
    return render(request, "accounts/members.html", _members_context(request, institution))


@managers_only
def member_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Needs accounts.manage_members in the institution: open an account for a new member."""
    institution = selectors.managed_institution(request.user, code)
    roles = selectors.grantable_roles(request.user)
    if request.method != "POST":
        form = MemberForm(roles=roles)
        return _member_form(request, institution, form)
    form = MemberForm(request.POST, roles=roles)
    if not form.is_valid():
        return _member_form(request, institution, form, status=400)
    try:
        member = services.member_add(
            actor=request.user, institution=institution, **form.cleaned_data
        )
    except StemhubError as error:
        named = [field for field in error.fields if field in form.fields]
        form.add_error(named[0] if named else None, error.message)
        return _member_form(request, institution, form, status=error.status)
    messages.success(
        request,
        _(
            "%(name)s can now log in as %(username)s once they set a password: the link went to "
            "%(email)s."
        )
        % {"name": member.display_name, "username": member.username, "email": member.email},
    )
    return redirect("member", code=institution.provider_code, username=member.username)


def _member_form(
    request: HttpRequest, institution: Institution, form: MemberForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "accounts/member_form.html",
        {"institution": institution, "form": form},
        status=status,
    )


def _member_page(
    request: HttpRequest, institution: Institution, member: User, status: int = 200, **extra: Any
) -> HttpResponse:
    held = {grant.role for grant in member.role_grants.all()}
    grantable = [
        (value, label)
        for value, label in selectors.grantable_roles(request.user)
        if value not in held
    ]
    context = {
        "institution": institution,
        "member": member,
        "grants": [
            {"grant": grant, "label": Role(grant.role).label, "help": ROLE_HELP[Role(grant.role)]}
            for grant in member.role_grants.all()
        ],
        "grantable": grantable,
        "is_self": member.pk == request.user.pk,
        "lockout": selectors.member_lockout(member),
        "names_form": MemberNamesForm(
            initial={
                "first_name": member.first_name,
                "last_name": member.last_name,
                "name_zh": member.name_zh,
            },
            auto_id="names-%s",
        ),
        **extra,
    }
    return render(request, "accounts/member.html", context, status=status)


@require_GET
@managers_only
def member(request: AuthenticatedHttpRequest, code: str, username: str) -> HttpResponse:
    """Needs accounts.manage_members in the institution: one member's account and roles, and
    the changes the admin may make."""
    institution = selectors.managed_institution(request.user, code)
    return _member_page(request, institution, selectors.member_of(institution, username))


def _grant(request: AuthenticatedHttpRequest, member: User) -> str:
    grant = services.member_role_grant(
        actor=request.user, member=member, role=request.POST.get("role", "")
    )
    return _("%(role)s granted.") % {"role": Role(grant.role).label}


def _revoke(request: AuthenticatedHttpRequest, member: User) -> str:
    role = request.POST.get("role", "")
    services.member_role_revoke(actor=request.user, member=member, role=role)
    return _("%(role)s revoked.") % {"role": Role(role).label}


def _names(request: AuthenticatedHttpRequest, member: User) -> str:
    services.member_names_change(
        actor=request.user,
        member=member,
        first_name=request.POST.get("first_name", ""),
        last_name=request.POST.get("last_name", ""),
        name_zh=request.POST.get("name_zh", ""),
    )
    return _("The names of %(username)s are saved.") % {"username": member.username}


def _deactivate(request: AuthenticatedHttpRequest, member: User) -> str:
    services.member_deactivate(
        actor=request.user, member=member, reason=request.POST.get("reason", "")
    )
    return _("The account is deactivated: %(name)s can no longer log in.") % {
        "name": member.display_name
    }


def _reactivate(request: AuthenticatedHttpRequest, member: User) -> str:
    services.member_reactivate(
        actor=request.user, member=member, reason=request.POST.get("reason", "")
    )
    return _("The account is active again.")


def _unlock(request: AuthenticatedHttpRequest, member: User) -> str:
    services.member_unlock(actor=request.user, member=member, reason=request.POST.get("reason", ""))
    return _("The account is unlocked: %(name)s can log in and sign again.") % {
        "name": member.display_name
    }


def _password_mail(request: AuthenticatedHttpRequest, member: User) -> str:
    services.member_password_mail(actor=request.user, member=member)
    return _("A link to choose a password was sent to %(email)s.") % {"email": member.email}


MEMBER_ACTIONS: dict[str, Callable[[AuthenticatedHttpRequest, User], str]] = {
    "grant": _grant,
    "revoke": _revoke,
    "names": _names,
    "deactivate": _deactivate,
    "reactivate": _reactivate,
    "password-mail": _password_mail,
    "unlock": _unlock,
}


@require_POST
@managers_only
def member_action(
    request: AuthenticatedHttpRequest, code: str, username: str, action: str
) -> HttpResponse:
    """Needs accounts.manage_members in the institution: grant or revoke a role, correct the
    member's names, deactivate or reactivate the account, lift its lockout, or mail a new
    password link. Platform admin is granted, and a platform admin's account changed, by
    platform admins only."""
    if action not in MEMBER_ACTIONS:
        raise NotFound(_("There is no member action %(action)r.") % {"action": action})
    institution = selectors.managed_institution(request.user, code)
    found = selectors.member_of(institution, username)
    try:
        notice = MEMBER_ACTIONS[action](request, found)
    except StemhubError as error:
        fresh = selectors.member_of(institution, username)
        return _member_page(request, institution, fresh, status=error.status, error=error)
    messages.success(request, notice)
    return redirect("member", code=institution.provider_code, username=found.username)
