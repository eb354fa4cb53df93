"""The registry over HTTP: shapes, error shape, visibility, query counts."""

import json

import pytest

from stemhub.registry import services
from tests.registry.lines import publishable


def post(client, url, payload=None):
    return client.post(url, json.dumps(payload or {}), content_type="application/json")


def patch(client, url, payload):
    return client.patch(url, json.dumps(payload), content_type="application/json")


@pytest.fixture
def published(users):
    curator = users["curator"]
    line = services.cell_line_create(actor=curator, data=publishable())
    services.cell_line_submit(actor=curator, line=line)
    services.cell_line_start_review(actor=curator, line=line)
    return services.cell_line_publish(actor=curator, line=line)


@pytest.fixture
def draft(users):
    return services.cell_line_create(
        actor=users["curator"], data=publishable("NSCBe002-A", line_type="hESC", synonyms=[])
    )


def test_a_curator_creates_and_publishes_a_line_through_the_api(client_for):
    curator = client_for("curator")
    created = post(curator, "/api/v1/cell-lines", publishable())
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "draft"
    for step in ("submit", "review", "publish"):
        answer = post(curator, f"/api/v1/cell-lines/NSCBi001-A/{step}")
        assert answer.status_code == 200, answer.json()
    public = client_for(None).get("/api/v1/cell-lines/NSCBi001-A")
    assert public.status_code == 200
    body = public.json()
    assert body["status"] == "published"
    assert body["donor"]["diseases"][0]["label"] == "Alzheimer's disease"
    assert body["markers"][0]["percent_positive"] == "97.50"


def test_a_synonym_resolves_to_the_standard_name(published, client_for):
    answer = client_for(None).get("/api/v1/cell-lines/ad-ips-1")
    assert answer.status_code == 200
    assert answer.json()["name"] == "NSCBi001-A"


def test_anonymous_visitors_never_see_unpublished_lines(draft, published, client_for):
    anonymous = client_for(None)
    assert anonymous.get("/api/v1/cell-lines/NSCBe002-A").status_code == 404
    names = [item["name"] for item in anonymous.get("/api/v1/cell-lines").json()["items"]]
    assert names == ["NSCBi001-A"]
    staff = client_for("curator").get("/api/v1/registry/cell-lines").json()["items"]
    assert [item["name"] for item in staff] == ["NSCBe002-A", "NSCBi001-A"]
    other = client_for("other_curator").get("/api/v1/registry/cell-lines").json()["items"]
    assert [item["name"] for item in other] == ["NSCBi001-A"]
    assert client_for("researcher").get("/api/v1/registry/cell-lines").status_code == 403


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"name": "NSCBi003-A"}, 400, "line_type"),
        ({**publishable("NSCBi003-A"), "line_type": "hXSC"}, 400, "line_type"),
        ({**publishable("NSCBi003-A"), "colour": "blue"}, 400, "colour"),
        (
            {**publishable("NSCBi003-A"), "clinical_studies": [{"nct_id": "NCT123"}]},
            400,
            "clinical_studies[0].__all__",
        ),
        ({**publishable("NSCBi003-A"), "parent": "NOPE"}, 400, "parent"),
    ],
)
def test_bad_input_gets_a_4xx_naming_the_field_and_writes_nothing(
    client_for, payload, status, field
):
    answer = post(client_for("curator"), "/api/v1/cell-lines", payload)
    assert answer.status_code == status, answer.json()
    error = answer.json()["error"]
    assert error["message"]
    assert any(name.startswith(field.split(".")[0]) for name in error["fields"]), error
    assert client_for("curator").get("/api/v1/registry/cell-lines").json()["count"] == 0


def test_a_duplicate_name_is_a_conflict(published, client_for):
    answer = post(client_for("curator"), "/api/v1/cell-lines", publishable())
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "conflict"


def test_a_published_line_changes_only_with_a_reason_and_shows_history(published, client_for):
    curator = client_for("curator")
    refused = patch(curator, "/api/v1/cell-lines/NSCBi001-A", {"culture_medium": "mTeSR1"})
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {"reason": ["required"]}
    changed = patch(
        curator,
        "/api/v1/cell-lines/NSCBi001-A",
        {"culture_medium": "mTeSR1", "reason": "Medium corrected"},
    )
    assert changed.status_code == 200
    assert changed.json()["version"] == 2
    history = client_for(None).get("/api/v1/cell-lines/NSCBi001-A/history").json()
    versions = [entry for entry in history if entry["kind"] == "version"]
    assert versions[-1]["details"]["changes"] == {"culture_medium": ["", "mTeSR1"]}
    assert versions[-1]["summary"] == "Version 2: Medium corrected"


def test_the_checklist_names_what_publication_still_needs(draft, client_for):
    patch(client_for("curator"), "/api/v1/cell-lines/NSCBe002-A", {"differentiations": []})
    items = client_for("curator").get("/api/v1/cell-lines/NSCBe002-A/checklist").json()
    by_key = {item["key"]: item for item in items}
    assert by_key["ethics"]["done"] is True
    assert by_key["germ_layers"] == {
        "key": "germ_layers",
        "label": "Pluripotency: differentiation into endoderm, mesoderm and ectoderm",
        "done": False,
        "required": True,
    }


def test_availability_recall_needs_a_reason(published, client_for):
    qa = client_for("qa_manager")
    refused = post(qa, "/api/v1/cell-lines/NSCBi001-A/availability", {"availability": "recalled"})
    assert refused.status_code == 400
    assert "reason" in refused.json()["error"]["fields"]
    done = post(
        qa,
        "/api/v1/cell-lines/NSCBi001-A/availability",
        {"availability": "recalled", "reason": "Karyotype abnormal at p30"},
    )
    assert done.status_code == 200
    assert done.json()["availability"] == "recalled"


def test_the_list_costs_a_fixed_number_of_queries(users, client_for, django_assert_max_num_queries):
    curator = users["curator"]
    for number in range(1, 8):
        services.cell_line_create(
            actor=curator, data=publishable(f"NSCBi{number:03d}-A", synonyms=[])
        )
    client = client_for("curator")
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/registry/cell-lines").status_code == 200


def test_the_detail_costs_a_fixed_number_of_queries(
    published, client_for, django_assert_max_num_queries
):
    client = client_for(None)
    with django_assert_max_num_queries(25):
        assert client.get("/api/v1/cell-lines/NSCBi001-A").status_code == 200


def test_the_openapi_document_and_docs_are_served(client_for):
    anonymous = client_for(None)
    schema = anonymous.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/cell-lines" in paths
    assert "/api/v1/cell-lines/{name}/publish" in paths
    assert anonymous.get("/api/v1/docs").status_code == 200


def test_a_duplicate_row_is_a_conflict_not_a_crash(draft, client_for):
    study = {"nct_id": "NCT03119636"}
    answer = patch(
        client_for("curator"),
        "/api/v1/cell-lines/NSCBe002-A",
        {"clinical_studies": [study, study]},
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "conflict"


def test_an_overlong_synonym_is_named(draft, client_for):
    answer = patch(
        client_for("curator"), "/api/v1/cell-lines/NSCBe002-A", {"synonyms": ["x" * 101]}
    )
    assert answer.status_code == 400
    assert "synonyms[0].name" in answer.json()["error"]["fields"]
