"""Proficiency testing: a result is scored z = (x − X) / σpt and graded |z| ≤ 2 satisfactory,
2 < |z| < 3 questionable, |z| ≥ 3 unsatisfactory (ISO 13528's usual reading); the database
keeps the grade consistent with z; an unsatisfactory result opens a CAPA; a questionable one
waits for the QA manager's review; a management review reads the period's results."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from stemhub.core.errors import Conflict, Forbidden, InvalidInput
from stemhub.qms.iqc import (
    proficiency_inputs,
    proficiency_result_enter,
    proficiency_round_register,
    proficiency_round_review,
)
from stemhub.qms.models import Capa, ProficiencyRound
from tests.qms.iqc_setups import a_round, a_scheme

pytestmark = pytest.mark.django_db


def score(users, result, assigned="91", sigma="2"):
    pt_round = a_round(users)
    return proficiency_result_enter(
        actor=users["bank_technician"],
        pt_round=pt_round,
        result=Decimal(result),
        assigned_value=Decimal(assigned),
        sigma_pt=Decimal(sigma),
    )


# X = 91 %, σpt = 2 %: x = 95 gives z = +2 exactly, x = 97 gives +3 exactly.
@pytest.mark.parametrize(
    ("result", "z", "grade"),
    [
        ("91", "0.00", "satisfactory"),
        ("95", "2.00", "satisfactory"),
        ("87", "-2.00", "satisfactory"),
        ("95.02", "2.01", "questionable"),
        ("86.98", "-2.01", "questionable"),
        ("96.98", "2.99", "questionable"),
        ("97", "3.00", "unsatisfactory"),
        ("85", "-3.00", "unsatisfactory"),
        ("101", "5.00", "unsatisfactory"),
    ],
)
def test_the_grade_at_and_around_2_and_3(users, result, z, grade):
    scored = score(users, result)
    assert (scored.round.z, scored.round.grade) == (Decimal(z), grade)


def test_z_is_rounded_half_up_to_two_decimals_before_grading(users):
    # (95.01 - 91) / 2 = 2.005 -> 2.01: questionable
    assert score(users, "95.01").round.grade == "questionable"


def test_the_database_refuses_a_grade_that_does_not_follow_z(users):
    pt_round = a_round(users)
    numbers = {"result": Decimal("95"), "assigned_value": Decimal("91"), "sigma_pt": Decimal("2")}
    for z, grade in (
        ("2.00", "questionable"),
        ("3.00", "questionable"),
        ("2.50", "satisfactory"),
        ("-2.99", "unsatisfactory"),
        ("1.00", ""),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            ProficiencyRound.objects.filter(pk=pt_round.pk).update(
                z=Decimal(z), grade=grade, **numbers
            )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProficiencyRound.objects.filter(pk=pt_round.pk).update(z=Decimal("1"), grade="satisfactory")


def test_an_unsatisfactory_result_opens_a_capa_linked_to_the_round(users):
    scored = score(users, "98")  # z = +3.50
    assert scored.capa is not None
    capa = Capa.objects.get()
    assert (capa.source, capa.source_id) == ("proficiency", scored.round.pk)
    assert "3.50" in capa.description


def test_the_capa_the_platform_opened_reads_in_each_reader_s_language(users, client_for):
    """Stored in English and in Chinese at once, whatever language the scorer used."""
    capa = score(users, "98").capa
    assert capa is not None
    page = f"/qms/capa/{capa.pk}/"
    english = client_for("qa_manager").get(page).content.decode()
    chinese = client_for("qa_manager").get(page, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "Unsatisfactory proficiency result" in english and "能力验证结果不满意" not in english
    assert "能力验证结果不满意" in chinese and "Unsatisfactory proficiency result" not in chinese
    assert "z = 3.50" in chinese


def test_a_questionable_result_opens_no_capa_and_waits_for_review(users):
    scored = score(users, "86")  # z = -2.50
    assert scored.capa is None and not Capa.objects.exists()
    assert scored.round.needs_review
    with pytest.raises(Forbidden):
        proficiency_round_review(actor=users["bank_technician"], pt_round=scored.round, note="x")
    with pytest.raises(InvalidInput):
        proficiency_round_review(actor=users["qa_manager"], pt_round=scored.round, note=" ")
    proficiency_round_review(actor=users["qa_manager"], pt_round=scored.round, note="Pipette")
    scored.round.refresh_from_db()
    assert not scored.round.needs_review
    with pytest.raises(Conflict):
        proficiency_round_review(actor=users["qa_manager"], pt_round=scored.round, note="again")


def test_a_result_waits_for_the_providers_report_and_is_final_once_scored(users):
    pt_round = a_round(users)
    technician = users["bank_technician"]
    first = proficiency_result_enter(actor=technician, pt_round=pt_round, result=Decimal("90"))
    assert first.round.z is None and first.round.grade == ""
    scored = proficiency_result_enter(
        actor=technician,
        pt_round=pt_round,
        result=Decimal("90"),
        assigned_value=Decimal("91"),
        sigma_pt=Decimal("2"),
    )
    assert (scored.round.z, scored.round.grade) == (Decimal("-0.50"), "satisfactory")
    with pytest.raises(Conflict):
        proficiency_result_enter(actor=technician, pt_round=pt_round, result=Decimal("91"))


def test_a_sigma_that_is_not_positive_is_refused(users):
    with pytest.raises(InvalidInput) as caught:
        score(users, "90", sigma="0")
    assert "sigma_pt" in caught.value.fields


def test_registering_a_round_needs_qms_record_and_a_due_date_after_receipt(users):
    scheme = a_scheme(users)
    today = timezone.localdate()
    with pytest.raises(Forbidden):
        proficiency_round_register(
            actor=users["curator"],
            scheme=scheme,
            round_code="1",
            sample_id="S",
            received_on=today,
            due_on=today,
        )
    with pytest.raises(InvalidInput):
        proficiency_round_register(
            actor=users["bank_technician"],
            scheme=scheme,
            round_code="1",
            sample_id="S",
            received_on=today,
            due_on=today - datetime.timedelta(days=1),
        )


def test_the_management_review_reads_the_periods_results_by_grade(users, bank):
    scored = score(users, "98")  # unsatisfactory, received 3 days ago
    today = timezone.localdate()
    inputs = proficiency_inputs(bank, today - datetime.timedelta(days=30), today)
    assert inputs["total"] == 1
    assert inputs["counts"] == {
        "satisfactory": 0,
        "questionable": 0,
        "unsatisfactory": 1,
        "pending": 0,
    }
    [entry] = inputs["unsatisfactory"]
    assert entry["round"] == scored.round and entry["capa"] == scored.capa
    earlier = proficiency_inputs(
        bank, today - datetime.timedelta(days=90), today - datetime.timedelta(days=31)
    )
    assert earlier["total"] == 0
