"""A temperature log over its declared limits is refused naming the limit; nothing is stored."""

import pytest

from stemhub.core.errors import InvalidInput
from stemhub.core.tabular import TableLimits
from stemhub.equipment import temperature
from stemhub.equipment.models import TemperatureReading
from stemhub.equipment.services import temperature_log_upload
from tests.equipment.setups import tank

pytestmark = pytest.mark.django_db


def upload(users, unit, content: bytes):
    return temperature_log_upload(
        actor=users["bank_technician"], equipment=unit, content=content, filename="tank.csv"
    )


def refused(users, content: bytes) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        upload(users, tank(users), content)
    assert not TemperatureReading.objects.exists()
    return caught.value


def test_the_reading_limit_is_200000_stated_once():
    assert temperature.LIMITS.max_rows == 200_000


def test_one_reading_over_the_limit_is_refused_by_name(users, monkeypatch):
    monkeypatch.setattr(temperature, "LIMITS", TableLimits(max_rows=2))
    rows = "".join(f"2026-01-01T00:0{n}:00Z,-190\n" for n in range(3))
    error = refused(users, f"timestamp,temperature_c\n{rows}".encode())
    assert "more than 2 data rows" in error.message


def test_a_huge_cell_is_a_400_naming_line_and_column_not_a_500(users):
    error = refused(users, b"timestamp,temperature_c\n2026-01-01T00:00:00Z," + b"9" * 140_000)
    assert error.status == 400 and "Line 2" in error.message


def test_a_long_cell_is_named_with_its_column(users):
    error = refused(users, b"timestamp,temperature_c\n2026-01-01T00:00:00Z," + b"9" * 101)
    assert error.message.startswith("Line 2, column 2: a cell of 101 characters")


def test_a_file_over_the_byte_limit_is_refused(users, monkeypatch):
    monkeypatch.setattr(temperature, "LIMITS", TableLimits(max_bytes=1_000))
    error = refused(users, b"timestamp,temperature_c\n" + b" " * 1_000)
    assert "the limit is 1,000 bytes" in error.message
