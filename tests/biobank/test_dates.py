"""A bank's freeze date is checked as a user expects: not in the future, not before its line was
derived, not before its parent bank was frozen; refused naming `freeze_date` (a 400 on the page
and the API, a row error in an import), nothing written."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from stemhub.biobank.imports import inventory_import
from stemhub.biobank.models import CellBank, Vial
from stemhub.core.errors import InvalidInput
from stemhub.registry.models import CellLine
from tests.biobank.storage import bank_of

pytestmark = pytest.mark.django_db
DERIVED = date(2019, 6, 1)


@pytest.fixture
def derived_line(line):
    CellLine.objects.filter(pk=line.pk).update(derivation_date=DERIVED)
    line.refresh_from_db()
    return line


def refused_on_freeze_date(make) -> str:
    with pytest.raises(InvalidInput) as refused:
        make()
    assert list(refused.value.fields) == ["freeze_date"]
    return refused.value.fields["freeze_date"][0]


def test_a_bank_frozen_tomorrow_is_refused(users, tree, derived_line):
    tomorrow = timezone.localdate() + timedelta(days=1)
    why = refused_on_freeze_date(
        lambda: bank_of(
            users["bank_technician"], derived_line, [tree["box1"]], freeze_date=tomorrow
        )
    )
    assert "in the future" in why
    assert not CellBank.objects.exists() and not Vial.objects.exists()


def test_a_bank_frozen_before_its_line_was_derived_is_refused(users, tree, derived_line):
    why = refused_on_freeze_date(
        lambda: bank_of(
            users["bank_technician"], derived_line, [tree["box1"]], freeze_date=date(2019, 5, 31)
        )
    )
    assert f"before {derived_line.name} was derived (2019-06-01)" in why
    bank = bank_of(users["bank_technician"], derived_line, [tree["box1"]], freeze_date=DERIVED)
    assert bank.freeze_date == DERIVED  # the day of the derivation itself is fine


def test_a_working_bank_frozen_before_its_master_is_refused(users, tree, derived_line):
    tech = users["bank_technician"]
    master = bank_of(tech, derived_line, [tree["box1"]], freeze_date=date(2024, 3, 1))
    why = refused_on_freeze_date(
        lambda: bank_of(
            tech, derived_line, [tree["box1"]], tier="wcb", parent=master,
            freeze_date=date(2024, 2, 28),
        )
    )  # fmt: skip
    assert f"before the parent bank {master.code} was frozen" in why
    assert CellBank.objects.count() == 1


def test_the_bank_form_refuses_a_future_freeze_date_naming_it(
    users, tree, derived_line, client_for
):
    answer = client_for("bank_technician").post(
        "/biobank/banks/new/",
        {
            "line": derived_line.name,
            "tier": "mcb",
            "passage_number": "10",
            "freeze_date": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "vial_count": "5",
            "box": tree["box1"].pk,
        },
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'id="bank-error"' in page and "<strong>Freeze date</strong>" in page
    assert 'name="freeze_date"' in page and 'aria-invalid="true"' in page
    assert not CellBank.objects.exists()


def test_the_api_refuses_a_bank_frozen_before_the_derivation(users, tree, derived_line, client_for):
    answer = client_for("bank_technician").post(
        "/api/v1/biobank/banks",
        data=json.dumps(
            {
                "line": derived_line.name,
                "tier": "mcb",
                "passage_number": 10,
                "freeze_date": "2018-01-01",
                "vial_count": 5,
                "boxes": [tree["box1"].pk],
            }
        ),
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert list(answer.json()["error"]["fields"]) == ["freeze_date"]
    assert not CellBank.objects.exists()


def test_an_import_names_a_new_bank_frozen_in_the_future(users, tree, derived_line):
    later = (timezone.localdate() + timedelta(days=30)).isoformat()
    text = (
        "line,bank,barcode,location,tier,passage,freeze_date\n"
        f"{derived_line.name},NEW-MCB,LEGACY-9,Site A/Room 1/Tank 2/Rack 3/Box 1/A1,mcb,9,{later}\n"
    )
    report = inventory_import(actor=users["bank_technician"], text=text, dry_run=False)
    assert not report.ok and not report.applied
    assert "in the future" in report.rows[0].errors["freeze_date"][0]
    assert not CellBank.objects.exists()
