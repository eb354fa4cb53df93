"""Temperature logs: every row validated (line and field named, nothing stored on error),
excursions found at the limits, and the vials stored in the unit meanwhile flagged."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from stemhub.biobank import services as biobank
from stemhub.biobank.models import ContainerEvent, CustodyEvent, Vial
from stemhub.core.errors import InvalidInput
from stemhub.equipment.models import Excursion, TemperatureReading
from stemhub.equipment.services import temperature_log_upload
from stemhub.equipment.temperature import Reading, find_excursions
from tests.biobank.storage import bank_of, container_types, published_line
from tests.equipment.setups import tank
from tests.history import history_rewritable

pytestmark = pytest.mark.django_db


def stored_a_day_ago() -> None:
    """Date the storage's and the vials' creation a day back, so that a log of the last hours
    (readings are never in the future) finds them in the unit."""
    with history_rewritable():
        for events in (CustodyEvent.objects.all(), ContainerEvent.objects.all()):
            events.update(at=F("at") - timedelta(days=1))


def upload(users, unit, text: str, **kw):
    return temperature_log_upload(
        actor=users["bank_technician"], equipment=unit, content=text.encode(),
        filename="tank.csv", **kw,
    )  # fmt: skip


def test_every_bad_row_is_named_by_line_and_field_and_nothing_is_stored(users):
    unit = tank(users)
    text = (
        "timestamp,temperature_c\n"
        "2026-01-01T00:00:00Z,-190\n"
        "yesterday,-190\n"
        "2026-01-01T00:20:00Z,cold\n"
        "2026-01-01T00:00:00Z,-191\n"
        "2026-01-01T00:40:00Z\n"
    )
    with pytest.raises(InvalidInput) as error:
        upload(users, unit, text)
    assert set(error.value.fields) == {
        "line 3.timestamp",
        "line 4.temperature_c",
        "line 5.timestamp",
        "line 6",
    }
    assert "repeats the time of line 2" in error.value.fields["line 5.timestamp"][0]
    assert not TemperatureReading.objects.exists()


def test_a_file_without_the_header_is_refused_at_line_1(users):
    with pytest.raises(InvalidInput) as error:
        upload(users, tank(users), "2026-01-01T00:00:00Z,-190\n")
    assert "line 1" in error.value.fields


def test_readings_already_uploaded_are_refused(users):
    unit = tank(users)
    upload(users, unit, "timestamp,temperature_c\n2026-01-01T00:00:00Z,-190\n")
    with pytest.raises(InvalidInput) as error:
        upload(users, unit, "timestamp,temperature_c\n2026-01-01T00:00:00Z,-190\n")
    assert "line 2.timestamp" in error.value.fields


def _readings(*temperatures: str) -> list[Reading]:
    start = timezone.now()
    return [
        Reading(n + 2, start + timedelta(minutes=10 * n), Decimal(t))
        for n, t in enumerate(temperatures)
    ]


def test_a_reading_on_a_limit_is_no_excursion():
    readings = _readings("-196", "-150", "-150.00")
    assert find_excursions(readings, low=Decimal("-196"), high=Decimal("-150")) == []


def test_contiguous_out_of_range_readings_form_one_excursion_each():
    readings = _readings("-149.99", "-140", "-190", "-197", "-149.5")
    runs = find_excursions(readings, low=Decimal("-196"), high=Decimal("-150"))
    assert [(r.start, r.end, r.min_c, r.max_c, r.count) for r in runs] == [
        (readings[0].at, readings[1].at, Decimal("-149.99"), Decimal("-140"), 2),
        (readings[3].at, readings[4].at, Decimal("-197"), Decimal("-149.5"), 2),
    ]


def test_an_excursion_flags_and_quarantines_the_vials_stored_in_the_unit(users):
    technician = users["bank_technician"]
    unit = tank(users)
    kinds = container_types(technician)
    container = biobank.container_create(
        actor=technician, type=kinds["LN2 tank"], name="Tank 1", equipment=unit
    )
    rack = biobank.container_create(
        actor=technician, type=kinds["Rack"], name="R", parent=container
    )
    box = biobank.container_create(
        actor=technician, type=kinds["Box 9×9"], name="B", parent=rack, row=1, column=1
    )
    bank = bank_of(technician, published_line(users), [box], count=3)
    stored_a_day_ago()
    start = timezone.now() - timedelta(hours=1)
    rows = [(start + timedelta(minutes=10 * n), t) for n, t in enumerate([-190, -120, -110, -190])]
    text = "timestamp,temperature_c\n" + "".join(f"{at.isoformat()},{t}\n" for at, t in rows)

    log = upload(users, unit, text)

    (excursion,) = Excursion.objects.filter(log=log)
    assert (excursion.start, excursion.end) == (rows[1][0], rows[2][0])
    flagged = {f.vial.barcode: f for f in excursion.flagged.select_related("vial")}
    assert set(flagged) == set(bank.vials.values_list("barcode", flat=True))
    assert all(f.quarantined and f.status_at_detection == "available" for f in flagged.values())
    assert set(Vial.objects.filter(bank=bank).values_list("status", flat=True)) == {"quarantined"}


def test_without_quarantine_the_vials_are_only_flagged(users):
    technician = users["bank_technician"]
    unit = tank(users)
    kinds = container_types(technician)
    container = biobank.container_create(
        actor=technician, type=kinds["LN2 tank"], name="Tank 1", equipment=unit
    )
    rack = biobank.container_create(
        actor=technician, type=kinds["Rack"], name="R", parent=container
    )
    box = biobank.container_create(
        actor=technician, type=kinds["Box 9×9"], name="B", parent=rack, row=1, column=1
    )
    bank = bank_of(technician, published_line(users), [box], count=2)
    stored_a_day_ago()
    at = timezone.now() - timedelta(hours=1)
    log = upload(users, unit, f"timestamp,temperature_c\n{at.isoformat()},-100\n", quarantine=False)
    (excursion,) = log.excursions.all()
    assert excursion.flagged.count() == 2 and not excursion.flagged.filter(quarantined=True)
    assert set(Vial.objects.filter(bank=bank).values_list("status", flat=True)) == {"available"}


def test_a_reading_in_the_future_is_refused_naming_its_line(users):
    unit = tank(users)
    now = timezone.now()
    text = (
        "timestamp,temperature_c\n"
        f"{(now - timedelta(minutes=10)).isoformat()},-190\n"
        f"{(now + timedelta(hours=2)).isoformat()},-190\n"
    )
    with pytest.raises(InvalidInput) as refused:
        upload(users, unit, text)
    assert list(refused.value.fields) == ["line 3.timestamp"]
    assert "in the future" in refused.value.fields["line 3.timestamp"][0]
    assert not TemperatureReading.objects.exists()


def test_the_upload_form_answers_400_naming_the_future_line(users, client_for):
    unit = tank(users)
    later = (timezone.now() + timedelta(days=1)).isoformat()
    answer = client_for("bank_technician").post(
        f"/equipment/{unit.pk}/temperature-logs/",
        {"content": f"timestamp,temperature_c\n{later},-190\n"},
    )
    assert answer.status_code == 400
    assert "line 2.timestamp" in answer.content.decode()
    assert not TemperatureReading.objects.exists()
