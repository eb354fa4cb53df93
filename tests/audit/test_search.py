"""The audit trail searched from a page: by record type, record id or text, user, period and
operation, newest first, paginated, each row linked to its trail and its record's page; the CSV
export carries the same filter; staff pages link to their record's trail."""

import csv
import io

import pytest

from stemhub.accounts.models import Role, RoleGrant
from stemhub.audit.context import audit_context
from stemhub.audit.models import AuditEvent
from stemhub.registry import services
from stemhub.registry.models import CellLine
from tests.registry.lines import publishable

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(users) -> CellLine:
    curator = users["curator"]
    line = services.cell_line_create(actor=curator, data=publishable())
    services.cell_line_update(
        actor=curator, line=line, data={"description": "Reprogrammed with Sendai virus"}
    )
    services.cell_line_submit(actor=curator, line=line, comment="Ready for review")
    return line


def rows(client, query: str = "") -> list[str]:
    """The rows of the results table, as text."""
    page = client.get(f"/audit/?{query}")
    assert page.status_code == 200, page.content[:500]
    html = page.content.decode()
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return body.split("</tr>")[:-1]


def test_the_search_shows_the_newest_change_first_with_old_and_new_values(client_for, line):
    found = rows(client_for("qa_manager"), "model=registry.cellline")
    newest, edited = found[0], found[1]
    assert "Changed" in newest and "Ready for review" in newest and "Submitted" in newest
    assert "Sendai virus" in edited
    assert f"/audit/registry.cellline/{line.pk}/" in newest
    assert "/staff/lines/NSCBi001-A/" in newest  # the record's own page
    assert "Created" in found[-1]


def test_filters_by_record_id_text_user_operation_and_period(client_for, line, users):
    client = client_for("institution_admin")
    by_id = rows(client, f"model=registry.cellline&record={line.pk}")
    assert (
        len(by_id)
        == AuditEvent.objects.filter(model="registry.cellline", row_pk=str(line.pk)).count()
    )
    by_text = rows(client, "record=AD-iPS-1")
    assert by_text and all("AD-iPS-1" in row for row in by_text)
    assert rows(client, "record=ready for review")  # the reason
    assert rows(client, "user=curator&operation=UPDATE&model=registry.cellline")
    assert rows(client, "user=Curator Tester&operation=UPDATE")  # a name finds the username
    assert not rows(client, "user=qa_manager")
    assert not rows(client, "from=2000-01-01&to=2000-12-31")
    assert len(rows(client, "operation=DELETE&model=registry.cellline")) == 0


def test_another_institution_finds_none_of_the_banks_rows(client_for, line):
    assert not rows(client_for("other_qa"), "record=NSCBi001-A")


@pytest.mark.parametrize(
    "query, field",
    [("from=yesterday", "from"), ("from=2026-02-01&to=2026-01-01", "to"),
     ("model=registry.nothing", "model"), ("operation=EXPLODE", "operation")],
)  # fmt: skip
def test_a_bad_filter_is_a_400_naming_the_field(client_for, query, field):
    page = client_for("qa_manager").get(f"/audit/?{query}")
    assert page.status_code == 400
    assert page.context["error"].fields.keys() == {field}


def test_results_are_paginated(client_for, users, line):
    with audit_context(actor=users["curator"], reason="many edits"):
        for n in range(60):
            CellLine.objects.filter(pk=line.pk).update(description=f"edit {n}")
    client = client_for("qa_manager")
    first = rows(client, "record=many edits")
    assert len(first) == 50 and "edit 59" in first[0]
    second = rows(client, "record=many edits&page=2")
    assert len(second) == 10 and "edit 0" in second[-1]


def test_the_export_carries_the_same_filter(client_for, line):
    answer = client_for("qa_manager").get(
        f"/audit/export.csv?model=registry.cellline&record={line.pk}&operation=UPDATE"
    )
    table = list(
        csv.DictReader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig")))
    )
    assert table and {r["operation"] for r in table} == {"UPDATE"}
    assert {r["row_pk"] for r in table} == {str(line.pk)}
    assert [int(r["id"]) for r in table] == sorted(int(r["id"]) for r in table)


def test_a_records_trail_includes_the_rows_that_belong_to_it(client_for, line):
    page = client_for("qa_manager").get(f"/audit/registry.cellline/{line.pk}/")
    html = page.content.decode()
    assert "History of NSCBi001-A" in html
    assert "Synonym #" in html and "AD-iPS-1" in html
    assert "Marker result #" in html and "OCT4" in html
    assert 'href="/staff/lines/NSCBi001-A/"' in html


def test_a_members_trail_shows_their_role_grants(client_for, users):
    technician = users["bank_technician"]
    with audit_context(actor=users["institution_admin"], reason="Covers QA this month"):
        RoleGrant.objects.create(user=technician, role=Role.QA_MANAGER)
    page = client_for("institution_admin").get(f"/audit/accounts.user/{technician.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Covers QA this month" in html and "QA manager" in html
    assert "/accounts/institutions/NSCB/members/bank_technician/" in html


def test_staff_pages_link_to_the_trail_for_auditors_only(client_for, line):
    link = f'href="/audit/registry.cellline/{line.pk}/"'
    assert link in client_for("qa_manager").get("/staff/lines/NSCBi001-A/").content.decode()
    assert link not in client_for("curator").get("/staff/lines/NSCBi001-A/").content.decode()
