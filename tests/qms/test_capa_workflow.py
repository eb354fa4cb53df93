"""CAPA's workflow through its services: open → investigation → actions → effectiveness →
closed, each step refused (409 naming the state) out of order, and a closed CAPA final."""

import pytest

from stemhub.core.errors import Conflict, Forbidden, InvalidInput
from stemhub.qms import capa as services
from stemhub.qms.models import Capa, CapaAction, CapaEvent, CapaStatus
from tests.qms.capa_setups import (
    actions_done,
    closed,
    found_effective,
    in_effectiveness,
    investigated,
    open_capa,
    soon,
    with_action,
)

pytestmark = pytest.mark.django_db


def test_a_capa_walks_every_step_and_each_writes_its_event(users):
    capa = closed(users)
    assert capa.status == CapaStatus.CLOSED
    kinds = list(CapaEvent.objects.filter(capa=capa).values_list("kind", flat=True))
    assert kinds == [
        "opened",
        "investigation",
        "action_added",
        "action_done",
        "effectiveness_started",
        "effective",
        "closed",
    ]
    assert capa.closure_signature.meaning == "CAPA closure approved"


def test_opening_the_same_source_record_twice_returns_the_first_capa(users):
    first = open_capa(users, source="audit_finding", source_id=77, source_label="IA-3 F2")
    again = open_capa(users, source="audit_finding", source_id=77, title="Again")
    assert again.pk == first.pk
    assert Capa.objects.filter(source="audit_finding", source_id=77).count() == 1


def test_an_action_needs_a_root_cause_first(users):
    capa = open_capa(users)
    with pytest.raises(Conflict) as refused:
        services.capa_action_add(
            actor=users["bank_technician"], capa=capa, kind="corrective",
            description="Retrain", owner=users["bank_technician"], due_on=soon(),
        )  # fmt: skip
    assert "root cause" in refused.value.message


def test_the_root_cause_cannot_be_removed_once_actions_exist(users):
    capa = with_action(users)
    with pytest.raises(Conflict) as refused:
        services.capa_investigation_record(
            actor=users["bank_technician"], capa=capa, problem_statement="x", root_cause=""
        )
    assert "root_cause" in refused.value.fields


def test_the_effectiveness_check_waits_for_every_action(users):
    capa = with_action(users)
    with pytest.raises(Conflict) as refused:
        services.capa_effectiveness_plan(
            actor=users["bank_technician"], capa=capa, criteria="c", due_on=soon()
        )
    assert "actions" in refused.value.fields


def test_not_effective_goes_back_to_actions_with_the_new_action(users):
    capa = in_effectiveness(users)
    capa = services.capa_effectiveness_record(
        actor=users["qa_manager"],
        capa=capa,
        result="not_effective",
        note="Two late entries in March",
        new_action={
            "kind": "preventive",
            "description": "Barcode scan at dispatch records the thaw",
            "owner": users["bank_technician"],
            "due_on": soon(14),
        },
    )
    assert capa.status == CapaStatus.ACTIONS
    assert capa.effectiveness_result == ""
    assert capa.actions.filter(done_at__isnull=True, kind="preventive").count() == 1
    event = CapaEvent.objects.filter(capa=capa).last()
    assert event.kind == "not_effective" and "late entries" in event.note


def test_not_effective_without_a_new_action_is_refused(users):
    capa = in_effectiveness(users)
    with pytest.raises(InvalidInput):
        services.capa_effectiveness_record(
            actor=users["qa_manager"], capa=capa, result="not_effective", note="Still late"
        )
    assert Capa.objects.get(pk=capa.pk).status == CapaStatus.EFFECTIVENESS


def test_closing_before_the_effectiveness_verdict_is_refused_naming_the_state(users):
    capa = in_effectiveness(users)
    with pytest.raises(Conflict) as refused:
        services.capa_close(
            actor=users["qa_manager"], capa=capa, password="correct horse battery staple"
        )
    assert "effectiveness" in refused.value.message


def test_closing_from_actions_names_the_state(users):
    capa = with_action(users)
    with pytest.raises(Conflict) as refused:
        services.capa_close(
            actor=users["qa_manager"], capa=capa, password="correct horse battery staple"
        )
    assert "Actions under way" in refused.value.message
    assert refused.value.fields == {"status": ["actions"]}


@pytest.mark.parametrize(
    "step",
    [
        lambda users, capa: services.capa_investigation_record(
            actor=users["qa_manager"], capa=capa, problem_statement="again", root_cause="r"
        ),
        lambda users, capa: services.capa_action_add(
            actor=users["qa_manager"],
            capa=capa,
            kind="corrective",
            description="more",
            owner=users["qa_manager"],
            due_on=soon(),
        ),
        lambda users, capa: services.capa_reassign(
            actor=users["qa_manager"], capa=capa, due_on=soon(), reason="later"
        ),
        lambda users, capa: services.capa_effectiveness_record(
            actor=users["qa_manager"], capa=capa, result="effective", note="again"
        ),
    ],
    ids=["investigate", "add action", "reassign", "verify"],
)
def test_a_closed_capa_cannot_be_changed_or_reopened(users, step):
    capa = closed(users)
    with pytest.raises(Conflict) as refused:
        step(users, capa)
    assert "closed" in refused.value.message
    assert Capa.objects.get(pk=capa.pk).status == CapaStatus.CLOSED


def test_an_action_is_completed_once(users):
    capa = actions_done(users)
    action = capa.actions.get()
    with pytest.raises(Conflict):
        services.capa_action_complete(
            actor=users["bank_technician"], action=action, done_note="again"
        )


