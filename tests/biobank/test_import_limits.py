"""An inventory file over its declared limits is refused naming the limit; nothing is written."""

import pytest

from stemhub.biobank import imports
from stemhub.biobank.imports import inventory_import
from stemhub.biobank.models import Vial
from stemhub.core.errors import InvalidInput
from stemhub.core.tabular import TableLimits

pytestmark = pytest.mark.django_db

HEADER = "line,bank,barcode,location,tier,passage,freeze_date\n"


def row(n: int) -> str:
    return (
        f"NSCBi001-A,OLD-MCB,LEGACY-{n},Site A/Room 1/Tank 2/Rack 3/Box 1/A{n},mcb,9,2019-05-02\n"
    )


def refused(users, text: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        inventory_import(actor=users["bank_technician"], text=text, dry_run=False)
    assert not Vial.objects.exists()
    return caught.value


def test_the_row_limit_is_50000_stated_once():
    assert imports.LIMITS.max_rows == 50_000


def test_one_row_over_the_limit_is_refused_by_name(users, tree, line, monkeypatch):
    monkeypatch.setattr(imports, "LIMITS", TableLimits(max_rows=2))
    assert inventory_import(actor=users["bank_technician"], text=HEADER + row(1) + row(2)).ok
    assert "more than 2 data rows" in refused(users, HEADER + row(1) + row(2) + row(3)).message


def test_a_huge_cell_is_a_400_naming_line_and_column(users, tree, line):
    error = refused(users, HEADER + "NSCBi001-A," + "x" * 140_000 + "\n")
    assert error.status == 400 and "Line 2" in error.message


def test_a_long_cell_is_named_with_its_column(users, tree, line):
    error = refused(users, HEADER + "NSCBi001-A,OLD-MCB," + "x" * 1_001 + "\n")
    assert error.message.startswith("Line 2, column 3: a cell of 1,001 characters")
