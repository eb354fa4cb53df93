"""Every cord blood table is in the audit trail: a change to each, through the services,
writes an audit row carrying the bank's or the centre's institution."""

import pytest
from django.utils import timezone

from stemhub.audit.models import AuditEvent
from stemhub.cordblood import services, transplant_services
from stemhub.cordblood.models import Unit, UnitUpload
from stemhub.cordblood.search import SearchRequest
from tests.cordblood.conftest import unit_row, upload
from tests.cordblood.test_search import make_patient

pytestmark = pytest.mark.django_db


def rows(model: str, operation: str | None = None) -> list[AuditEvent]:
    found = AuditEvent.objects.filter(model=model).order_by("id")
    return list(found.filter(operation=operation) if operation else found)


def test_the_way_from_upload_to_outcome_is_in_the_trail(people, cord_bank, centre):
    coordinator = people["coordinator"]
    upload(people["tech"], cord_bank, [unit_row("U1", 1)])
    unit = Unit.objects.get(local_id="U1")
    (created,) = rows("cordblood.unit", "INSERT")
    assert created.row_pk == str(unit.pk) and created.institution_id == cord_bank.pk
    (report,) = rows("cordblood.unitupload", "INSERT")
    assert report.row_pk == str(UnitUpload.objects.get().pk)
    assert report.institution_id == cord_bank.pk

    patient = make_patient(people, diagnosis="aml")
    (registered,) = rows("cordblood.patient", "INSERT")
    assert registered.institution_id == centre.pk
    services.search_run(actor=coordinator, patient=patient, request=SearchRequest())
    assert [e.institution_id for e in rows("cordblood.savedsearch", "INSERT")] == [centre.pk]
    services.centre_settings_update(
        actor=coordinator, centre=centre, values={"reservation_days": 10}
    )
    assert rows("cordblood.centresettings")[-1].institution_id == centre.pk

    reservation = services.unit_reserve(actor=coordinator, unit_id=unit.pk, patient=patient)
    reserved = rows("cordblood.unit", "UPDATE")[-1]
    assert reserved.new_values["status"] == "reserved"
    (held,) = rows("cordblood.reservation", "INSERT")
    assert (held.row_pk, held.institution_id) == (str(reservation.pk), centre.pk)
    services.reservation_request_typing(actor=coordinator, reservation=reservation)
    services.reservation_record_typing(actor=coordinator, reservation=reservation, result="match")
    typed = rows("cordblood.reservation", "UPDATE")[-1]
    assert typed.new_values["confirmatory_typing_result"] == "match"
    services.reservation_ship(actor=people["tech"], reservation=reservation)
    ended = rows("cordblood.reservation", "UPDATE")[-1]
    assert ended.new_values["state"] == "shipped"

    transplant = transplant_services.transplant_record(
        actor=coordinator, patient=patient, unit_ids=[unit.pk], infused_on=timezone.localdate()
    )
    (infused,) = rows("cordblood.transplant", "INSERT")
    assert infused.institution_id == centre.pk
    (graft,) = rows("cordblood.transplant_units", "INSERT")
    assert graft.new_values["unit_id"] == unit.pk and graft.institution_id == centre.pk
    transplant_services.transplant_outcome(
        actor=coordinator,
        transplant=transplant,
        values={"vital_status": "alive", "last_followup_on": timezone.localdate()},
    )
    outcome = rows("cordblood.transplant", "UPDATE")[-1]
    assert outcome.new_values["vital_status"] == "alive"

    # Each row names the person whose work wrote it: the bank's technician for the upload and
    # the shipment, the coordinator for the rest; none reads "system".
    by = {
        (event.model, event.operation, event.row_pk): event.actor_label
        for event in AuditEvent.objects.filter(model__startswith="cordblood.")
    }
    assert by[("cordblood.unitupload", "INSERT", report.row_pk)] == "cord_tech"
    assert by[("cordblood.unit", "INSERT", created.row_pk)] == "cord_tech"
    assert by[("cordblood.patient", "INSERT", registered.row_pk)] == "coordinator"
    assert by[("cordblood.reservation", "INSERT", held.row_pk)] == "coordinator"
    assert ended.actor_label == "cord_tech" and typed.actor_label == "coordinator"
    assert outcome.actor_label == "coordinator" and infused.actor_label == "coordinator"
    assert rows("cordblood.savedsearch", "INSERT")[0].actor_label == "coordinator"
    assert rows("cordblood.centresettings")[-1].actor_label == "coordinator"
