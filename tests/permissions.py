"""The vocabulary of the permission matrices: actors, role groups, cases and setups.

An app adds its own cases in `tests/<app>/permission_cases.py` as `API_CASES` (Case) and
`PAGE_CASES` (Page); tests/test_permission_matrix.py and tests/test_page_permissions.py collect
them, and fail when an endpoint or page has no case.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from stemhub.accounts.models import Role
from stemhub.registry import services
from tests.registry.lines import publishable

# Anonymous, one user per role at the bank (NSCB), and staff of another institution (OSB).
OTHERS = {"other_curator", "other_technician", "other_qa"}
ACTORS = [None, *(role.value for role in Role), *sorted(OTHERS)]
EVERYONE = set(ACTORS)
SIGNED_IN = EVERYONE - {None}
EDITORS = {"curator", "institution_admin", "platform_admin"}
CURATORS = {"curator", "platform_admin"}
AVAILABILITY = {"curator", "qa_manager", "institution_admin", "platform_admin"}
INSIDERS = {"curator", "bank_technician", "qa_manager", "institution_admin", "platform_admin"}


# Setups give the rows their paths name fixed primary keys (9001, 9101 ...) and let the rest take
# the next from the table's sequence. PostgreSQL's sequences do not roll back with a test's
# transaction, so after a few thousand tests a sequence reaches the fixed range and a setup
# collides with itself; each case first moves every sequence past that range.
FIXED_IDS_BELOW = 100_000


def auto_ids_above_fixed() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(c.oid, GREATEST(s.last_value, %s))"
            " FROM pg_class c JOIN pg_sequences s"
            " ON s.schemaname = current_schema() AND s.sequencename = c.relname"
            " WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace",
            [FIXED_IDS_BELOW],
        )


def line_in(state: str) -> Callable[[dict[str, Any]], None]:
    """Setup: the bank's line NSCBi001-A brought to `state` by its curator."""

    def setup(users: dict[str, Any]) -> None:
        curator = users["curator"]
        line = services.cell_line_create(actor=curator, data=publishable())
        steps = ["draft", "submitted", "in_review", "published"]
        for step in steps[1 : steps.index(state) + 1]:
            action = {
                "submitted": services.cell_line_submit,
                "in_review": services.cell_line_start_review,
                "published": services.cell_line_publish,
            }[step]
            action(actor=curator, line=line)

    return setup


def curators_token(users: dict[str, Any]) -> None:
    from stemhub.accounts.services import api_token_create

    api_token_create(user=users["curator"], name="script")


@dataclass
class Case:
    method: str
    template: str
    allowed: set[str | None]
    path: str = ""
    body: dict[str, Any] | None = None
    multipart: bool = False
    setup: Callable[[dict[str, Any]], None] = field(default=lambda users: None)

    def __post_init__(self) -> None:
        self.path = self.path or self.template

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Page:
    name: str
    path: str
    allowed: set[str | None]
    method: str = "GET"
    data: dict[str, Any] = field(default_factory=dict)
    setup: Callable[[dict[str, Any]], None] | None = None
