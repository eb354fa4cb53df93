"""One reader for every CSV and XLSX import, with declared limits checked while it streams.

A sheet is read row by row and never held whole: CSV through an incremental UTF-8 decoder,
XLSX with openpyxl's read-only mode after its declared dimensions are dropped (a sheet that
declares one cell at row 100,000, column 1,000 is otherwise padded to that size). Each limit
(bytes, uncompressed bytes of an XLSX, rows, columns, characters in a cell) stops the read as
soon as it is crossed, with an `InvalidInput` that names the limit and where it was crossed.
A cell the platform exported behind a quote mark (`core.exports.safe_cell`) reads back as it was.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from stemhub.core.errors import InvalidInput
from stemhub.core.exports import plain_cell
from stemhub.core.validation import text_problem

Row = tuple[int, list[str]]


@dataclass(frozen=True)
class TableLimits:
    """What one uploaded sheet may hold. The defaults suit the line and inventory imports;
    the cord blood upload declares larger ones."""

    max_bytes: int = 20 * 1024 * 1024
    max_rows: int = 50_000  # data rows, the header not counted
    max_columns: int = 200
    max_cell: int = 10_000  # characters (at most 131,072, the csv module's own limit)
    max_unzipped_bytes: int = 200 * 1024 * 1024  # of an XLSX's parts together

    def describe(self) -> str:
        return gettext(
            "at most %(mb)s MB, %(rows)s rows, %(columns)s columns and %(cell)s characters "
            "in a cell"
        ) % {
            "mb": f"{self.max_bytes // (1024 * 1024):,}",
            "rows": f"{self.max_rows:,}",
            "columns": f"{self.max_columns:,}",
            "cell": f"{self.max_cell:,}",
        }


class TableTooLarge(InvalidInput):
    """A sheet crossed one of its limits; `limit` names which."""

    def __init__(self, message: str, *, limit: str, where: str) -> None:
        super().__init__(message, fields={where: [message]})
        self.limit = limit


def table_rows(content: bytes, *, filename: str, limits: TableLimits) -> Iterator[Row]:
    """(line or sheet row number, cells as text) of every row, the header first, blank rows
    included. `filename` chooses the format (.csv or .xlsx)."""
    if len(content) > limits.max_bytes:
        raise TableTooLarge(
            gettext("The file is %(size)s bytes; the limit is %(limit)s bytes")
            % {"size": f"{len(content):,}", "limit": f"{limits.max_bytes:,}"},
            limit="max_bytes",
            where="file",
        )
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(content, limits)
    elif name.endswith(".csv") or name.endswith(".txt") or name.endswith(".tsv"):
        rows = _csv_rows(content, limits, delimiter="\t" if name.endswith(".tsv") else ",")
    else:
        raise InvalidInput(
            gettext("Upload a .csv or .xlsx file"), fields={"file": [gettext("not .csv or .xlsx")]}
        )
    return _checked(rows, limits)


def _checked(rows: Iterator[Row], limits: TableLimits) -> Iterator[Row]:
    for count, (number, cells) in enumerate(rows):
        if count > limits.max_rows:
            raise TableTooLarge(
                gettext(
                    "Line %(line)s: the file has more than %(limit)s data rows, the limit for "
                    "one upload; split it"
                )
                % {"line": number, "limit": f"{limits.max_rows:,}"},
                limit="max_rows",
                where=f"line {number}",
            )
        while cells and not cells[-1]:
            cells.pop()
        if len(cells) > limits.max_columns:
            raise TableTooLarge(
                gettext("Line %(line)s: %(columns)s columns; the limit is %(limit)s")
                % {"line": number, "columns": f"{len(cells):,}", "limit": limits.max_columns},
                limit="max_columns",
                where=f"line {number}",
            )
        for column, cell in enumerate(cells, start=1):
            cells[column - 1] = plain_cell(cell)
            if problem := text_problem(cell):
                raise InvalidInput(
                    gettext("Line %(line)s, column %(column)s: the cell %(problem)s")
                    % {"line": number, "column": column, "problem": problem},
                    fields={f"line {number}": [problem]},
                )
            if len(cell) > limits.max_cell:
                raise TableTooLarge(
                    gettext(
                        "Line %(line)s, column %(column)s: a cell of %(length)s characters; the "
                        "limit is %(limit)s"
                    )
                    % {
                        "line": number,
                        "column": column,
                        "length": f"{len(cell):,}",
                        "limit": f"{limits.max_cell:,}",
                    },
                    limit="max_cell",
                    where=f"line {number}",
                )
        yield number, cells


def _csv_rows(content: bytes, limits: TableLimits, *, delimiter: str) -> Iterator[Row]:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()

    def lines() -> Iterator[str]:
        buffer = io.BytesIO(content)
        pending = ""
        number = 0  # physical lines yielded so far
        while chunk := buffer.read(64 * 1024):
            try:
                pending += decoder.decode(chunk)
            except UnicodeDecodeError:
                raise InvalidInput(
                    gettext("The file is not UTF-8 text (save it as CSV UTF-8)"),
                    fields={"file": [gettext("not UTF-8")]},
                ) from None
            *complete, pending = pending.split("\n")
            for line in complete:
                number += 1
                yield line + "\n"
            if len(pending) > limits.max_cell * limits.max_columns:
                raise TableTooLarge(
                    gettext(
                        "Line %(line)s: longer than any row within the limits can be "
                        "(%(columns)s columns of at most %(cell)s characters)"
                    )
                    % {
                        "line": number + 1,
                        "columns": limits.max_columns,
                        "cell": f"{limits.max_cell:,}",
                    },
                    limit="max_cell",
                    where=f"line {number + 1}",
                )
        pending += decoder.decode(b"", final=True)
        if pending:
            yield pending

    reader = csv.reader(lines(), delimiter=delimiter)
    try:
        for cells in reader:
            yield reader.line_num, [cell.strip() for cell in cells]
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            # The csv module's own (process-wide) limit, 131,072, is above every cell limit we
            # declare: a cell that long is over ours.
            raise TableTooLarge(
                gettext("Line %(line)s: a cell longer than %(limit)s characters, the limit")
                % {"line": reader.line_num, "limit": f"{limits.max_cell:,}"},
                limit="max_cell",
                where=f"line {reader.line_num}",
            ) from None
        raise InvalidInput(
            gettext("Line %(line)s: not readable as CSV (%(error)s)")
            % {"line": reader.line_num, "error": error},
            fields={f"line {reader.line_num}": [str(error)]},
        ) from None


def _xlsx_rows(content: bytes, limits: TableLimits) -> Iterator[Row]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unzipped = sum(part.file_size for part in archive.infolist())
    except zipfile.BadZipFile:
        raise InvalidInput(
            gettext("Not a readable XLSX file"), fields={"file": [gettext("not an XLSX workbook")]}
        ) from None
    if unzipped > limits.max_unzipped_bytes:
        raise TableTooLarge(
            gettext("The workbook unpacks to %(size)s bytes; the limit is %(limit)s")
            % {"size": f"{unzipped:,}", "limit": f"{limits.max_unzipped_bytes:,}"},
            limit="max_unzipped_bytes",
            where="file",
        )
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a file that is no workbook
        raise InvalidInput(
            gettext("Not a readable XLSX file: %(error)s") % {"error": error},
            fields={"file": [gettext("not an XLSX workbook")]},
        ) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # read the cells stored, not the size the file declares
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if len(values) > limits.max_columns:
                raise TableTooLarge(
                    gettext("Line %(line)s: %(columns)s columns; the limit is %(limit)s")
                    % {"line": number, "columns": f"{len(values):,}", "limit": limits.max_columns},
                    limit="max_columns",
                    where=f"line {number}",
                )
            yield number, [cell_text(value) for value in values]
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    """A spreadsheet value as the text a person typed: dates as ISO dates, whole floats
    without `.0`, booleans as yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    return str(value).strip()