def test_the_five_whys_keep_their_order_and_refuse_a_gap(users):
    capa = investigated(users)
    assert capa.five_whys == ["Entered late", "Forgot", "No reminder"]
    with pytest.raises(InvalidInput) as refused:
        services.capa_investigation_record(
            actor=users["bank_technician"], capa=capa, problem_statement="p",
            five_whys=["one", "", "three"],
        )  # fmt: skip
    assert "five_whys" in refused.value.fields


def test_an_unknown_fishbone_category_is_named(users):
    capa = open_capa(users)
    with pytest.raises(InvalidInput) as refused:
        services.capa_investigation_record(
            actor=users["bank_technician"], capa=capa, problem_statement="p",
            fishbone={"weather": ["rain"]},
        )  # fmt: skip
    assert "fishbone.weather" in refused.value.fields


def test_only_the_capa_owner_or_qa_investigates(users):
    capa = open_capa(users, owner=users["qa_manager"])
    services.capa_investigation_record(actor=users["qa_manager"], capa=capa, problem_statement="p")
    with pytest.raises(Forbidden):
        services.capa_investigation_record(
            actor=users["bank_technician"], capa=capa, problem_statement="p"
        )


def test_an_action_owner_who_is_not_the_capa_owner_may_complete_it(users):
    capa = investigated(users)
    action = services.capa_action_add(
        actor=users["bank_technician"], capa=capa, kind="corrective",
        description="Update the catalogue text", owner=users["curator"], due_on=soon(),
    )  # fmt: skip
    done = services.capa_action_complete(actor=users["curator"], action=action, done_note="Done")
    assert done.done_by == users["curator"]
    other = services.capa_action_add(
        actor=users["bank_technician"], capa=capa, kind="preventive",
        description="Review", owner=users["bank_technician"], due_on=soon(),
    )  # fmt: skip
    with pytest.raises(Forbidden):
        services.capa_action_complete(actor=users["curator"], action=other, done_note="Not mine")


def test_an_action_owner_of_another_institution_is_refused(users):
    capa = investigated(users)
    with pytest.raises(InvalidInput) as refused:
        services.capa_action_add(
            actor=users["bank_technician"], capa=capa, kind="corrective",
            description="x", owner=users["other_technician"], due_on=soon(),
        )  # fmt: skip
    assert "owner" in refused.value.fields


def test_a_past_due_date_is_refused(users):
    capa = investigated(users)
    with pytest.raises(InvalidInput) as refused:
        services.capa_action_add(
            actor=users["bank_technician"], capa=capa, kind="corrective",
            description="x", owner=users["bank_technician"], due_on=soon(-1),
        )  # fmt: skip
    assert "due_on" in refused.value.fields


def test_the_database_refuses_actions_without_a_root_cause(users):
    from django.db import IntegrityError, transaction

    capa = open_capa(users)
    with pytest.raises(IntegrityError), transaction.atomic():
        Capa.objects.filter(pk=capa.pk).update(status=CapaStatus.ACTIONS)


def test_the_database_refuses_a_closed_capa_not_found_effective(users):
    from django.db import IntegrityError, transaction

    capa = in_effectiveness(users)
    with pytest.raises(IntegrityError), transaction.atomic():
        Capa.objects.filter(pk=capa.pk).update(status=CapaStatus.CLOSED)


def test_the_database_refuses_an_action_done_without_a_note(users):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    capa = with_action(users)
    with pytest.raises(IntegrityError), transaction.atomic():
        CapaAction.objects.filter(capa=capa).update(
            done_at=timezone.now(), done_by=users["qa_manager"]
        )


def test_capa_events_are_append_only(users):
    from django.db import DatabaseError, transaction

    capa = open_capa(users)
    with pytest.raises(DatabaseError), transaction.atomic():
        CapaEvent.objects.filter(capa=capa).update(note="rewritten")


def test_found_effective_awaits_closure(users):
    capa = found_effective(users)
    with pytest.raises(Conflict):
        services.capa_effectiveness_record(
            actor=users["qa_manager"], capa=capa, result="effective", note="again"
        )


def test_a_recall_by_a_curator_opens_a_capa_owned_by_qa(users):
    curator = users["curator"]
    with pytest.raises(Forbidden):
        services.capa_open(
            actor=curator, institution_id=curator.institution_id, source="recall",
            title="Recall", description="d",
        )  # fmt: skip
    capa = services.capa_open_by_platform(
        raised_by=curator,
        institution_id=curator.institution_id,
        source="recall",
        source_id=5,
        source_label="NSCBi001-A recalled",
        title="NSCBi001-A recalled: karyotype abnormal",
        description="Line recalled after a 20q11.21 gain.",
    )
    assert capa.owner == users["qa_manager"] and capa.raised_by == curator
    again = services.capa_open_by_platform(
        raised_by=curator, institution_id=curator.institution_id, source="recall",
        source_id=5, title="again", description="again",
    )  # fmt: skip
    assert again.pk == capa.pk
    assert CapaEvent.objects.get(capa=capa).kind == "opened"


def test_the_platform_opens_no_capa_for_someone_of_another_institution(users):
    with pytest.raises(Forbidden):
        services.capa_open_by_platform(
            raised_by=users["other_curator"], institution_id=users["curator"].institution_id,
            source="recall", title="Recall", description="d",
        )  # fmt: skip
    assert not Capa.objects.exists()
