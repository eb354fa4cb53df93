"""Calibration and maintenance: what is due or overdue, and whether a unit may be used."""

from datetime import date

import pytest

from stemhub.core.errors import Forbidden
from stemhub.equipment import services
from stemhub.equipment.models import Equipment
from stemhub.equipment.selectors import equipment_due, equipment_usable
from tests.equipment.setups import tank

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)


def test_due_lists_overdue_and_soon_due_but_not_later_or_out_of_service(users):
    make = lambda name, **v: Equipment.objects.create(  # noqa: E731
        institution=users["bank_technician"].institution, kind="freezer_80", name=name, **v
    )
    make("Overdue", next_calibration_due=date(2026, 6, 14))
    make("Due today", next_maintenance_due=TODAY)
    make("Due in 30 days", next_calibration_due=date(2026, 7, 15))
    make("Due in 31 days", next_calibration_due=date(2026, 7, 16))
    make("No calibration needed", calibration_required=False, next_calibration_due=date(2026, 1, 1))
    make("Retired", status="out_of_service", next_calibration_due=date(2026, 1, 1))
    items = equipment_due(Equipment.objects.all(), today=TODAY)
    assert [(i.equipment.name, i.what, i.overdue) for i in items] == [
        ("Overdue", "calibration", True),
        ("Due today", "maintenance", False),
        ("Due in 30 days", "calibration", False),
    ]


def test_a_passed_calibration_sets_the_due_date_from_the_interval(users):
    unit = tank(users)
    services.calibration_record(
        actor=users["bank_technician"], equipment=unit, performed_on=date(2026, 1, 10),
        performed_by="Acme", result="passed",
    )  # fmt: skip
    unit.refresh_from_db()
    assert unit.next_calibration_due == date(2027, 1, 10)
    assert equipment_usable(unit, at=date(2027, 1, 10)).usable
    late = equipment_usable(unit, at=date(2027, 1, 11))
    assert not late.usable and "expired" in late.reason
    early = equipment_usable(unit, at=date(2026, 1, 9))
    assert not early.usable and "no valid calibration" in early.reason


def test_a_failed_calibration_makes_the_unit_unusable_until_the_next_passes(users):
    unit = tank(users)
    technician = users["bank_technician"]
    record = services.calibration_record
    record(actor=technician, equipment=unit, performed_on=date(2026, 1, 10), performed_by="Acme",
           result="passed")  # fmt: skip
    record(actor=technician, equipment=unit, performed_on=date(2026, 3, 1), performed_by="Acme",
           result="failed")  # fmt: skip
    assert equipment_usable(unit, at=date(2026, 2, 1)).usable
    failed = equipment_usable(unit, at=date(2026, 3, 2))
    assert not failed.usable and "failed" in failed.reason
    record(actor=technician, equipment=unit, performed_on=date(2026, 3, 5), performed_by="Acme",
           result="adjusted", valid_until=date(2026, 9, 5))  # fmt: skip
    assert equipment_usable(unit, at=date(2026, 3, 6)).usable


def test_a_unit_out_of_service_is_unusable(users):
    unit = tank(users, next_calibration_due=date(2099, 1, 1))
    services.equipment_set_status(
        actor=users["qa_manager"], equipment=unit, status="quarantined", reason="alarm fault"
    )
    unit.refresh_from_db()
    verdict = equipment_usable(unit, at=date(2026, 1, 1))
    assert not verdict and "quarantined" in verdict.reason


def test_maintenance_sets_its_next_due_date(users):
    unit = tank(users, maintenance_interval_days=90)
    services.maintenance_record(
        actor=users["bank_technician"], equipment=unit, performed_on=date(2026, 1, 1),
        performed_by="Acme", description="Lid seal replaced",
    )  # fmt: skip
    unit.refresh_from_db()
    assert unit.next_maintenance_due == date(2026, 4, 1)


def test_another_institution_cannot_record_a_calibration(users):
    unit = tank(users)
    with pytest.raises(Forbidden):
        services.calibration_record(
            actor=users["other_technician"], equipment=unit, performed_on=date(2026, 1, 1),
            performed_by="Acme", result="passed",
        )  # fmt: skip
