"""Who may open which page: every URL pattern outside the API and the admin, for every role,
anonymous and another institution's curator. Fails when a page has no case."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from tests.permissions import (
    ACTORS,
    AVAILABILITY,
    CURATORS,
    EDITORS,
    EVERYONE,
    INSIDERS,
    OTHERS,
    SIGNED_IN,
    Page,
    auto_ids_above_fixed,
    curators_token,
    line_in,
)
from tests.test_permission_matrix import app_cases

SKIPPED_PREFIXES = ("admin/", "api/v1/", "static/")


PAGES = [
    Page("home", "/", EVERYONE),
    Page("healthz", "/healthz", EVERYONE),
    Page("readyz", "/readyz", EVERYONE),
    # open to the allowed networks, the test client's loopback among them (who else may read the
    # metrics: tests/core/test_metrics.py)
    Page("metrics", "/metrics", EVERYONE),
    Page("work", "/work/", SIGNED_IN),
    Page("catalogue_csv", "/catalogue.csv", EVERYONE),
    Page("catalogue_json", "/catalogue.json", EVERYONE),
    # queues a rebuild of the catalogue's index as a task (the Tasks page's button)
    Page("catalogue_rebuild", "/staff/catalogue/rebuild/", {"platform_admin"}, method="POST"),
    Page("login", "/accounts/login/", EVERYONE),
    Page("logout", "/accounts/logout/", EVERYONE, method="POST"),
    Page("password_reset", "/accounts/password-reset/", EVERYONE),
    Page("password_reset_done", "/accounts/password-reset/sent/", EVERYONE),
    Page("password_reset_confirm", "/accounts/reset/MQ/bad-token/", EVERYONE),
    Page("password_reset_complete", "/accounts/reset/done/", EVERYONE),
    Page("profile", "/accounts/profile/", SIGNED_IN),
    Page("set_language", "/accounts/language/", EVERYONE, method="POST"),
    Page("tokens", "/accounts/tokens/", SIGNED_IN),
    Page(
        "token_revoke",
        "/accounts/tokens/{token}/revoke/",
        {"curator"},
        method="POST",
        setup=curators_token,
    ),
    Page("registry:line_lookup", "/lines/?q=NSCBi001-A", EVERYONE, setup=line_in("published")),
    Page("registry:public_line", "/lines/NSCBi001-A/", EVERYONE, setup=line_in("published")),
    Page("registry:staff_lines", "/staff/lines/", INSIDERS | OTHERS),
    Page("registry:staff_line_create", "/staff/lines/new/", EDITORS | {"other_curator"}),
    Page("registry:staff_line", "/staff/lines/NSCBi001-A/", INSIDERS, setup=line_in("draft")),
    Page(
        "registry:staff_line_edit",
        "/staff/lines/NSCBi001-A/edit/",
        EDITORS,
        setup=line_in("draft"),
    ),
    Page(
        "registry:staff_line_submit",
        "/staff/lines/NSCBi001-A/submit/",
        EDITORS,
        method="POST",
        setup=line_in("draft"),
    ),
    Page(
        "registry:staff_line_review",
        "/staff/lines/NSCBi001-A/review/",
        CURATORS,
        method="POST",
        setup=line_in("submitted"),
    ),
    Page(
        "registry:staff_line_return",
        "/staff/lines/NSCBi001-A/return/",
        CURATORS,
        method="POST",
        data={"comment": "Add the karyotype"},
        setup=line_in("in_review"),
    ),
    Page(
        "registry:staff_line_publish",
        "/staff/lines/NSCBi001-A/publish/",
        CURATORS,
        method="POST",
        data={"confirm": "yes"},
        setup=line_in("in_review"),
    ),
    Page(
        "registry:staff_line_availability",
        "/staff/lines/NSCBi001-A/availability/",
        AVAILABILITY,
        method="POST",
        data={"availability": "available", "reason": ""},
        setup=line_in("published"),
    ),
]


PAGES += app_cases("PAGE_CASES")


def page_names(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from page_names(entry, route, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_page_has_a_case():
    found = set(page_names())
    assert {"home", "tokens", "registry:public_line", "registry:staff_line_publish"} <= found
    missing = sorted(found - {page.name for page in PAGES})
    assert not missing, f"Add page permission cases for: {missing}"


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a or "anonymous")
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_only_the_allowed_open_a_page(page: Page, actor: str | None, users, client_for):
    auto_ids_above_fixed()
    if page.setup:
        page.setup(users)
    path = page.path
    if "{token}" in path:
        from stemhub.accounts.models import ApiToken

        path = path.format(token=ApiToken.objects.get().pk)
    client = client_for(actor)
    # bytes in the data are sent as a file of that name (a fresh one for every actor)
    data = {
        key: SimpleUploadedFile(f"{key}.csv", value) if isinstance(value, bytes) else value
        for key, value in page.data.items()
    }
    answer = client.post(path, data) if page.method == "POST" else client.get(path)
    to_login = answer.status_code == 302 and answer["location"].startswith("/accounts/login/")
    if actor in page.allowed:
        assert answer.status_code < 400 and not to_login, (actor, answer.status_code)
    else:
        assert to_login or answer.status_code in (403, 404), (actor, answer.status_code)
