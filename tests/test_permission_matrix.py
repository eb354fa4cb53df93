"""Who may call what: every API endpoint, for every role, anonymous and another institution.

Each case names the actors allowed; everyone else must get 401, 403 or 404. A test fails when
the API grows an endpoint that no case covers, so the matrix cannot fall behind the code.
"""

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from stemhub.core.api import api
from tests.permissions import (
    ACTORS,
    AVAILABILITY,
    CURATORS,
    EDITORS,
    EVERYONE,
    INSIDERS,
    OTHERS,
    SIGNED_IN,
    Case,
    auto_ids_above_fixed,
    curators_token,
    line_in,
)
from tests.registry.lines import publishable


def app_cases(kind: str) -> list[Any]:
    """`API_CASES` or `PAGE_CASES` from every tests/<app>/permission_cases.py."""
    found: list[Any] = []
    for module in sorted(Path(__file__).parent.glob("*/permission_cases.py")):
        found.extend(
            getattr(
                importlib.import_module(f"tests.{module.parent.name}.permission_cases"), kind, []
            )
        )
    return found


CASES = [
    Case(
        "GET",
        "/api/v1/names/{name}",
        EVERYONE,
        path="/api/v1/names/AD-iPS-1",
        setup=line_in("published"),
    ),
    Case("POST", "/api/v1/names/check", EVERYONE, body={"names": ["NSCBi001-A", "H9"]}),
    Case("GET", "/api/v1/imports/lines/template.csv", EVERYONE),
    Case("GET", "/api/v1/imports/lines/template.xlsx", EVERYONE),
    Case(
        "POST",
        "/api/v1/imports/lines",
        EDITORS,
        body={"dry_run": "true", "institution": "NSCB"},
        multipart=True,
    ),
    Case("POST", "/api/v1/names/next", EDITORS, body={"provider": "NSCB", "type": "i"}),
    Case("GET", "/api/v1/institutions", EVERYONE),
    Case("GET", "/api/v1/me", SIGNED_IN),
    Case("GET", "/api/v1/tokens", SIGNED_IN),
    Case("POST", "/api/v1/tokens", SIGNED_IN, body={"name": "script"}),
    Case(
        "DELETE",
        "/api/v1/tokens/{token_id}",
        {"curator"},
        path="/api/v1/tokens/1",
        setup=curators_token,
    ),
    Case("GET", "/api/v1/cell-lines", EVERYONE, setup=line_in("published")),
    Case("GET", "/api/v1/catalogue/suggest", EVERYONE, path="/api/v1/catalogue/suggest?q=NSC"),
    Case("GET", "/api/v1/registry/cell-lines", INSIDERS | OTHERS, setup=line_in("draft")),
    Case(
        "GET",
        "/api/v1/cell-lines/{name}",
        EVERYONE,
        path="/api/v1/cell-lines/NSCBi001-A",
        setup=line_in("published"),
    ),
    Case(
        "GET",
        "/api/v1/cell-lines/{name}",
        INSIDERS,
        path="/api/v1/cell-lines/NSCBi001-A?draft",
        setup=line_in("draft"),
    ),
    Case(
        "POST",
        "/api/v1/cell-lines",
        EDITORS,
        body={**publishable("NSCBi009-A"), "institution": "NSCB"},
    ),
    Case(
        "PATCH",
        "/api/v1/cell-lines/{name}",
        EDITORS,
        path="/api/v1/cell-lines/NSCBi001-A",
        body={"description": "updated"},
        setup=line_in("draft"),
    ),
    Case(
        "POST",
        "/api/v1/cell-lines/{name}/submit",
        EDITORS,
        path="/api/v1/cell-lines/NSCBi001-A/submit",
        body={},
        setup=line_in("draft"),
    ),
    Case(
        "POST",
        "/api/v1/cell-lines/{name}/review",
        CURATORS,
        path="/api/v1/cell-lines/NSCBi001-A/review",
        body={},
        setup=line_in("submitted"),
    ),
    Case(
        "POST",
        "/api/v1/cell-lines/{name}/return",
        CURATORS,
        path="/api/v1/cell-lines/NSCBi001-A/return",
        body={"comment": "Add a karyotype"},
        setup=line_in("in_review"),
    ),
    Case(
        "POST",
        "/api/v1/cell-lines/{name}/publish",
        CURATORS,
        path="/api/v1/cell-lines/NSCBi001-A/publish",
        body={},
        setup=line_in("in_review"),
    ),
    Case(
        "POST",
        "/api/v1/cell-lines/{name}/availability",
        AVAILABILITY,
        path="/api/v1/cell-lines/NSCBi001-A/availability",
        body={"availability": "available"},
        setup=line_in("published"),
    ),
    Case(
        "GET",
        "/api/v1/cell-lines/{name}/checklist",
        INSIDERS,
        path="/api/v1/cell-lines/NSCBi001-A/checklist",
        setup=line_in("draft"),
    ),
    Case(
        "GET",
        "/api/v1/cell-lines/{name}/history",
        EVERYONE,
        path="/api/v1/cell-lines/NSCBi001-A/history",
        setup=line_in("published"),
    ),
]


CASES += app_cases("API_CASES")


def _api_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }


def test_every_api_endpoint_has_a_case():
    covered = {(case.method, case.template) for case in CASES}
    missing = sorted(_api_operations() - covered)
    assert not missing, f"Add permission cases for: {missing}"


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a or "anonymous")
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_only_the_allowed_get_through(case: Case, actor: str | None, users, client_for):
    auto_ids_above_fixed()
    case.setup(users)
    client: Client = client_for(actor)
    path = case.path.replace("?draft", "")
    if case.template == "/api/v1/tokens/{token_id}":
        from stemhub.accounts.models import ApiToken

        path = f"/api/v1/tokens/{ApiToken.objects.get().pk}"
    kwargs: dict[str, Any] = {}
    if case.multipart:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from stemhub.exchange.bulk import template_csv

        sheet = SimpleUploadedFile("lines.csv", template_csv().encode(), "text/csv")
        # bytes in the body are sent as that field's file instead of the lines template
        fields = {
            key: SimpleUploadedFile(f"{key}.csv", value) if isinstance(value, bytes) else value
            for key, value in (case.body or {}).items()
        }
        kwargs = {"data": {"file": sheet, **fields}}
    elif case.body is not None:
        kwargs = {"data": json.dumps(case.body), "content_type": "application/json"}
    answer = getattr(client, case.method.lower())(path, **kwargs)
    if actor in case.allowed:
        assert answer.status_code < 400, (actor, answer.status_code, answer.content[:300])
    else:
        assert answer.status_code in (401, 403, 404), (actor, answer.status_code)
        assert "error" in answer.json()
