"""A management review's inputs stand as on the day it was held: what was raised later is not
counted, and what was closed later was still open on that day."""

import datetime

import pytest
from django.utils import timezone

from stemhub.audit.context import audit_context
from stemhub.qms.capa import capa_open
from stemhub.qms.complaints import complaint_record
from stemhub.qms.models import Capa
from stemhub.qms.review import management_review_inputs, management_review_record
from tests.conftest import PASSWORD
from tests.qms.capa_setups import worked_to_closure

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
HELD = TODAY - 5 * DAY
START, END = TODAY - 60 * DAY, TODAY


def _capa(qa, *, raised_days_ago: int) -> Capa:
    capa = capa_open(
        actor=qa, institution_id=qa.institution_id, source="other",
        title="Late reply", description="x", due_on=TODAY + 30 * DAY,
    )  # fmt: skip
    raised = timezone.now() - raised_days_ago * DAY
    with audit_context(actor=qa, reason="test setup"):
        Capa.objects.filter(pk=capa.pk).update(raised_at=raised)
    return Capa.objects.get(pk=capa.pk)


def _capa_row(inputs):
    return next(r for r in inputs["sources"]["capa"] if r["row"] == "other")


def test_a_capa_raised_after_the_review_is_not_in_its_inputs(users):
    qa = users["qa_manager"]
    _capa(qa, raised_days_ago=20)
    _capa(qa, raised_days_ago=0)  # after the review was held, before it was recorded
    review = management_review_record(
        actor=qa, institution=qa.institution, period_start=START, period_end=END,
        held_on=HELD, attendees="QA manager", decisions="Keep going.", password=PASSWORD,
    )  # fmt: skip
    assert review.inputs["period"]["gathered_on"] == f"{HELD:%Y-%m-%d}"
    assert _capa_row(review.inputs) == {
        "row": "other", "raised": 1, "open": 1, "overdue": 0, "closed": 0,
    }  # fmt: skip


def test_a_capa_closed_after_the_day_gathered_was_still_open_on_it(users):
    qa = users["qa_manager"]
    worked_to_closure(_capa(qa, raised_days_ago=20), qa)
    on_the_day = management_review_inputs(qa.institution, START, END, today=HELD)
    assert _capa_row(on_the_day) == {
        "row": "other", "raised": 1, "open": 1, "overdue": 0, "closed": 0,
    }  # fmt: skip
    now = management_review_inputs(qa.institution, START, END, today=TODAY)
    assert _capa_row(now)["open"] == 0 and _capa_row(now)["closed"] == 1


def test_a_complaint_recorded_after_the_day_gathered_is_not_counted(users):
    qa = users["qa_manager"]
    complaint_record(
        actor=qa, institution_id=qa.institution_id, complainant_kind="researcher",
        channel="email", received_on=HELD - 2 * DAY, description="Vial arrived thawed",
    )  # fmt: skip
    before = management_review_inputs(qa.institution, START, END, today=HELD)
    assert all(row["received"] == 0 and row["open"] == 0 for row in before["sources"]["complaints"])
    now = management_review_inputs(qa.institution, START, END, today=TODAY)
    assert sum(row["open"] for row in now["sources"]["complaints"]) == 1
