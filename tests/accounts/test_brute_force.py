"""Guessing passwords stops working: logins, signatures and API tokens are locked or throttled
per account and per address, the lockout is in the audit trail's tables, and an administrator
can lift it."""

import json

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client

from stemhub.accounts.models import ApiToken
from stemhub.accounts.services import api_token_create
from stemhub.core.errors import Forbidden, InvalidInput
from stemhub.quality import services as quality
from tests.conftest import PASSWORD
from tests.distribution.setups import available_line, make_request
from tests.quality.setups import pass_everything, qc_bank


def log_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def signed_in_as(client: Client) -> str | None:
    me = client.get("/api/v1/me")
    return me.json()["username"] if me.status_code == 200 else None


def test_thirty_wrong_passwords_then_the_right_one_does_not_log_in(users):
    client = Client()
    for _ in range(30):
        log_in(client, "curator", "guess")
    locked = log_in(client, "curator", PASSWORD)
    assert locked.status_code == 429
    assert b"Too many wrong passwords" in locked.content
    assert signed_in_as(client) is None


def test_the_account_is_locked_from_every_address_not_only_the_guessing_one(users):
    for number in range(5):
        log_in(Client(), "curator", "guess", address=f"10.0.1.{number}")
    assert log_in(Client(), "curator", PASSWORD, address="10.9.9.9").status_code == 429


def test_one_address_guessing_many_accounts_is_locked_out_too(users):
    for username in ["curator", "qa_manager", "researcher", "bank_technician", "other_qa"]:
        log_in(Client(), username, "guess", address="10.0.2.1")
    assert log_in(Client(), "institution_admin", PASSWORD, address="10.0.2.1").status_code == 429
    assert log_in(Client(), "institution_admin", PASSWORD, address="10.0.2.2").status_code == 302


def test_four_wrong_passwords_then_the_right_one_still_logs_in(users):
    client = Client()
    for _ in range(4):
        assert log_in(client, "curator", "guess").status_code == 200
    assert log_in(client, "curator", PASSWORD).status_code == 302
    assert signed_in_as(client) == "curator"


def test_an_administrator_unlocks_the_account(users):
    for _ in range(6):
        log_in(Client(), "curator", "guess")
    assert AccessAttempt.objects.filter(username="curator").exists()
    call_command("axes_reset_username", "curator")
    assert log_in(Client(), "curator", PASSWORD, address="10.0.3.1").status_code == 302


def test_fifteen_wrong_signing_passwords_then_the_right_one_does_not_release(users):
    bank = qc_bank(users)
    pass_everything(users["bank_technician"], bank)
    qa = users["qa_manager"]
    refusals = []
    for _ in range(15):
        with pytest.raises(Forbidden) as caught:
            quality.bank_release(actor=qa, bank=bank, password="guess")
        refusals.append(caught.value.fields["password"])
    assert refusals[0] == ["incorrect"] and refusals[-1] == ["locked out"]
    with pytest.raises(Forbidden, match="Too many wrong passwords"):
        quality.bank_release(actor=qa, bank=bank, password=PASSWORD)
    assert not bank.releases.exists()
    assert log_in(Client(), "qa_manager", PASSWORD, address="10.0.4.1").status_code == 429


def test_wrong_licence_signing_passwords_lock_the_researcher_out(users):
    line = available_line(users)
    for _ in range(4):
        with pytest.raises(InvalidInput, match="password does not match"):
            make_request(users, line, password="guess")
    with pytest.raises(Forbidden, match="Too many wrong passwords"):
        make_request(users, line, password="guess")  # the fifth locks
    with pytest.raises(Forbidden, match="Too many wrong passwords"):
        make_request(users, line)
    assert not line.requests.exists()


def test_wrong_api_tokens_from_one_address_are_answered_429(users, settings):
    settings.STEMHUB_TOKEN_FAILURE_LIMIT = 3
    _, secret = api_token_create(user=users["curator"], name="script")
    for _ in range(3):
        wrong = Client(headers={"authorization": "Bearer shub_wrong"}, REMOTE_ADDR="10.0.5.1")
        assert wrong.get("/api/v1/me").status_code == 401
    right = Client(headers={"authorization": f"Bearer {secret}"}, REMOTE_ADDR="10.0.5.1")
    throttled = right.get("/api/v1/me")
    assert throttled.status_code == 429
    assert "Too many wrong API tokens" in json.dumps(throttled.json())
    elsewhere = Client(headers={"authorization": f"Bearer {secret}"}, REMOTE_ADDR="10.0.5.2")
    assert elsewhere.get("/api/v1/me").status_code == 200


def test_a_tokens_last_use_is_written_at_most_once_a_minute(users):
    token, secret = api_token_create(user=users["curator"], name="script")
    client = Client(headers={"authorization": f"Bearer {secret}"})
    client.get("/api/v1/me")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    client.get("/api/v1/me")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first.replace(year=first.year - 1))
    client.get("/api/v1/me")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_the_lockout_page_says_for_how_long_and_what_to_do(users, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "curator", "guess", address="10.0.5.1")
    locked = log_in(client, "curator", PASSWORD, address="10.0.5.1").content.decode()
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"refused for {minutes} minutes" in locked
    assert "ask an administrator of your institution to unlock" in locked


def test_a_script_signing_with_wrong_passwords_gets_the_apis_own_429(users):
    """Once the wrong signing passwords lock the account, the API answers in its error shape
    (JSON, code locked_out, Retry-After), not with the login page's HTML."""
    bank = qc_bank(users)
    pass_everything(users["bank_technician"], bank)
    client = Client()
    client.force_login(users["qa_manager"])
    answers = [
        client.post(
            f"/api/v1/quality/banks/{bank.pk}/release",
            json.dumps({"password": "guess"}),
            content_type="application/json",
            REMOTE_ADDR="10.0.5.1",
        )
        for _ in range(6)
    ]
    assert answers[0].status_code == 403
    assert [a.status_code for a in answers[-2:]] == [429, 429]
    for locked in answers[-2:]:
        assert locked["Content-Type"].startswith("application/json")
        assert locked.json()["error"]["code"] == "locked_out"
    assert int(answers[-2]["Retry-After"]) > 0
    assert not bank.releases.exists()
