"""An administrator sees a locked account on its member page and unlocks it with a reason;
the unlock, the failed attempts and the lockout are in the audit trail; another
institution's admin cannot unlock it."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from stemhub.accounts.models import Role
from stemhub.audit.models import AuditEvent
from stemhub.distribution.selectors import current_licence
from tests.conftest import PASSWORD, make_user
from tests.distribution.setups import available_line, request_data

pytestmark = pytest.mark.django_db

MEMBER = "/accounts/institutions/NSCB/members/curator/"


def log_in(username: str, password: str, address: str = "10.0.0.1"):
    return Client().post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def lock_out_the_curator() -> None:
    for _ in range(5):
        log_in("curator", "guess")


def test_a_locked_account_shows_since_when_how_many_and_where(users, client_for):
    lock_out_the_curator()
    page = client_for("institution_admin").get(MEMBER)
    text = page.content.decode()
    assert 'id="lockout"' in text
    assert "after 5 failed attempts" in text and "(login)" in text
    assert "Unlock account" in text


def test_signing_failures_are_named_as_such(users, client_for):
    line = available_line(users)
    curator = client_for("curator")
    form = request_data(licence_number=current_licence().number, password="guess")
    form["accept_licence"] = "yes"
    for _ in range(5):
        answer = curator.post(
            f"/distribution/lines/{line.name}/request/", form, REMOTE_ADDR="10.0.6.1"
        )
        assert answer.status_code in (400, 403, 429)
    text = client_for("institution_admin").get(MEMBER).content.decode()
    assert "after 5 failed attempts" in text and "(signature)" in text


def test_an_account_that_is_not_locked_shows_no_lockout(users, client_for):
    log_in("curator", "guess")
    text = client_for("institution_admin").get(MEMBER).content.decode()
    assert 'id="lockout"' not in text and "Unlock account" not in text


def test_the_institution_admin_unlocks_with_a_reason_and_the_trail_says_so(users, client_for):
    lock_out_the_curator()
    admin = client_for("institution_admin")
    refused = admin.post(MEMBER + "unlock/", {"reason": " "})
    assert refused.status_code == 400
    assert log_in("curator", PASSWORD, address="10.0.9.9").status_code == 429

    done = admin.post(MEMBER + "unlock/", {"reason": "Identity checked by phone"})
    assert done.status_code == 302
    assert not AccessAttempt.objects.filter(username="curator").exists()
    assert log_in("curator", PASSWORD, address="10.0.9.9").status_code == 302
    lifted = AuditEvent.objects.filter(model="axes.accessattempt", operation="DELETE")
    assert lifted.exists()
    for row in lifted:
        assert row.old_values["username"] == "curator"
        assert (row.actor_id, row.reason) == (
            users["institution_admin"].pk,
            "Identity checked by phone",
        )


def test_unlocking_an_account_that_is_not_locked_is_a_conflict(users, client_for):
    answer = client_for("institution_admin").post(MEMBER + "unlock/", {"reason": "just in case"})
    assert answer.status_code == 409


def test_a_platform_admin_unlocks_too(users, client_for):
    lock_out_the_curator()
    answer = client_for("platform_admin").post(MEMBER + "unlock/", {"reason": "Ticket 42"})
    assert answer.status_code == 302
    assert log_in("curator", PASSWORD, address="10.0.9.8").status_code == 302


def test_another_institutions_admin_cannot_unlock(users, other_bank, client_for):
    users["other_admin"] = make_user("other_admin", other_bank, Role.INSTITUTION_ADMIN)
    lock_out_the_curator()
    other = client_for("other_admin")
    assert other.get(MEMBER).status_code in (403, 404)
    assert other.post(MEMBER + "unlock/", {"reason": "let me in"}).status_code in (403, 404)
    own_code = "/accounts/institutions/OSB/members/curator/unlock/"
    assert other.post(own_code, {"reason": "let me in"}).status_code == 404
    assert AccessAttempt.objects.filter(username="curator").exists()
    assert log_in("curator", PASSWORD, address="10.0.9.7").status_code == 429


def test_failed_attempts_and_the_lockout_are_found_in_the_trail_search(users, client_for):
    lock_out_the_curator()
    failures = AuditEvent.objects.filter(model="axes.accessfailurelog", operation="INSERT")
    assert failures.count() == 5
    assert [e.new_values["locked_out"] in (True, 1) for e in failures.order_by("id")] == [
        False,
        False,
        False,
        False,
        True,
    ]
    search = client_for("platform_admin").get(
        "/audit/", {"model": "axes.accessfailurelog", "record": "curator"}
    )
    assert search.status_code == 200
    assert search.content.decode().count("axes.accessfailurelog") >= 5
