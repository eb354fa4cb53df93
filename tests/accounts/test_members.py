"""An institution admin manages their institution's members: adds one (who is mailed a link to
set a password), grants and revokes roles, deactivates and reactivates accounts; a platform admin
does so anywhere. Every change is in the audit trail."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.test import Client

from stemhub.accounts import services
from stemhub.accounts.models import Role, RoleGrant, User
from stemhub.audit.models import AuditEvent
from stemhub.core.errors import Conflict, Forbidden, InvalidInput
from tests.jobs.queue import run_queued_tasks

pytestmark = pytest.mark.django_db

NEW = {
    "username": "new.tech",
    "email": "new.tech@example.org",
    "first_name": "Nina",
    "last_name": "Ek",
}


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def add(actor, institution, roles=("bank_technician",), **changes):
    return services.member_add(
        actor=actor, institution=institution, roles=list(roles), **{**NEW, **changes}
    )


def test_an_added_member_is_mailed_a_link_that_sets_their_password(
    users, bank, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member = add(users["institution_admin"], bank)
    assert member.institution == bank and not member.has_usable_password()
    assert member.roles == {"bank_technician"}
    assert RoleGrant.objects.get(user=member).granted_by == users["institution_admin"]

    run_queued_tasks()  # the worker sends the queued mails
    (message,) = mail.outbox
    assert message.to == ["new.tech@example.org"]
    assert "new.tech" in message.body
    link = re.search(r"http://\S+/accounts/reset/\S+/", message.body).group(0)
    client = Client()
    page = client.get(urlparse(link).path, follow=True)
    assert page.status_code == 200 and b"new_password1" in page.content
    done = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a long new passphrase 42", "new_password2": "a long new passphrase 42"},
    )
    assert done.status_code == 302
    assert Client().login(username="new.tech", password="a long new passphrase 42")


def test_the_new_account_and_its_roles_are_in_the_audit_trail(users, bank):
    member = add(users["institution_admin"], bank, roles=("bank_technician", "qa_manager"))
    (created,) = AuditEvent.objects.filter(model="accounts.user", row_pk=str(member.pk))
    assert created.actor_label == "institution_admin"
    assert created.reason == "Member added to NSCB"
    grants = AuditEvent.objects.filter(model="accounts.rolegrant", operation="INSERT")
    assert {e.new_values["role"] for e in grants if e.new_values["user_id"] == member.pk} == {
        "bank_technician",
        "qa_manager",
    }


def test_an_institution_admin_may_not_grant_platform_admin(users, bank):
    admin = users["institution_admin"]
    with pytest.raises(Forbidden):
        add(admin, bank, roles=("platform_admin",))
    member = add(admin, bank)
    with pytest.raises(Forbidden):
        services.member_role_grant(actor=admin, member=member, role="platform_admin")
    assert not User.objects.filter(username="new.tech", role_grants__role="platform_admin")
    grant = services.member_role_grant(
        actor=users["platform_admin"], member=member, role="platform_admin"
    )
    assert grant.role == Role.PLATFORM_ADMIN


def test_bad_input_names_the_field_and_writes_nothing(users, bank):
    admin = users["institution_admin"]
    cases = [
        ({"username": "has space"}, InvalidInput, "username"),
        ({"username": "CURATOR"}, Conflict, "username"),
        ({"email": "not-an-address"}, InvalidInput, "email"),
        ({"email": "curator@example.org"}, Conflict, "email"),
        ({"first_name": " "}, InvalidInput, "first_name"),
    ]
    for changes, error, field in cases:
        with pytest.raises(error) as raised:
            add(admin, bank, **changes)
        assert field in raised.value.fields, changes
    with pytest.raises(InvalidInput) as raised:
        add(admin, bank, roles=())
    assert "roles" in raised.value.fields
    with pytest.raises(InvalidInput) as raised:
        add(admin, bank, roles=("wizard",))
    assert "role" in raised.value.fields
    assert not User.objects.filter(first_name="Nina").exists()


def test_only_admins_of_the_members_institution_manage_them(users, bank, other_bank):
    member = add(users["institution_admin"], bank)
    for who in ("curator", "qa_manager", "other_curator"):
        with pytest.raises(Forbidden):
            services.member_role_grant(actor=users[who], member=member, role="curator")
    with pytest.raises(Forbidden):
        add(users["institution_admin"], other_bank, username="elsewhere", email="e@example.org")
    assert services.member_role_grant(actor=users["platform_admin"], member=member, role="curator")


def test_grant_revoke_deactivate_and_reactivate(users, bank):
    admin = users["institution_admin"]
    member = add(admin, bank)
    services.member_role_grant(actor=admin, member=member, role="curator")
    with pytest.raises(Conflict):
        services.member_role_grant(actor=admin, member=member, role="curator")
    services.member_role_revoke(actor=admin, member=member, role="bank_technician")
    with pytest.raises(Conflict):
        services.member_role_revoke(actor=admin, member=member, role="bank_technician")
    assert User.objects.get(pk=member.pk).roles == {"curator"}

    with pytest.raises(InvalidInput) as raised:
        services.member_deactivate(actor=admin, member=member, reason="")
    assert "reason" in raised.value.fields
    services.member_deactivate(actor=admin, member=member, reason="Left the bank")
    member.refresh_from_db()
    assert not member.is_active
    last = AuditEvent.objects.filter(model="accounts.user", row_pk=str(member.pk)).last()
    assert last.new_values == {"is_active": False} and last.reason == "Left the bank"
    services.member_reactivate(actor=admin, member=member)
    member.refresh_from_db()
    assert member.is_active


def test_nobody_locks_themselves_out(users):
    admin = users["institution_admin"]
    with pytest.raises(Forbidden):
        services.member_deactivate(actor=admin, member=admin, reason="oops")
    with pytest.raises(Forbidden):
        services.member_role_revoke(actor=admin, member=admin, role="institution_admin")
    with pytest.raises(Forbidden):
        services.member_deactivate(actor=admin, member=users["platform_admin"], reason="no")
    assert User.objects.get(pk=admin.pk).is_active


# The pages


def test_the_members_page_lists_roles_and_last_login(users, client_for):
    page = client_for("institution_admin").get("/accounts/institutions/NSCB/members/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Members of National Stem Cell Bank" in text
    assert "QA manager" in text and "Access committee member" in text
    assert "other_curator" not in text  # another institution's


def test_adding_a_member_through_the_page(users, client_for, django_capture_on_commit_callbacks):
    client = client_for("institution_admin")
    form = client.get("/accounts/institutions/NSCB/members/new/")
    assert b"platform_admin" not in form.content  # not offered to an institution admin
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/accounts/institutions/NSCB/members/new/", {**NEW, "roles": ["bank_technician"]}
        )
    assert answer.status_code == 302
    assert answer["location"] == "/accounts/institutions/NSCB/members/new.tech/"
    run_queued_tasks()  # the worker sends the queued mails
    assert len(mail.outbox) == 1

    again = client.post(
        "/accounts/institutions/NSCB/members/new/",
        {**NEW, "email": "other@example.org", "roles": ["curator"]},
    )
    assert again.status_code == 409
    assert b"The username &#x27;new.tech&#x27; is taken" in again.content

    missing = client.post("/accounts/institutions/NSCB/members/new/", {**NEW, "roles": []})
    assert missing.status_code == 400


def test_granting_and_revoking_through_the_member_page(users, client_for):
    client = client_for("institution_admin")
    url = "/accounts/institutions/NSCB/members/researcher/"
    assert client.post(url + "grant/", {"role": "curator"}).status_code == 302
    assert User.objects.get(username="researcher").roles == {"researcher", "curator"}
    refused = client.post(url + "grant/", {"role": "platform_admin"})
    assert refused.status_code == 403
    assert b"Only a platform admin grants" in refused.content
    assert client.post(url + "revoke/", {"role": "curator"}).status_code == 302
    assert User.objects.get(username="researcher").roles == {"researcher"}
    assert client.post(url + "fly/").status_code == 404


def test_a_platform_admin_lists_institutions_and_opens_any_ones_members(users, client_for):
    client = client_for("platform_admin")
    listing = client.get("/accounts/institutions/")
    assert listing.status_code == 200
    assert b"/accounts/institutions/OSB/members/" in listing.content
    other = client.get("/accounts/institutions/OSB/members/")
    assert other.status_code == 200 and b"other_technician" in other.content
    assert client_for("institution_admin").get("/accounts/institutions/").status_code == 403
    assert (
        client_for("institution_admin").get("/accounts/institutions/OSB/members/").status_code
        == 403
    )


def test_the_password_mail_is_in_the_members_own_language(
    users, bank, django_capture_on_commit_callbacks
):
    """The member's profile language, not the admin's page: a Chinese reader gets it in Chinese."""
    member = add(users["institution_admin"], bank, mail=False)
    member.language = "zh-hans"
    member.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        services.member_password_mail(actor=users["institution_admin"], member=member)
    run_queued_tasks()  # the worker sends the queued mails
    (message,) = mail.outbox
    assert message.subject == "您在 National Stem Cell Bank 的 stemhub 账户"
    assert "用户名为 new.tech" in message.body
