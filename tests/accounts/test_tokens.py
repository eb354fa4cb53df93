"""Per-user revocable API tokens."""

import json

import pytest
from django.test import Client

from stemhub.accounts.models import ApiToken


def bearer(secret: str) -> Client:
    return Client(headers={"authorization": f"Bearer {secret}"})


def test_a_script_acts_as_its_user_until_the_token_is_revoked(client_for, users):
    owner = client_for("curator")
    created = owner.post(
        "/api/v1/tokens", json.dumps({"name": "nightly export"}), content_type="application/json"
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("shub_")
    stored = ApiToken.objects.get()
    assert stored.digest != secret and secret not in stored.digest

    me = bearer(secret).get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["username"] == "curator"
    assert me.json()["roles"] == ["curator"]
    stored.refresh_from_db()
    assert stored.last_used_at is not None

    listed = owner.get("/api/v1/tokens").json()
    assert [t["name"] for t in listed] == ["nightly export"]
    assert "secret" not in listed[0]

    assert owner.delete(f"/api/v1/tokens/{stored.pk}").status_code == 200
    refused = bearer(secret).get("/api/v1/me")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthenticated"


def test_nobody_revokes_another_users_token(client_for, users):
    created = client_for("curator").post(
        "/api/v1/tokens", json.dumps({"name": "mine"}), content_type="application/json"
    )
    token_id = created.json()["id"]
    assert client_for("other_curator").delete(f"/api/v1/tokens/{token_id}").status_code == 404
    assert ApiToken.objects.get(pk=token_id).revoked_at is None


def test_a_made_up_token_is_refused(db):
    assert bearer("shub_not-a-real-token").get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("blank", [" ", "\x1c", " \x1f\x85 "])
def test_a_token_needs_a_name(client_for, users, blank):
    # the schema declares a non-blank name: blank as Python's strip() sees it, which the
    # services use (U+001C-U+001F and U+0085 are blank there, not to a pattern's \s)
    answer = client_for("curator").post(
        "/api/v1/tokens", json.dumps({"name": blank}), content_type="application/json"
    )
    assert answer.status_code == 400
    assert list(answer.json()["error"]["fields"]) == ["name"]
    assert not ApiToken.objects.exists()


def test_the_token_page_shows_a_new_secret_once(client_for, users):
    page = client_for("researcher")
    shown = page.post("/accounts/tokens/", {"name": "analysis"})
    assert shown.status_code == 200
    token = ApiToken.objects.get(user=users["researcher"])
    assert b"shub_" in shown.content
    again = page.get("/accounts/tokens/")
    assert token.hint.encode() in again.content
    assert b'id="new-secret"' not in again.content
    assert page.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_anonymous_visitors_are_sent_to_log_in_for_the_token_page(db):
    answer = Client().get("/accounts/tokens/")
    assert answer.status_code == 302
    assert answer["location"].startswith("/accounts/login/")
