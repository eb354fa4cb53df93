"""Management review: the inputs gathered from the records for a period, and the review
recorded once with those inputs frozen and signed."""

import datetime

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from stemhub.audit.context import audit_context
from stemhub.core.errors import Conflict, Forbidden, InvalidInput
from stemhub.equipment.models import Equipment
from stemhub.qms import audits as services
from stemhub.qms.capa import capa_open
from stemhub.qms.models import Authorisation, ManagementReview
from stemhub.qms.review import input_tables, management_review_inputs, management_review_record
from stemhub.quality.models import Nonconformity
from stemhub.quality.selectors import record_hash
from tests.conftest import PASSWORD
from tests.qms.audit_setups import in_progress
from tests.quality.setups import qc_bank

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START, END = TODAY.replace(month=1, day=1), TODAY


def _inputs(users, **kwargs):
    return management_review_inputs(users["qa_manager"].institution, START, END, **kwargs)


def _row(inputs, source, code):
    return next(r for r in inputs["sources"][source] if r["row"] == code)


def test_audits_and_findings_are_counted_by_kind_and_grade(users):
    audit = in_progress(users)
    services.audit_finding_record(
        actor=users["qa_manager"], audit=audit, grade="major", clause_id="6.5", description="x"
    )
    inputs = _inputs(users)
    assert _row(inputs, "findings", "major") == {
        "row": "major", "findings": 1, "with_capa": 1, "capa_closed": 0,
    }  # fmt: skip
    assert _row(inputs, "findings", "observation")["findings"] == 1
    assert _row(inputs, "audits", "internal")["unclosed"] == 1


def test_capas_are_counted_by_source_with_those_overdue(users):
    qa = users["qa_manager"]
    for n, due in enumerate(
        (TODAY + datetime.timedelta(days=1), TODAY + datetime.timedelta(days=9))
    ):
        capa_open(
            actor=qa, institution_id=qa.institution_id, source="complaint", source_id=n + 1,
            title="Late reply", description="x", due_on=due,
        )  # fmt: skip
    # Two days on, the first is overdue.
    later = TODAY + datetime.timedelta(days=2)
    assert _row(_inputs(users, today=later), "capa", "complaint") == {
        "row": "complaint", "raised": 2, "open": 2, "overdue": 1, "closed": 0,
    }  # fmt: skip


def test_nonconformities_are_counted_per_month_of_the_period(users):
    bank = qc_bank(users)
    tech = users["bank_technician"]
    with audit_context(actor=tech, reason="test setup"):
        Nonconformity.objects.create(bank=bank, description="Mycoplasma", opened_by=tech)
    rows = _inputs(users)["sources"]["nonconformities"]
    assert rows[0]["row"] == f"{START:%Y-%m}" and len(rows) == TODAY.month
    assert rows[-1] == {"row": f"{TODAY:%Y-%m}", "opened": 1, "closed": 0}


def test_equipment_quarantined_and_calibration_overdue_are_counted(users):
    tech = users["bank_technician"]
    with audit_context(actor=tech, reason="test setup"):
        Equipment.objects.create(
            institution=tech.institution, kind="centrifuge", name="C-3",
            next_calibration_due=TODAY - datetime.timedelta(days=3),
        )  # fmt: skip
        Equipment.objects.create(
            institution=tech.institution, kind="freezer_80", name="F1", status="quarantined"
        )
    inputs = _inputs(users)
    assert _row(inputs, "equipment", "quarantined")["units"] == 1
    assert _row(inputs, "equipment", "calibration_overdue")["units"] == 1


def test_authorisations_in_force_expiring_and_expired_are_counted(users):
    qa, tech = users["qa_manager"], users["bank_technician"]
    day = datetime.timedelta(days=1)
    with audit_context(actor=qa, reason="test setup"):
        for task, start, end in (
            ("vial_thaw", TODAY - 300 * day, TODAY + 20 * day),  # in force, expiring
            ("release", TODAY - 300 * day, TODAY + 200 * day),  # in force
            ("qc_result", START - 400 * day, START),  # expired in the period
        ):
            Authorisation.objects.create(
                user=tech, task=task, granted_by=qa, valid_from=start, expires_on=end
            )
    inputs = _inputs(users)
    assert _row(inputs, "training", "in_force")["authorisations"] == 2
    assert _row(inputs, "training", "expiring")["authorisations"] == 1
    assert _row(inputs, "training", "expired_in_period")["authorisations"] == 1


def test_other_institutions_records_are_not_counted(users):
    other = users["other_qa"]
    capa_open(actor=other, institution_id=other.institution_id, source="other",
              title="x", description="x")  # fmt: skip
    assert _inputs(users)["sources"]["capa"] == []


def test_a_period_that_ends_before_it_starts_is_refused(users):
    with pytest.raises(InvalidInput):
        management_review_inputs(users["qa_manager"].institution, END, START)


def test_the_inputs_show_as_tables_with_headings_and_words_for_codes(users):
    in_progress(users)
    tables = {t.key: t for t in input_tables(_inputs(users))}
    assert tables["findings"].rows[0][0] == "Major nonconformity"
    assert "(findings)" in tables["findings"].headings[0]
    # A source the code no longer knows still shows, by its codes.
    old = {"sources": {"retired": [{"row": "a", "count": 3}]}}
    assert input_tables(old)[0].rows == [("a", [3])]


def _record(users, **values):
    qa = users["qa_manager"]
    data = {
        "actor": qa, "institution": qa.institution, "period_start": START, "period_end": END,
        "held_on": TODAY, "attendees": "Director\nQA manager", "decisions": "Renew the tanks.",
        "password": PASSWORD,
    } | values  # fmt: skip
    return management_review_record(**data)


def test_recording_freezes_the_inputs_and_signs_them(users):
    in_progress(users)
    review = _record(users)
    services.audit_finding_record(
        actor=users["qa_manager"], audit=review.institution.audits.get(), grade="minor",
        clause_id="6.5", description="Recorded after the review",
    )  # fmt: skip
    review.refresh_from_db()
    minor = next(r for r in review.inputs["sources"]["findings"] if r["row"] == "minor")
    assert minor["findings"] == 0
    signature = review.signature
    assert signature.meaning == "management review approved"
    assert '"decisions":"Renew the tanks."' in signature.record
    assert signature.record_hash == record_hash(
        {
            "institution": review.institution.provider_code,
            "period_start": f"{START:%Y-%m-%d}",
            "period_end": f"{END:%Y-%m-%d}",
            "held_on": f"{TODAY:%Y-%m-%d}",
            "attendees": "Director\nQA manager",
            "inputs": review.inputs,
            "decisions": "Renew the tanks.",
            "actions": "",
        }
    )


def test_a_recorded_review_cannot_be_changed(users):
    review = _record(users)
    with pytest.raises(DatabaseError), transaction.atomic():
        ManagementReview.objects.filter(pk=review.pk).update(decisions="Something else")


def test_one_review_per_period(users):
    _record(users)
    with pytest.raises(Conflict):
        _record(users)


def test_a_review_needs_qms_manage_the_password_and_a_day_it_was_held(users):
    with pytest.raises(Forbidden):
        _record(users, actor=users["bank_technician"])
    with pytest.raises(Forbidden) as refused:
        _record(users, password="wrong")
    assert "password" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        _record(users, held_on=TODAY + datetime.timedelta(days=1))
    assert "held_on" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        _record(users, decisions="  ")
    assert "decisions" in refused.value.fields
    assert not ManagementReview.objects.exists()
