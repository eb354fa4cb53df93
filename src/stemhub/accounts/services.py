"""Writes for people: their API tokens, and an institution's members and their roles.

Member changes need `accounts.manage_members` in the member's institution (a platform admin's
holds everywhere), run inside `audit_context` with a reason, and so leave their rows in the audit
trail (users and role grants are audited tables). Only a platform admin grants or revokes the
platform admin role, or changes a platform admin's account.
"""

from collections.abc import Iterable

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from stemhub.accounts import selectors
from stemhub.accounts.models import ApiToken, Institution, Role, RoleGrant, User
from stemhub.accounts.permissions import Perm, is_platform_admin, user_can
from stemhub.audit.context import audit_context
from stemhub.core.errors import Conflict, Forbidden, InvalidInput, NotFound, full_clean
from stemhub.core.mail import mail_queue
from stemhub.core.site import absolute


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token; the secret is returned once and never stored."""
    name = name.strip()
    if not name:
        raise InvalidInput(
            _("Give the token a name, e.g. the script it is for"), fields={"name": [_("required")]}
        )
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user, name=name[:100], digest=ApiToken.digest_of(secret), hint=secret[:10]
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound(_("You have no token %(id)s") % {"id": token_id})
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


# Members of an institution


def _require_manager(actor: User, institution_id: int | None) -> None:
    if institution_id is None or not user_can(actor, Perm.MANAGE_MEMBERS, institution_id):
        raise Forbidden(
            _("Managing members needs the permission %(perm)s in their institution.")
            % {"perm": Perm.MANAGE_MEMBERS}
        )


def _role(value: str) -> Role:
    if value not in Role.values:
        raise InvalidInput(
            _("Unknown role %(role)r; choose one of %(roles)s.")
            % {"role": value, "roles": ", ".join(Role.values)},
            fields={"role": [_("unknown role")]},
        )
    return Role(value)


def _may_handle_role(actor: User, role: str) -> None:
    if role == Role.PLATFORM_ADMIN and not is_platform_admin(actor):
        raise Forbidden(
            _("Only a platform admin grants or revokes the platform admin role."),
            fields={"role": [_("platform admins only")]},
        )


def _may_change_account(actor: User, member: User) -> None:
    if is_platform_admin(member) and not is_platform_admin(actor):
        raise Forbidden(_("Only a platform admin changes a platform admin's account."))


def _locked_member(member: User) -> User:
    return User.objects.select_for_update().get(pk=member.pk)


def password_mail_send(member: User) -> None:
    """Mail the member a link to set their password (Django's reset token and page), queued in
    the caller's transaction and sent by a worker (`stemhub.core.mail`); in the member's own
    language (their profile's), else the site's."""
    link = absolute(
        reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(member.pk)),
                "token": default_token_generator.make_token(member),
            },
        )
    )
    with translation.override(member.language or settings.LANGUAGE_CODE):
        text = render_to_string(
            "accounts/emails/set_password.txt",
            {"member": member, "institution": member.institution, "link": link},
        ).strip()
    subject, _newline, body = text.partition("\n")
    mail_queue(subject.strip(), body.strip() + "\n", [member.email])


def _clean_username(username: str) -> str:
    username = username.strip()
    if not username:
        raise InvalidInput(
            _("Give the new member a username."), fields={"username": [_("required")]}
        )
    try:
        User.username_validator(username)
    except ValidationError:
        raise InvalidInput(
            _("A username holds letters, digits and @ . + - _ only; %(name)r does not.")
            % {"name": username},
            fields={"username": [_("invalid characters")]},
        ) from None
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(
            _("The username %(name)r is taken; choose another.") % {"name": username},
            fields={"username": [_("taken")]},
        )
    return username


def _clean_email(email: str) -> str:
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(
            _("Give a valid e-mail address: the password link is sent there."),
            fields={"email": [_("not an e-mail address")]},
        ) from None
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(
            _("Another account already uses %(email)s.") % {"email": email},
            fields={"email": [_("taken")]},
        )
    return email


@transaction.atomic
def member_add(
    *,
    actor: User,
    institution: Institution,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[str],
    name_zh: str = "",
    mail: bool = True,
) -> User:
    """A new account in `institution` with `roles`; it has no password until its owner sets one
    through the link mailed to them (`mail=False`: no mail, for writing history such as the
    demo's, whose addresses are invented)."""
    _require_manager(actor, institution.pk)
    wanted = sorted({_role(role) for role in roles})
    if not wanted:
        raise InvalidInput(
            _("Choose at least one role for the new member."), fields={"roles": [_("required")]}
        )
    for role in wanted:
        _may_handle_role(actor, role)
    missing = [
        name
        for name, value in (("first_name", first_name), ("last_name", last_name))
        if not value.strip()
    ]
    if missing:
        raise InvalidInput(
            _("Give the new member's first and last name."),
            fields={name: [_("required")] for name in missing},
        )
    member = User(
        username=_clean_username(username),
        email=_clean_email(email),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        name_zh=name_zh.strip(),
        institution=institution,
    )
    member.set_unusable_password()
    reason = _("Member added to %(code)s") % {"code": institution.provider_code}
    with audit_context(actor=actor, reason=reason):
        full_clean(member, validate_constraints=True)
        member.save()
        RoleGrant.objects.bulk_create(
            RoleGrant(user=member, role=role, granted_by=actor) for role in wanted
        )
    if mail:
        password_mail_send(member)
    return member


@transaction.atomic
def member_names_change(
    *, actor: User, member: User, first_name: str, last_name: str, name_zh: str, reason: str = ""
) -> User:
    """Correct a member's first and last name or their Chinese name."""
    member = _locked_member(member)
    _require_manager(actor, member.institution_id)
    _may_change_account(actor, member)
    missing = [
        name
        for name, value in (("first_name", first_name), ("last_name", last_name))
        if not value.strip()
    ]
    if missing:
        raise InvalidInput(
            _("Give the member's first and last name."),
            fields={name: ["required"] for name in missing},
        )
    member.first_name, member.last_name = first_name.strip(), last_name.strip()
    member.name_zh = name_zh.strip()
    with audit_context(actor=actor, reason=reason.strip() or _("Names corrected")):
        full_clean(member, validate_constraints=True)
        member.save(update_fields=["first_name", "last_name", "name_zh"])
    return member


@transaction.atomic
def member_role_grant(*, actor: User, member: User, role: str, reason: str = "") -> RoleGrant:
    """Give a member one more role."""
    member = _locked_member(member)
    _require_manager(actor, member.institution_id)
    role = _role(role)
    _may_handle_role(actor, role)
    _may_change_account(actor, member)
    if member.role_grants.filter(role=role).exists():
        raise Conflict(
            _("%(name)s already holds the role %(role)s.")
            % {"name": member.display_name, "role": role.label},
            fields={"role": [_("already held")]},
        )
    note = reason.strip() or _("Role %(role)s granted") % {"role": role.label}
    with audit_context(actor=actor, reason=note):
        return RoleGrant.objects.create(user=member, role=role, granted_by=actor)


@transaction.atomic
def member_role_revoke(*, actor: User, member: User, role: str, reason: str = "") -> None:
    """Take a role from a member. Nobody removes their own admin role: another admin must."""
    member = _locked_member(member)
    _require_manager(actor, member.institution_id)
    role = _role(role)
    _may_handle_role(actor, role)
    _may_change_account(actor, member)
    if member.pk == actor.pk and role in (Role.INSTITUTION_ADMIN, Role.PLATFORM_ADMIN):
        raise Forbidden(
            _("You cannot remove your own %(role)s role; ask another admin.")
            % {"role": role.label},
            fields={"role": [_("your own admin role")]},
        )
    grant = member.role_grants.filter(role=role).first()
    if grant is None:
        raise Conflict(
            _("%(name)s does not hold the role %(role)s.")
            % {"name": member.display_name, "role": role.label},
            fields={"role": [_("not held")]},
        )
    note = reason.strip() or _("Role %(role)s revoked") % {"role": role.label}
    with audit_context(actor=actor, reason=note):
        grant.delete()


@transaction.atomic
def member_deactivate(*, actor: User, member: User, reason: str) -> User:
    """Close a member's account: they can no longer log in or use their API tokens. Their
    records and history stay; the account can be reactivated."""
    member = _locked_member(member)
    _require_manager(actor, member.institution_id)
    _may_change_account(actor, member)
    if member.pk == actor.pk:
        raise Forbidden(_("You cannot deactivate your own account; ask another admin."))
    if not reason.strip():
        raise InvalidInput(
            _("Say why the account is deactivated (left the institution, on leave ...)."),
            fields={"reason": [_("required")]},
        )
    if not member.is_active:
        raise Conflict(_("%(name)s is already deactivated.") % {"name": member.username})
    with audit_context(actor=actor, reason=reason.strip()):
        member.is_active = False
        member.save(update_fields=["is_active"])
    return member


@transaction.atomic
def member_reactivate(*, actor: User, member: User, reason: str = "") -> User:
    member = _locked_member(member)
    _require_manager(actor, member.institution_id)
    _may_change_account(actor, member)
    if member.is_active:
        raise Conflict(_("%(name)s is already active.") % {"name": member.username})
    with audit_context(actor=actor, reason=reason.strip() or _("Account reactivated")):
        member.is_active = True
        member.save(update_fields=["is_active"])
    return member


@transaction.atomic
def member_unlock(*, actor: User, member: User, reason: str) -> int:
    """Lift the lockout of a member's account (too many wrong passwords at login or signing)
    before it expires: the failure counts are deleted in the audit context, so the trail
    shows who unlocked it and why. Returns the number of failure records lifted."""
    member = _locked_member(member)
    _require_manager(actor, member.institution_id)
    _may_change_account(actor, member)
    if not reason.strip():
        raise InvalidInput(
            _("Say why the account is unlocked (identity checked by phone ...)."),
            fields={"reason": [_("required")]},
        )
    if selectors.member_lockout(member) is None:
        raise Conflict(_("%(name)s is not locked out.") % {"name": member.username})
    with audit_context(actor=actor, reason=reason.strip()):
        cleared: int = axes_reset(username=member.username)
        return cleared


@transaction.atomic
def member_password_mail(*, actor: User, member: User) -> None:
    """Mail an active member a new link to set their password (a lost first mail, a forgotten
    password)."""
    member = _locked_member(member)
    _require_manager(actor, member.institution_id)
    _may_change_account(actor, member)
    if not member.is_active:
        raise Conflict(
            _("%(name)s is deactivated; reactivate the account first.") % {"name": member.username}
        )
    if not member.email:
        raise Conflict(_("%(name)s has no e-mail address.") % {"name": member.username})
    password_mail_send(member)
