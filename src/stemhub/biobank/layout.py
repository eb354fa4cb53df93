"""Position labels and fill orders of a container layout: pure functions, no database.

Rows and columns are numbered from 1. A label joins the row label and the column label
(`A1`, `I9`, `3-12`, `II-4`); letters run A…Z, AA, AB… as spreadsheets do.
"""

from collections.abc import Iterator
from typing import Literal

Scheme = Literal["numbers", "letters", "roman"]
FillOrder = Literal["row_major", "column_major"]

ROMAN = [
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
]


def to_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def from_letters(text: str) -> int:
    n = 0
    for char in text:
        n = n * 26 + (ord(char) - ord("A") + 1)
    return n


def to_roman(n: int) -> str:
    out = ""
    for value, numeral in ROMAN:
        while n >= value:
            out += numeral
            n -= value
    return out


def from_roman(text: str) -> int:
    values = {numeral: value for value, numeral in ROMAN if len(numeral) == 1}
    total = 0
    for index, char in enumerate(text):
        value = values[char]
        following = values[text[index + 1]] if index + 1 < len(text) else 0
        total += -value if value < following else value
    if to_roman(total) != text:
        raise ValueError(text)
    return total


def label_part(n: int, scheme: str) -> str:
    if scheme == "letters":
        return to_letters(n)
    if scheme == "roman":
        return to_roman(n)
    return str(n)


def parse_part(text: str, scheme: str) -> int:
    if scheme == "letters" and text.isalpha():
        return from_letters(text.upper())
    if scheme == "roman" and text.isalpha():
        return from_roman(text.upper())
    if scheme == "numbers" and text.isdigit():
        return int(text)
    raise ValueError(text)


def position_label(row: int, column: int, row_scheme: str, column_scheme: str) -> str:
    """`A1` when the row is lettered and the column numbered; `1-3`, `II-4` otherwise."""
    first, second = label_part(row, row_scheme), label_part(column, column_scheme)
    joined = row_scheme == "letters" and column_scheme != "letters"
    return f"{first}{second}" if joined else f"{first}-{second}"


def parse_position(
    label: str, *, rows: int, columns: int, row_scheme: str, column_scheme: str
) -> tuple[int, int]:
    """(row, column) of a label in this layout; ValueError when it names no position."""
    text = label.strip().upper()
    if "-" in text:
        first, _, second = text.partition("-")
    else:
        split = len(text) - len(text.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        first, second = text[:split], text[split:]
    if not first or not second:
        raise ValueError(label)
    row, column = parse_part(first, row_scheme), parse_part(second, column_scheme)
    if not (1 <= row <= rows and 1 <= column <= columns):
        raise ValueError(label)
    return row, column


def positions_in_order(rows: int, columns: int, order: str) -> Iterator[tuple[int, int]]:
    """Every (row, column) of a grid in its fill order."""
    if order == "column_major":
        for column in range(1, columns + 1):
            for row in range(1, rows + 1):
                yield row, column
    else:
        for row in range(1, rows + 1):
            for column in range(1, columns + 1):
                yield row, column
