"""/api/v1/names: synonym lookup, checking and issuing over HTTP, with the one error shape."""

import json

import pytest
from django.utils import timezone

from stemhub.accounts.services import api_token_create
from stemhub.registry.models import CellLine, IssuedName, Status, Synonym


def post(client, url, payload):
    return client.post(url, json.dumps(payload), content_type="application/json")


def error_of(answer):
    body = answer.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


@pytest.fixture
def lines(bank):
    """H9-like published line with synonyms, and an unpublished one."""
    published = CellLine.objects.create(
        name="NSCBe009-A",
        line_type="hESC",
        institution=bank,
        status=Status.PUBLISHED,
        published_at=timezone.now(),
    )
    Synonym.objects.create(line=published, name="H9")
    draft = CellLine.objects.create(name="NSCBi002-A", line_type="hiPSC", institution=bank)
    Synonym.objects.create(line=draft, name="Secret-1")
    return published, draft


class TestLookup:
    @pytest.mark.parametrize("query", ["H9", "h9", "NSCBe009-A", "nscbe009-a"])
    def test_a_synonym_or_standard_name_gives_the_standard_name(self, lines, client_for, query):
        answer = client_for(None).get(f"/api/v1/names/{query}")
        assert answer.status_code == 200
        assert answer.json() == {"name": "NSCBe009-A", "query": query}

    def test_an_unknown_name_is_404_in_the_error_shape(self, lines, client_for):
        answer = client_for(None).get("/api/v1/names/H1")
        assert answer.status_code == 404
        assert error_of(answer)["code"] == "not_found"
        assert "H1" in error_of(answer)["message"]

    def test_an_unpublished_line_is_hidden_from_visitors_not_from_its_staff(
        self, lines, client_for
    ):
        assert client_for(None).get("/api/v1/names/Secret-1").status_code == 404
        assert client_for("other_curator").get("/api/v1/names/Secret-1").status_code == 404
        staff = client_for("curator").get("/api/v1/names/Secret-1")
        assert staff.json() == {"name": "NSCBi002-A", "query": "Secret-1"}


class TestCheck:
    def test_anyone_gets_a_verdict_per_name(self, client_for, db):
        answer = post(
            client_for(None), "/api/v1/names/check", {"names": ["WAe009-A", "Genea019", "a b"]}
        )
        assert answer.status_code == 200
        verdicts = answer.json()
        assert [v["verdict"] for v in verdicts] == ["valid", "warning", "invalid"]
        assert verdicts[2] == {
            "name": "a b",
            "verdict": "invalid",
            "messages": ["contains whitespace; a standard name is a single word"],
        }

    def test_a_body_without_names_is_400_in_the_error_shape(self, client_for, db):
        answer = post(client_for(None), "/api/v1/names/check", {"name": "H9"})
        assert answer.status_code == 400
        assert "names" in error_of(answer)["fields"]

    def test_more_than_1000_names_are_refused(self, client_for, db):
        answer = post(client_for(None), "/api/v1/names/check", {"names": ["H9"] * 1001})
        assert answer.status_code == 400
        assert error_of(answer)["code"] == "invalid"


NEXT = {"provider": "NSCB", "type": "i", "same_donor": None, "subclone_of": None}


class TestNext:
    def test_a_curator_gets_the_next_names(self, client_for):
        curator = client_for("curator")
        first = post(curator, "/api/v1/names/next", NEXT)
        assert (first.status_code, first.json()) == (201, {"name": "NSCBi001-A"})
        clone = post(curator, "/api/v1/names/next", {**NEXT, "same_donor": "NSCBi001-A"})
        sub = post(
            curator,
            "/api/v1/names/next",
            {"provider": "NSCB", "type": "i", "subclone_of": "NSCBi001-B"},
        )
        assert (clone.json(), sub.json()) == ({"name": "NSCBi001-B"}, {"name": "NSCBi001-B-1"})

    def test_a_script_with_a_token_may(self, users, client_for):
        _, secret = api_token_create(user=users["institution_admin"], name="names")
        answer = client_for(None).post(
            "/api/v1/names/next",
            json.dumps(NEXT),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        assert answer.status_code == 201
        assert IssuedName.objects.get().issued_to == users["institution_admin"]

    def test_anonymous_is_401(self, client_for):
        answer = post(client_for(None), "/api/v1/names/next", NEXT)
        assert answer.status_code == 401
        assert error_of(answer)["code"] == "unauthenticated"

    @pytest.mark.parametrize("who", ["researcher", "bank_technician", "other_curator"])
    def test_those_without_the_permission_here_are_403(self, client_for, who):
        answer = post(client_for(who), "/api/v1/names/next", NEXT)
        assert answer.status_code == 403
        assert "registry.issue_names" in error_of(answer)["message"]
        assert not IssuedName.objects.exists()

    def test_an_unknown_provider_is_400_naming_the_field(self, client_for):
        answer = post(
            client_for("platform_admin"), "/api/v1/names/next", {**NEXT, "provider": "XYZ"}
        )
        assert answer.status_code == 400
        assert error_of(answer)["fields"] == {"provider": ["unknown provider code"]}

    def test_a_type_other_than_i_or_e_is_400(self, client_for):
        answer = post(client_for("curator"), "/api/v1/names/next", {**NEXT, "type": "x"})
        assert answer.status_code == 400
        assert "type" in error_of(answer)["fields"]

    def test_running_out_of_clone_letters_is_409(self, client_for, bank):
        CellLine.objects.create(name="NSCBi001-Z", line_type="hiPSC", institution=bank)
        answer = post(
            client_for("curator"), "/api/v1/names/next", {**NEXT, "same_donor": "NSCBi001-Z"}
        )
        assert answer.status_code == 409
        assert error_of(answer)["code"] == "conflict"
