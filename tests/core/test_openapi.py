"""The OpenAPI document tells the truth: every shape has its own name, every operation a named
answer, every range it enforces declared, and out-of-range values are answered 4xx, never 500."""

from collections import defaultdict

import pytest
from ninja import Schema

import stemhub.config.urls  # noqa: F401  (mounts every app's router on the API)
from stemhub.core.api import api


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


@pytest.fixture(scope="module")
def document() -> dict:
    return api.get_openapi_schema(path_prefix="/api/v1")


def _operations(document: dict):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_no_two_api_shapes_share_a_name():
    """The document names a shape by its class name: two classes of one name (a ThawIn in
    biobank and another in distribution) leave one operation documented with the other's body."""
    modules = defaultdict(list)
    for shape in _subclasses(Schema):
        if shape.__module__.startswith("stemhub."):
            modules[shape.__name__].append(shape.__module__)
    assert {name: where for name, where in modules.items() if len(where) > 1} == {}


def test_a_range_the_server_enforces_is_declared(document):
    due = document["paths"]["/api/v1/equipment/due"]["get"]["parameters"]
    within = next(p for p in due if p["name"] == "within_days")["schema"]
    assert (within["minimum"], within["maximum"]) == (1, 3650)


@pytest.mark.parametrize("days", ["0", "3651", "99999999999"])
def test_a_look_ahead_out_of_range_is_refused_naming_it(client_for, users, days):
    answer = client_for("platform_admin").get(f"/api/v1/equipment/due?within_days={days}")
    assert answer.status_code == 400
    assert "within_days" in answer.json()["error"]["fields"]


def test_a_look_ahead_of_ten_years_is_answered(client_for, users):
    answer = client_for("platform_admin").get("/api/v1/equipment/due?within_days=3650")
    assert answer.status_code == 200


@pytest.mark.parametrize(
    "period", ["from=0001-01-01&to=0001-01-01", "from=9999-12-31&to=9999-12-31"]
)
def test_an_audit_period_at_the_edge_of_the_calendar_is_answered(client_for, users, period):
    answer = client_for("platform_admin").get(f"/api/v1/audit/events?{period}")
    assert answer.status_code == 200
    assert answer.json() == []


def test_an_audit_period_needs_both_days_and_says_so(client_for, users):
    answer = client_for("platform_admin").get("/api/v1/audit/events?from=2026-01-01")
    assert answer.status_code == 400
    assert list(answer.json()["error"]["fields"]) == ["to"]


def test_a_multipart_body_without_its_boundary_is_refused_in_words(client_for, users):
    answer = client_for("platform_admin").generic(
        "POST", "/api/v1/imports/lines", b"--x\r\n", content_type="multipart/form-data"
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid"


def _named(schema: dict) -> bool:
    if schema.get("type") == "array":
        return _named(schema.get("items", {}))
    return "$ref" in schema


def test_every_operation_answers_a_named_shape(document):
    """Each 2xx answer is a named component (or a list of one); a file download says its
    media type instead."""
    unnamed = []
    for name, operation in _operations(document):
        for status, answer in operation["responses"].items():
            if not str(status).startswith("2"):
                continue
            content = answer.get("content", {})
            json_schema = content.get("application/json", {}).get("schema")
            is_file = bool(content) and "application/json" not in content
            if not is_file and not (json_schema and _named(json_schema)):
                unnamed.append(name)
    assert sorted(set(unnamed)) == []


def test_a_body_that_is_not_an_object_is_refused(client_for, users):
    """Ninja read `[null, null]` as an empty patch when every field is optional: a 200 that
    changed nothing, for a body the schema does not allow."""
    answer = client_for("platform_admin").patch(
        "/api/v1/equipment/1", "[null, null]", content_type="application/json"
    )
    assert answer.status_code == 400
    assert "body" in answer.json()["error"]["message"].lower()
