"""Every CSV and XLSX the platform hands out goes through here, so that a cell a spreadsheet
would run as a formula (text starting with =, +, -, @, a tab or a carriage return: OWASP's CSV
injection list) is written as text, and Excel reads the UTF-8 (a byte order mark first)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
BOM = "\ufeff"


def safe_cell(value: Any) -> Any:
    """The value, or for text a spreadsheet would evaluate, the text behind a quote mark.
    Numbers (and text that is only a number, like -196.5) stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        if PLAIN_NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value


def plain_cell(text: str) -> str:
    """`safe_cell` undone: what an import reads back from a sheet the platform exported."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(
    header: Iterable[Any], rows: Iterable[Iterable[Any]], *, bom: bool = True
) -> Iterator[str]:
    """The CSV text, a line at a time, byte order mark first (unless `bom` is False: a
    terminal's output), every cell made safe."""
    writer = csv.writer(_Echo(), lineterminator="\r\n" if bom else "\n")
    yield (BOM if bom else "") + writer.writerow(safe_row(header))
    for row in rows:
        yield writer.writerow(safe_row(row))


def xlsx_bytes(sheets: dict[str, tuple[Iterable[Any], Iterable[Iterable[Any]]]]) -> bytes:
    """A workbook of one sheet per title: (header, rows); the header bold and frozen, every
    cell made safe (numbers stay numbers)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(title)
        sheet.append(safe_row(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append(safe_row(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_download(
    filename: str, header: Iterable[Any], rows: Iterable[Iterable[Any]], *, stream: bool = True
) -> HttpResponse | StreamingHttpResponse:
    """A CSV attachment; streamed (rows fetched as it is sent) unless `stream` is False."""
    lines = csv_lines(header, rows)
    response: HttpResponse | StreamingHttpResponse
    if stream:
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
