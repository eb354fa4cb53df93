"""The audit trail as a page per record, an API, and a CSV export per period, each showing a
reader only their own institution's rows."""

import csv
import io

import pytest

from stemhub.audit.models import AuditEvent
from stemhub.registry import services
from stemhub.registry.models import CellLine
from tests.registry.lines import publishable

pytestmark = pytest.mark.django_db

PERIOD = "from=2000-01-01&to=2100-12-31"


@pytest.fixture
def line(users) -> CellLine:
    line = services.cell_line_create(actor=users["curator"], data=publishable())
    services.cell_line_submit(actor=users["curator"], line=line, comment="Ready for review")
    return line


def _csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_the_record_page_shows_each_change_with_its_reason(client_for, line):
    page = client_for("qa_manager").get(f"/audit/registry.cellline/{line.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ready for review" in html and "Submitted" in html and "curator" in html


def test_another_institution_sees_no_trail_of_the_record(client_for, line):
    assert client_for("other_qa").get(f"/audit/registry.cellline/{line.pk}/").status_code == 404
    answer = client_for("other_qa").get(f"/api/v1/audit/records/registry.cellline/{line.pk}")
    assert answer.status_code == 404


def test_the_api_returns_the_trail_oldest_first(client_for, line):
    answer = client_for("institution_admin").get(
        f"/api/v1/audit/records/registry.CellLine/{line.pk}"
    )
    events = answer.json()
    assert [e["operation"] for e in events] == ["INSERT", "UPDATE"]
    assert events[1]["old_values"]["status"] == "draft"
    assert events[1]["reason"] == "Ready for review"


def test_the_export_streams_the_period_as_csv(client_for, line):
    response = client_for("qa_manager").get(f"/audit/export.csv?{PERIOD}&model=registry.cellline")
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    mine = [r for r in rows if r["row_pk"] == str(line.pk)]
    assert [r["operation"] for r in mine] == ["INSERT", "UPDATE"]
    assert {r["model"] for r in rows} == {"registry.cellline"}
    assert '"submitted"' in mine[1]["new_values"] and mine[1]["reason"] == "Ready for review"
    assert (
        len(rows)
        == AuditEvent.objects.filter(
            model="registry.cellline", institution_id=line.institution_id
        ).count()
    )


def test_the_export_leaves_out_other_institutions_rows(client_for, line):
    rows = _csv(client_for("other_qa").get(f"/audit/export.csv?{PERIOD}"))
    assert not [r for r in rows if r["institution_id"] == str(line.institution_id)]


def test_the_export_outside_the_period_is_empty(client_for, line):
    rows = _csv(client_for("qa_manager").get("/audit/export.csv?from=2000-01-01&to=2000-01-31"))
    assert rows == []


@pytest.mark.parametrize(
    "query",
    ["from=yesterday&to=2026-01-01", "from=2026-02-01&to=2026-01-01",
     f"{PERIOD}&model=registry.nothing"],
)  # fmt: skip
def test_a_bad_period_or_model_is_a_400(client_for, query):
    assert client_for("qa_manager").get(f"/audit/export.csv?{query}").status_code == 400


def test_the_export_without_a_period_holds_every_row_the_reader_may_see(client_for, line):
    rows = _csv(client_for("qa_manager").get("/audit/export.csv"))
    assert len(rows) == AuditEvent.objects.filter(institution_id=line.institution_id).count()
