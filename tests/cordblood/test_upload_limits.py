"""A unit upload over its declared limits (bytes, rows, a cell) is one problem naming the limit,
recorded like any rejected upload, and no unit is written; a sparse XLSX is refused cheaply."""

import csv
import io
import json

import pytest
from openpyxl import Workbook

from stemhub.cordblood import upload_rows
from stemhub.cordblood.models import Unit, UnitUpload
from stemhub.cordblood.upload_rows import COLUMN_NAMES
from stemhub.cordblood.uploads import units_import
from stemhub.core.tabular import TableLimits
from tests.cordblood.conftest import unit_row

pytestmark = pytest.mark.django_db

SMALL = TableLimits(max_bytes=20_000, max_rows=3, max_columns=100, max_cell=200)


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(upload_rows, "LIMITS", SMALL)


def as_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def rejected(people, cord_bank, filename: str, content: bytes) -> str:
    report = units_import(actor=people["tech"], bank=cord_bank, filename=filename, content=content)
    assert not report["applied"] and not Unit.objects.exists()
    assert UnitUpload.objects.get(pk=report["upload"]).problem_count == len(report["errors"])
    return " ".join(e["reason"] for e in report["errors"])


@pytest.mark.parametrize("filename", ["units.csv", "units.json"])
def test_more_rows_than_the_limit_are_refused_by_name(people, cord_bank, small_limits, filename):
    rows = [unit_row(f"U{n}", n) for n in range(1, 5)]
    content = as_csv(rows) if filename.endswith(".csv") else json.dumps(rows).encode()
    assert "3" in rejected(people, cord_bank, filename, content)
    assert "limit" in rejected(people, cord_bank, filename, content)


@pytest.mark.parametrize("filename", ["units.csv", "units.json"])
def test_a_file_over_the_byte_limit_is_refused_before_it_is_read(
    people, cord_bank, small_limits, filename
):
    content = b"[" + b" " * 20_001 + b"]" if filename.endswith(".json") else b"x" * 20_001
    assert "the limit is 20,000 bytes" in rejected(people, cord_bank, filename, content)


def test_a_long_cell_is_named_with_its_line_and_column(people, cord_bank, small_limits):
    content = as_csv([unit_row("U1", 1, ethnicity="x" * 201)])
    reason = rejected(people, cord_bank, "units.csv", content)
    assert "Line 2, column" in reason and "the limit is 200" in reason


def test_a_cell_beyond_the_csv_modules_own_limit_is_a_problem_not_a_500(people, cord_bank):
    content = as_csv([unit_row("U1", 1, ethnicity="x" * 140_000)])
    assert "Line 2" in rejected(people, cord_bank, "units.csv", content)


def test_a_sparse_xlsx_with_one_far_cell_is_refused_at_the_row_limit(
    people, cord_bank, small_limits
):
    book = Workbook()
    book.active.append(list(COLUMN_NAMES))
    book.active.cell(100_000, 1000, "far")
    out = io.BytesIO()
    book.save(out)
    reason = rejected(people, cord_bank, "units.xlsx", out.getvalue())
    assert "more than 3 data rows" in reason


def test_an_xlsx_upload_reads_like_the_csv(people, cord_bank):
    book = Workbook()
    book.active.append(list(COLUMN_NAMES))
    row = unit_row("U1", 1)
    book.active.append([row.get(c) for c in COLUMN_NAMES])
    out = io.BytesIO()
    book.save(out)
    report = units_import(
        actor=people["tech"], bank=cord_bank, filename="u.xlsx", content=out.getvalue()
    )
    assert report["applied"], report["errors"]
    assert Unit.objects.get().local_id == "U1"
