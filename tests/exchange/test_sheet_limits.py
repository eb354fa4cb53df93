"""A line sheet over its declared limits is refused with the limit named, on the page, the API
and the service, and no line is written; a sparse XLSX bomb is refused cheaply."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from stemhub.core.tabular import TableLimits
from stemhub.exchange import bulk
from stemhub.registry.models import CellLine
from tests.exchange.test_bulk_import import csv_bytes, run

pytestmark = pytest.mark.django_db

SMALL = TableLimits(max_bytes=50_000, max_rows=3, max_columns=100, max_cell=300)


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(bulk, "LIMITS", SMALL)


def rows(count: int) -> list[dict[str, str]]:
    return [{"name": f"NSCBi{n:03d}-A", "line_type": "hiPSC"} for n in range(1, count + 1)]


def only_problem(report) -> dict:
    assert not CellLine.objects.exists()
    assert len(report["errors"]) == 1, report["errors"]
    return report["errors"][0]


def test_the_row_limit_is_2000_stated_once():
    assert bulk.LIMITS.max_rows == 2_000
    assert "2,000 rows" in bulk.LIMITS.describe()


def test_a_sheet_at_the_row_limit_imports_and_one_more_row_is_refused(users, bank, small_limits):
    assert run(users, bank, csv_bytes(rows(3)), dry_run=True)["errors"] == []
    problem = only_problem(run(users, bank, csv_bytes(rows(4))))
    assert problem["row"] == 5 and "more than 3 data rows" in problem["reason"]


def test_a_long_cell_is_named_with_line_and_column(users, bank, small_limits):
    content = csv_bytes([{"name": "X", "description": "x" * 301}])
    problem = only_problem(run(users, bank, content))
    assert problem["reason"].startswith("Line 2, column 1: a cell of 301 characters")


def test_a_cell_over_the_csv_modules_limit_is_a_problem_not_a_500(users, bank):
    content = csv_bytes(
        [dict(name="X", description="x" * 140_000)], columns=["name", "description"]
    )
    assert "Line 2" in only_problem(run(users, bank, content))["reason"]


def test_a_file_over_the_byte_limit_is_refused(users, bank, small_limits):
    problem = only_problem(run(users, bank, b"name\n" + b"x" * 50_000))
    assert "the limit is 50,000 bytes" in problem["reason"]


def test_a_sparse_xlsx_bomb_is_refused_at_the_row_limit(users, bank):
    book = Workbook()
    book.active.append(["name", "line_type"])
    book.active.cell(100_000, 1000, "far")
    out = io.BytesIO()
    book.save(out)
    problem = only_problem(run(users, bank, out.getvalue(), filename="bomb.xlsx"))
    assert "more than 2,000 data rows" in problem["reason"]


def test_the_page_names_the_limit_and_answers_400(client_for, small_limits):
    sheet = SimpleUploadedFile("lines.csv", csv_bytes(rows(4)), "text/csv")
    page = client_for("curator").post("/staff/import/lines/", {"file": sheet, "dry_run": "on"})
    assert page.status_code == 400
    assert "more than 3 data rows" in page.content.decode()
    assert not CellLine.objects.exists()


def test_the_page_shows_the_limits(client_for):
    page = client_for("curator").get("/staff/import/lines/")
    assert page.status_code == 200
    assert "2,000 rows" in page.content.decode()


# The release files an operator imports from the command line: declared limits too, checked
# before the oversized part is read, and nothing written when one is crossed.


def test_a_cellosaurus_line_over_its_limit_is_refused_naming_the_line(db, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from stemhub.exchange.cellosaurus import MAX_LINE
    from stemhub.registry.models import CellLine

    path = tmp_path / "cellosaurus.txt"
    path.write_text(
        " Version: 52.0\n"
        "ID   Good line\nAC   CVCL_0001\nCA   Induced pluripotent stem cell\n//\n"
        f"ID   Long line\nAC   CVCL_0002\nCC   {'x' * (MAX_LINE + 5)}\n//\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"cellosaurus.txt, line 8: longer than 10,000"):
        call_command("import", "cellosaurus", str(path), "--skip-invalid")
    assert not CellLine.objects.exists()


def test_a_cellosaurus_entry_that_never_ends_is_refused(db, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from stemhub.exchange.cellosaurus import MAX_ENTRY_LINES

    path = tmp_path / "cellosaurus.txt"
    path.write_text(
        " Version: 52.0\nID   Endless\nAC   CVCL_0003\n" + "CC   more.\n" * MAX_ENTRY_LINES,
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"line 2: an entry longer than 5,000 lines"):
        call_command("import", "cellosaurus", str(path), "--skip-invalid")


def test_hpscreg_files_over_their_limits_are_refused_before_anything_is_written(
    db, tmp_path, monkeypatch
):
    import json
    from importlib import import_module

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from stemhub.registry.models import CellLine

    command = import_module("stemhub.exchange.management.commands.import")

    path = tmp_path / "records.json"
    path.write_text(json.dumps([{"name": f"UKBi{n:03d}-A", "type": "hiPSC"} for n in range(3)]))
    monkeypatch.setattr(command, "MAX_HPSCREG_RECORDS", 2)
    with pytest.raises(CommandError, match=r"more than 2 records \(at records.json\)"):
        call_command("import", "hpscreg", str(path))
    big = tmp_path / "big.json"
    big.write_text(json.dumps([{"name": "UKBi009-A", "comment": "x" * 2**20}]))
    monkeypatch.setattr(command, "MAX_HPSCREG_BYTES", 2**20)
    with pytest.raises(CommandError, match=r"big.json is larger than 1 MB"):
        call_command("import", "hpscreg", str(big))
    assert not CellLine.objects.exists()
