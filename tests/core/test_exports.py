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


@pytest.mark.parametrize("stream", [True, False])
def test_a_csv_download_is_utf8_bytes_excel_reads_and_chinese_comes_back_as_written(stream):
    from stemhub.core.exports import csv_download

    response = csv_download(
        "lines.csv", ["名称", "机构"], [["人胚胎干细胞系 3 号", "国家干细胞资源库"]], stream=stream
    )
    body = b"".join(response.streaming_content) if stream else response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith(b"\xef\xbb\xbf"), "Excel reads a CSV as UTF-8 only after a BOM"
    assert "人胚胎干细胞系 3 号".encode() in body
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [["名称", "机构"], ["人胚胎干细胞系 3 号", "国家干细胞资源库"]]


def test_a_workbook_keeps_chinese_text():
    from openpyxl import load_workbook

    from stemhub.core.exports import xlsx_bytes

    content = xlsx_bytes({"细胞系": (["名称"], [["人胚胎干细胞系 3 号"]])})
    sheet = load_workbook(io.BytesIO(content))["细胞系"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["名称"],
        ["人胚胎干细胞系 3 号"],
    ]
