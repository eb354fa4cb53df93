"""Calibration and maintenance dates in order: performed no later than today, valid until (or
next due) after it; refused naming the field on the service, the unit's page and the API."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from stemhub.core.errors import InvalidInput
from stemhub.equipment import services
from stemhub.equipment.models import Calibration, Maintenance
from tests.equipment.setups import tank

pytestmark = pytest.mark.django_db


def refused_on(field: str, make) -> None:
    with pytest.raises(InvalidInput) as refused:
        make()
    assert list(refused.value.fields) == [field]


def test_a_calibration_dated_tomorrow_is_refused(users):
    unit = tank(users)
    tomorrow = timezone.localdate() + timedelta(days=1)
    refused_on(
        "performed_on",
        lambda: services.calibration_record(
            actor=users["bank_technician"], equipment=unit, performed_on=tomorrow,
            performed_by="Acme", result="passed",
        ),
    )  # fmt: skip
    assert not Calibration.objects.exists()


def test_a_calibration_valid_until_before_it_was_performed_is_refused(users):
    unit = tank(users)
    day = timezone.localdate() - timedelta(days=10)
    for valid_until in (day - timedelta(days=1), day):
        refused_on(
            "valid_until",
            lambda v=valid_until: services.calibration_record(
                actor=users["bank_technician"], equipment=unit, performed_on=day,
                performed_by="Acme", result="passed", valid_until=v,
            ),
        )  # fmt: skip
    assert not Calibration.objects.exists()


def test_maintenance_next_due_after_it_and_not_in_the_future(users):
    unit = tank(users)
    today = timezone.localdate()
    refused_on(
        "next_due",
        lambda: services.maintenance_record(
            actor=users["bank_technician"], equipment=unit, performed_on=today,
            performed_by="Acme", description="Seal", next_due=today - timedelta(days=1),
        ),
    )  # fmt: skip
    refused_on(
        "performed_on",
        lambda: services.maintenance_record(
            actor=users["bank_technician"], equipment=unit, performed_on=today + timedelta(2),
            performed_by="Acme", description="Seal",
        ),
    )  # fmt: skip
    assert not Maintenance.objects.exists()


def test_the_unit_page_records_a_calibration_and_names_a_bad_date(users, client_for):
    unit = tank(users)
    client = client_for("bank_technician")
    day = timezone.localdate() - timedelta(days=5)
    bad = {
        "performed_on": day.isoformat(),
        "performed_by": "Acme",
        "result": "passed",
        "valid_until": (day - timedelta(days=1)).isoformat(),
    }
    answer = client.post(f"/equipment/{unit.pk}/calibrations/", bad)
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'id="calibration-error"' in page and "<strong>Valid until</strong>" in page
    assert 'id="cal-valid" name="valid_until"' in page and 'aria-invalid="true"' in page
    answer = client.post(f"/equipment/{unit.pk}/calibrations/", {**bad, "valid_until": ""})
    assert answer.status_code == 302 and answer["location"] == f"/equipment/{unit.pk}/"
    unit.refresh_from_db()
    assert unit.next_calibration_due == day + timedelta(days=365)
    answer = client.post(f"/equipment/{unit.pk}/calibrations/", {**bad, "performed_on": "soon"})
    assert answer.status_code == 400 and "<strong>Performed on</strong>" in answer.content.decode()
    assert Calibration.objects.count() == 1


def test_a_curator_may_not_record_a_calibration(users, client_for):
    unit = tank(users)
    answer = client_for("curator").post(
        f"/equipment/{unit.pk}/calibrations/",
        {"performed_on": "2026-01-10", "performed_by": "Acme", "result": "passed"},
    )
    assert answer.status_code == 403 and not Calibration.objects.exists()


def test_the_api_names_a_calibration_dated_in_the_future(users, client_for):
    unit = tank(users)
    answer = client_for("bank_technician").post(
        f"/api/v1/equipment/{unit.pk}/calibrations",
        data=json.dumps(
            {
                "performed_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
                "performed_by": "Acme",
                "result": "passed",
            }
        ),
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert list(answer.json()["error"]["fields"]) == ["performed_on"]
