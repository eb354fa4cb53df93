"""CAPAs and complaints the CAPA tests and permission cases share: the bank's CAPA 9101 at
each step of its workflow, owned by the technician, and complaint 9201."""

import datetime
from typing import Any

from django.utils import timezone

from stemhub.audit.context import audit_context
from stemhub.qms import capa as services
from stemhub.qms.models import Capa, CapaAction, CapaEvent, CapaSource, Complaint
from tests.conftest import PASSWORD

CAPA_ID = 9101
COMPLAINT_ID = 9201


def soon(days: int = 7) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def open_capa(users: dict[str, Any], **values: Any) -> Capa:
    """A CAPA raised by the technician through the service."""
    technician = users["bank_technician"]
    return services.capa_open(
        actor=technician,
        institution_id=technician.institution_id,
        source=values.pop("source", CapaSource.DEVIATION),
        title=values.pop("title", "Thaw recorded after the shipment left"),
        description=values.pop("description", "The thaw of lot 3 was entered a day late."),
        **values,
    )


def fixed_capa(users: dict[str, Any]) -> Capa:
    """CAPA 9101 as `capa_open` leaves it (the row and its "opened" event), at a fixed id for
    the URL of the permission cases."""
    technician = users["bank_technician"]
    with audit_context(actor=technician, reason="test setup"):
        capa = Capa.objects.create(
            pk=CAPA_ID,
            institution_id=technician.institution_id,
            source=CapaSource.DEVIATION,
            title="Thaw recorded after the shipment left",
            description="The thaw of lot 3 was entered a day late.",
            owner=technician,
            raised_by=technician,
            due_on=soon(30),
        )
        CapaEvent.objects.create(capa=capa, kind="opened", actor=technician, status_after="open")
    return capa


def investigated(users: dict[str, Any]) -> Capa:
    capa = fixed_capa(users)
    return services.capa_investigation_record(
        actor=users["bank_technician"],
        capa=capa,
        problem_statement="Thaw entered late",
        root_cause="No reminder on the shipping checklist",
        five_whys=["Entered late", "Forgot", "No reminder"],
        fishbone={"method": ["Checklist lacks the step"]},
    )


def with_action(users: dict[str, Any]) -> Capa:
    capa = investigated(users)
    services.capa_action_add(
        actor=users["bank_technician"],
        capa=capa,
        kind="corrective",
        description="Add the thaw entry to the shipping checklist",
        owner=users["bank_technician"],
        due_on=soon(),
    )
    return Capa.objects.get(pk=capa.pk)


def actions_done(users: dict[str, Any]) -> Capa:
    capa = with_action(users)
    for action in capa.actions.all():
        services.capa_action_complete(
            actor=users["bank_technician"], action=action, done_note="Checklist SOP-017 v4"
        )
    return Capa.objects.get(pk=capa.pk)


def in_effectiveness(users: dict[str, Any]) -> Capa:
    capa = actions_done(users)
    return services.capa_effectiveness_plan(
        actor=users["bank_technician"],
        capa=capa,
        criteria="No late thaw entry in the next 20 shipments",
        due_on=soon(60),
    )


def found_effective(users: dict[str, Any]) -> Capa:
    capa = in_effectiveness(users)
    return services.capa_effectiveness_record(
        actor=users["qa_manager"], capa=capa, result="effective", note="20 of 20 on time"
    )


def closed(users: dict[str, Any]) -> Capa:
    capa = found_effective(users)
    return services.capa_close(actor=users["qa_manager"], capa=capa, password=PASSWORD)


def a_complaint(users: dict[str, Any]) -> Complaint:
    """Complaint 9201, from a hospital by e-mail, as `complaint_record` leaves it."""
    technician = users["bank_technician"]
    with audit_context(actor=technician, reason="test setup"):
        return Complaint.objects.create(
            pk=COMPLAINT_ID,
            institution_id=technician.institution_id,
            complainant_kind="hospital",
            channel="email",
            received_on=timezone.localdate(),
            description="The cord unit arrived with a broken seal.",
            complainant_name="Dr Li",
            recorded_by=technician,
        )


ACTION_ID = 9111


def fixed_action(users: dict[str, Any]) -> Capa:
    """CAPA 9101 investigated, with action 9111 owned by the technician, not done."""
    capa = investigated(users)
    technician = users["bank_technician"]
    with audit_context(actor=technician, reason="test setup"):
        action = CapaAction.objects.create(
            pk=ACTION_ID,
            capa=capa,
            kind="corrective",
            description="Add the thaw entry to the shipping checklist",
            owner=technician,
            due_on=soon(),
            added_by=technician,
        )
        Capa.objects.filter(pk=capa.pk).update(status="actions")
        CapaEvent.objects.create(
            capa=capa, kind="action_added", actor=technician, status_after="actions", action=action
        )
    return Capa.objects.get(pk=capa.pk)


PDF = b"%PDF-1.4\n% checklist\n"


def action_with_evidence(users: dict[str, Any]) -> Capa:
    """Action 9111 recorded done by the technician with a PDF as evidence."""
    capa = fixed_action(users)
    services.capa_action_complete(
        actor=users["bank_technician"],
        action=CapaAction.objects.get(pk=ACTION_ID),
        done_note="Checklist SOP-017 v4 issued",
        evidence_name="checklist.pdf",
        evidence_chunks=[PDF],
    )
    return capa


def worked_to_closure(capa: Capa, qa: Any) -> Capa:
    """Any open CAPA taken by QA through investigation, one action, the effectiveness check
    and the signed closure, with the CAPA services."""
    services.capa_investigation_record(
        actor=qa,
        capa=capa,
        problem_statement=capa.description,
        root_cause="No owner named for the check",
        five_whys=["Missed", "Nobody checked", "No owner named"],
    )
    action = services.capa_action_add(
        actor=qa,
        capa=Capa.objects.get(pk=capa.pk),
        kind="corrective",
        description="Name the owner of the check",
        owner=qa,
        due_on=soon(),
    )
    services.capa_action_complete(actor=qa, action=action, done_note="Owner named in the SOP")
    services.capa_effectiveness_plan(
        actor=qa, capa=Capa.objects.get(pk=capa.pk), criteria="No recurrence", due_on=soon(60)
    )
    services.capa_effectiveness_record(
        actor=qa, capa=Capa.objects.get(pk=capa.pk), result="effective", note="No recurrence"
    )
    return services.capa_close(actor=qa, capa=Capa.objects.get(pk=capa.pk), password=PASSWORD)
