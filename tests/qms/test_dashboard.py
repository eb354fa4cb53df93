"""The QA dashboard: every mapped clause of ISO 20387 with its live state, evidence links only to
pages the reader may open, and one institution's records only."""

import datetime

from django.utils import timezone

from stemhub.qms.capa import capa_open
from stemhub.qms.dashboard import CLAUSE_MAP, clause_rows
from stemhub.qms.models import CapaSource
from tests.equipment.setups import tank


def state_of(rows, clause):
    return next(row for row in rows if row.clause == clause).state


def test_every_mapped_clause_is_shown_with_its_state(users, client_for):
    answer = client_for("qa_manager").get("/qms/")
    assert answer.status_code == 200
    page = answer.content.decode()
    for entry in CLAUSE_MAP:
        assert f'id="clause-{entry.clause}"' in page


def test_a_quarantined_unit_puts_equipment_in_red(users):
    qa = users["qa_manager"]
    assert state_of(clause_rows(qa, qa.institution_id), "6.5").tone == "good"
    tank(users, status="quarantined")
    state = state_of(clause_rows(qa, qa.institution_id), "6.5")
    assert state.tone == "bad"
    assert "quarantined: 1;" in state.summary


def test_an_overdue_capa_puts_corrective_action_in_red_at_its_institution_only(users):
    qa, other_qa = users["qa_manager"], users["other_qa"]
    capa_open(
        actor=qa,
        institution_id=qa.institution_id,
        source=CapaSource.DEVIATION,
        title="Tank lid left open",
        description="The lid of tank 1 was found open at 08:00.",
        due_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    assert state_of(clause_rows(qa, qa.institution_id), "8.7").tone == "warn"
    later = timezone.localdate() + datetime.timedelta(days=2)
    mine = state_of(clause_rows(qa, qa.institution_id, today=later), "8.7")
    assert mine.tone == "bad"
    assert mine.summary.startswith("CAPAs open: 1, overdue: 1;")
    theirs = state_of(clause_rows(other_qa, other_qa.institution_id, today=later), "8.7")
    assert theirs.tone == "good"


def test_evidence_links_only_to_pages_the_reader_may_open(users):
    controller = users["document_controller"]
    rows = clause_rows(controller, controller.institution_id)
    assert not next(row.links for row in rows if row.clause == "6.5")
    qa = users["qa_manager"]
    assert next(row.links for row in clause_rows(qa, qa.institution_id) if row.clause == "6.5")
