"""Every exported cell that a spreadsheet would evaluate comes out as text."""

import csv
import io

import pytest

from stemhub.core.exports import BOM, csv_lines, safe_cell


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "-", "=1"],
)
def test_text_a_spreadsheet_would_evaluate_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["-196.5", "+12", "-1e3", "NSRBi001-A", "", "A=B", -196.5, 3])
def test_numbers_and_ordinary_text_are_left_alone(value):
    assert safe_cell(value) == value


def test_a_csv_download_starts_with_a_byte_order_mark_and_quotes_formulas_in_every_row():
    text = "".join(csv_lines(["name", "=cmd"], [["干细胞", "=1+1"], ["ok", "-5"]]))
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert rows == [["name", "'=cmd"], ["干细胞", "'=1+1"], ["ok", "-5"]]
