"""Plausible values: control characters in text, lab dates before 1980 or in the future, and
passages over 1,000 are refused with the field (or line and column) named, at the service and
on the pages and imports that reach it."""

from datetime import date
from decimal import Decimal

import pytest

from stemhub.biobank.imports import inventory_import
from stemhub.biobank.models import CellBank
from stemhub.core.errors import InvalidInput
from stemhub.core.tabular import TableLimits, table_rows
from stemhub.core.validation import lab_date_problem, passage_problem, text_problem
from tests.biobank.storage import bank_of, published_line, storage_tree

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize("bad", ["\x00", "\u202a", "\u202e", "\u2066", "\u2069"])
def test_nul_and_bidirectional_overrides_are_refused_in_text(bad):
    assert f"U+{ord(bad):04X} at position 3" in text_problem(f"ab{bad}cd")


def test_ordinary_text_in_any_script_is_accepted():
    assert text_problem("干细胞 NSCBi001-A — Ünïcode, עברית") == ""


@pytest.mark.parametrize(
    ("day", "ok"),
    [(date(1979, 12, 31), False), (date(1980, 1, 1), True), (TODAY, True),
     (date(2026, 6, 2), False), (date(1, 1, 1), False), (date(9999, 12, 31), False)],
)  # fmt: skip
def test_lab_dates_run_from_1980_to_today(day, ok):
    assert (lab_date_problem(day, today=TODAY) == "") is ok


@pytest.mark.parametrize(
    ("passage", "ok"), [(0, True), (1000, True), (1001, False), (2**40, False)]
)
def test_a_passage_is_at_most_1000(passage, ok):
    assert (passage_problem(passage) == "") is ok


def test_an_imported_cell_with_a_control_character_names_line_and_column():
    content = "name,code\nok,A\u202eB\n".encode()
    with pytest.raises(InvalidInput, match=r"Line 2, column 2: the cell contains .*U\+202E"):
        list(table_rows(content, filename="x.csv", limits=TableLimits()))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("freeze_date", date(1, 1, 1)), ("freeze_date", date(9999, 12, 31)),
     ("passage_number", 2**40), ("post_thaw_viability", Decimal("150")),
     ("post_thaw_viability", Decimal("-1")), ("cells_per_vial", -5),
     ("notes", "thawed\x00"), ("cryo_medium", "CS10\u202e")],
)  # fmt: skip
def test_the_bank_service_names_an_implausible_field(users, field, value):
    tree = storage_tree(users["bank_technician"])
    line = published_line(users)
    with pytest.raises(InvalidInput) as caught:
        bank_of(users["bank_technician"], line, [tree["box1"]], **{field: value})
    assert field in caught.value.fields
    assert not CellBank.objects.exists()


@pytest.mark.django_db
def test_the_inventory_import_names_an_implausible_passage_and_date(users):
    storage_tree(users["bank_technician"])
    published_line(users)
    text = (
        "line,bank,barcode,location,tier,passage,freeze_date\n"
        "NSCBi001-A,OLD-MCB,L-1,Site A/Room 1/Tank 2/Rack 3/Box 1/A1,mcb,1099511627776,0001-01-01\n"
    )
    report = inventory_import(actor=users["bank_technician"], text=text)
    assert set(report.rows[0].errors) == {"passage", "freeze_date"}


@pytest.mark.django_db
def test_the_inventory_page_answers_400_naming_the_fields(users, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    storage_tree(users["bank_technician"])
    published_line(users)
    text = (
        "line,bank,barcode,location,tier,passage,freeze_date\n"
        "NSCBi001-A,OLD-MCB,L-1,Site A/Room 1/Tank 2/Rack 3/Box 1/A1,mcb,5000,9999-12-31\n"
    )
    upload = SimpleUploadedFile("inv.csv", text.encode(), "text/csv")
    page = client_for("bank_technician").post("/biobank/import/", {"file": upload})
    assert page.status_code == 400
    html = page.content.decode()
    assert "a passage is 0 to 1,000" in html and "9999-12-31 is in the future" in html


@pytest.mark.django_db
def test_the_bank_form_refuses_a_bidirectional_override_naming_the_field(users, client_for):
    tree = storage_tree(users["bank_technician"])
    line = published_line(users)
    answer = client_for("bank_technician").post(
        "/biobank/banks/new/",
        {
            "line": line.name,
            "tier": "mcb",
            "passage_number": "10",
            "freeze_date": "2025-03-14",
            "vial_count": "5",
            "box": tree["box1"].pk,
            "cryo_medium": "CS10\u202e01",
        },
    )
    assert answer.status_code == 400
    assert "U+202E" in answer.content.decode() and 'name="cryo_medium"' in answer.content.decode()
    assert not CellBank.objects.exists()
