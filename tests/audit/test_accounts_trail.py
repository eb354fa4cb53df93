"""People are regulated records too: a role granted or revoked, an account deactivated, leave
rows in the audit trail; a password hash never does, and a login (last_login) writes nothing."""

import pytest
from django.contrib.auth import authenticate
from django.test import Client

from stemhub.accounts.models import Role, RoleGrant
from stemhub.audit.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def rows_of(model: str, pk: object) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(model=model, row_pk=str(pk)).order_by("id"))


def test_a_role_grant_and_its_revocation_are_in_the_trail_with_the_institution(users):
    technician = users["bank_technician"]
    grant = RoleGrant.objects.create(user=technician, role=Role.QA_MANAGER)
    grant_pk = grant.pk
    grant.delete()

    created, deleted = rows_of("accounts.rolegrant", grant_pk)
    assert created.operation == "INSERT" and created.new_values["role"] == "qa_manager"
    assert deleted.operation == "DELETE" and deleted.old_values["role"] == "qa_manager"
    assert created.institution_id == technician.institution_id


def test_the_password_hash_is_never_copied_into_the_trail(users):
    curator = users["curator"]
    (created,) = rows_of("accounts.user", curator.pk)
    assert "password" not in created.new_values
    assert "last_login" not in created.new_values
    assert created.new_values["username"] == "curator"

    curator.set_password("another long passphrase")
    curator.save()
    assert rows_of("accounts.user", curator.pk) == [created]


def test_a_login_writes_no_audit_row_but_a_deactivation_does(users):
    curator = users["curator"]
    before = rows_of("accounts.user", curator.pk)
    assert authenticate(username="curator", password=PASSWORD) is not None
    client = Client()
    assert client.login(username="curator", password=PASSWORD)
    assert rows_of("accounts.user", curator.pk) == before

    curator.is_active = False
    curator.save(update_fields=["is_active"])
    last = rows_of("accounts.user", curator.pk)[-1]
    assert last.operation == "UPDATE"
    assert last.old_values == {"is_active": True} and last.new_values == {"is_active": False}
