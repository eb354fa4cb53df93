"""The staff page for importing lines from a sheet."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from stemhub.exchange.bulk import template_csv
from stemhub.registry.models import CellLine
from tests.jobs.queue import upload_page


def sheet(*rows: dict[str, str]) -> SimpleUploadedFile:
    header = next(csv.reader(io.StringIO(template_csv().removeprefix("\ufeff"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return SimpleUploadedFile("lines.csv", out.getvalue().encode(), "text/csv")


def test_a_dry_run_checks_and_writes_nothing_then_the_import_registers(client_for):
    page = client_for("curator")
    row = {"name": "NSCBi010-A", "line_type": "hiPSC"}
    checked = page.post("/staff/import/lines/", {"file": sheet(row), "dry_run": "on"})
    assert checked.status_code == 200
    assert b"The 1 row is valid" in checked.content
    assert not CellLine.objects.exists()
    done = upload_page(page, "/staff/import/lines/", {"file": sheet(row)})  # queued, then run
    assert done.status_code == 200
    assert b"Registered 1 line as a draft" in done.content and b"NSCBi010-A" in done.content
    assert CellLine.objects.get().status == "draft"


def test_every_bad_cell_is_listed_with_row_and_column(client_for):
    page = client_for("curator")
    answer = page.post(
        "/staff/import/lines/",
        {
            "file": sheet(
                {"name": "NSCBi010-A", "line_type": "hXSC"}, {"name": "", "line_type": ""}
            ),
            "dry_run": "on",
        },
    )
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "nothing was written" in body
    assert "<code>line_type</code>" in body
    assert not CellLine.objects.exists()


def test_a_missing_file_is_named(client_for):
    answer = client_for("curator").post("/staff/import/lines/", {})
    assert answer.status_code == 400
    assert b"Choose a CSV or XLSX file" in answer.content
