"""The shared sheet reader stops at each declared limit with a message that names it and the
place, instead of a 500 or hundreds of megabytes of padding."""

import io
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from stemhub.core.errors import InvalidInput
from stemhub.core.tabular import TableLimits, TableTooLarge, table_rows

SMALL = TableLimits(max_bytes=10_000, max_rows=3, max_columns=4, max_cell=20)


def rows(content: bytes, filename: str = "f.csv", limits: TableLimits = SMALL) -> list:
    return list(table_rows(content, filename=filename, limits=limits))


def xlsx(cells: dict[tuple[int, int], object]) -> bytes:
    book = Workbook()
    for (row, column), value in cells.items():
        book.active.cell(row, column, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_it_reads_csv_rows_with_their_line_numbers_and_trimmed_cells():
    text = 'name,tier\n a , mcb\n\n"two\nlines",wcb\n'
    assert rows(text.encode()) == [
        (1, ["name", "tier"]),
        (2, ["a", "mcb"]),
        (3, []),
        (5, ["two\nlines", "wcb"]),
    ]


def test_it_strips_a_byte_order_mark_and_refuses_text_that_is_not_utf8():
    assert rows("\ufeffname\nx\n".encode())[0] == (1, ["name"])
    with pytest.raises(InvalidInput, match="not UTF-8"):
        rows("name\nBjörk\n".encode("latin-1"))


@pytest.mark.parametrize("data_rows", [3, 4])
def test_the_row_limit_counts_data_rows_not_the_header(data_rows):
    content = ("h\n" + "x\n" * data_rows).encode()
    if data_rows <= SMALL.max_rows:
        assert len(rows(content)) == data_rows + 1
    else:
        with pytest.raises(TableTooLarge) as caught:
            rows(content)
        assert caught.value.limit == "max_rows"
        assert "Line 5" in caught.value.message and "3 data rows" in caught.value.message


def test_a_cell_longer_than_the_limit_is_named_with_its_line_and_column():
    with pytest.raises(TableTooLarge) as caught:
        rows(b"a,b\nok," + b"x" * 21 + b"\n")
    assert caught.value.limit == "max_cell"
    assert caught.value.message.startswith("Line 2, column 2: a cell of 21 characters")
    assert rows(b"a,b\nok," + b"x" * 20 + b"\n")[1][1][1] == "x" * 20


def test_a_cell_beyond_the_csv_modules_own_limit_is_a_clear_error_not_a_crash():
    limits = TableLimits(max_cell=10_000)
    with pytest.raises(TableTooLarge, match="Line 2: a cell longer than 10,000 characters"):
        rows(b"a\n" + b"x" * 200_000 + b"\n", limits=limits)


def test_the_column_limit_ignores_trailing_empty_cells():
    assert rows(b"a,b,c,d,,,,\n")[0][1] == ["a", "b", "c", "d"]
    with pytest.raises(TableTooLarge, match="Line 1: 5 columns; the limit is 4"):
        rows(b"a,b,c,d,e\n")


def test_the_byte_limit_is_checked_before_reading():
    with pytest.raises(TableTooLarge, match="the limit is 10,000 bytes"):
        rows(b"x" * 10_001)


def test_an_xlsx_sheet_reads_like_a_csv():
    content = xlsx({(1, 1): "name", (1, 2): "passage", (2, 1): "NSRBi001-A", (2, 2): 12.0})
    assert rows(content, "sheet.xlsx") == [(1, ["name", "passage"]), (2, ["NSRBi001-A", "12"])]


def test_an_xlsx_with_one_far_cell_is_refused_at_that_row_without_padding_every_row():
    content = xlsx({(1, 1): "name", (2, 1): "x", (3, 1000): "far"})
    limits = TableLimits(max_columns=200)
    reader = table_rows(content, filename="far.xlsx", limits=limits)
    assert next(reader) == (1, ["name"])  # the declared 1,000 columns pad nothing
    assert next(reader) == (2, ["x"])
    with pytest.raises(TableTooLarge) as caught:
        next(reader)
    assert caught.value.limit == "max_columns" and "Line 3: 1,000 columns" in caught.value.message


def test_an_xlsx_that_unpacks_beyond_its_limit_is_refused_before_it_is_parsed():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b" " * 5_000_000 + b"</sst>")
    limits = TableLimits(max_unzipped_bytes=1_000_000)
    with pytest.raises(TableTooLarge) as caught:
        rows(buffer.getvalue(), "bomb.xlsx", limits)
    assert caught.value.limit == "max_unzipped_bytes"


def test_a_file_that_is_no_workbook_or_of_another_kind_is_refused_by_name():
    with pytest.raises(InvalidInput, match="Not a readable XLSX"):
        rows(b"not a zip", "x.xlsx")
    with pytest.raises(InvalidInput, match=r"Upload a \.csv or \.xlsx file"):
        rows(b"a", "x.pdf")


def test_the_place_and_the_limit_read_in_chinese_when_the_interface_is_chinese():
    with translation.override("zh-hans"), pytest.raises(TableTooLarge) as refused:
        rows(b"name,tier\nok," + b"y" * 21 + b"\n")
    assert refused.value.message == "第 2 行第 2 列：单元格有 21 个字符，上限为 20 个"
