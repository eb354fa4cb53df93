"""Recording control runs: each is judged by the Westgard rules against the assay's earlier
accepted runs, a rejection says why in words, a systematic or persisting one opens a CAPA,
and the history is append-only (a correction is a new row)."""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from stemhub.core.errors import Conflict, Forbidden, InvalidInput
from stemhub.qms.iqc import control_material_define, control_run_correct, control_run_record
from stemhub.qms.models import Capa, ControlRun
from tests.qms.iqc_setups import materials

pytestmark = pytest.mark.django_db

BASE = timezone.now() - datetime.timedelta(days=30)


def at(day: int) -> datetime.datetime:
    return BASE + datetime.timedelta(days=day)


def record(users, material, value, day, **extra):
    return control_run_record(
        actor=users["bank_technician"],
        material=material,
        value=Decimal(value),
        run_at=at(day),
        **extra,
    )


def test_a_run_within_2sd_is_accepted_and_stored_as_such(users):
    low, _ = materials(users)
    # target 92 ± 2 %: 95.9 is +1.95 SD
    recorded = record(users, low, "95.9", 0)
    assert recorded.accepted and recorded.rules == [] and recorded.capa is None
    run = ControlRun.objects.get()
    assert (run.accepted, run.rules_violated, run.earlier_runs) == (True, [], [])


def test_a_1_3s_rejection_says_why_and_opens_no_capa_the_first_time(users):
    low, _ = materials(users)
    recorded = record(users, low, "98.5", 0)  # +3.25 SD
    assert not recorded.accepted and recorded.rules == ["1-3s"]
    assert "exceeded 3 SD" in recorded.explanation
    assert recorded.capa is None and not Capa.objects.exists()


def test_a_second_rejection_in_a_row_opens_a_capa(users):
    low, _ = materials(users)
    record(users, low, "98.5", 0)  # 1-3s
    second = record(users, low, "85.5", 1)  # -3.25 SD: 1-3s again, after a rejected run
    assert second.capa is not None
    assert (second.capa.source, second.capa.source_id) == ("internal_qc", second.runs[0].pk)


def test_a_2_2s_shift_across_runs_rejects_names_the_earlier_run_and_opens_a_capa(users):
    low, _ = materials(users)
    first = record(users, low, "96.4", 0)  # +2.2 SD: warning
    assert first.accepted and first.rules == ["1-2s"]
    second = record(users, low, "96.8", 1)  # +2.4 SD: 2-2s with the first
    assert second.rules == ["2-2s"] and not second.accepted
    assert second.runs[0].earlier_runs == [first.runs[0].pk]
    assert second.capa is not None and second.capa.source == "internal_qc"


def test_two_levels_in_one_run_are_judged_together(users):
    low, high = materials(users)
    # level 1 +2.5 SD (97), level 2 -2.5 SD (67.5): R-4s within the run
    recorded = record(users, low, "97", 0, other_material=high, other_value=Decimal("67.5"))
    assert recorded.rules == ["R-4s"] and len(recorded.runs) == 2
    assert {r.analytical_run for r in recorded.runs} == {recorded.runs[0].analytical_run}
    assert recorded.capa is None  # random error, first time


def test_the_other_level_must_be_another_level_of_the_same_assay(users):
    low, _ = materials(users)
    with pytest.raises(InvalidInput) as caught:
        record(users, low, "92", 0, other_material=low, other_value=Decimal("92"))
    assert "other_material" in caught.value.fields


def test_rejected_runs_are_left_out_of_later_look_back(users):
    low, _ = materials(users)
    record(users, low, "92.2", 0)  # +0.1
    record(users, low, "98.6", 1)  # +3.3: 1-3s
    after = record(users, low, "96.6", 2)  # +2.3: only a warning, not 2-2s with the rejected
    assert after.rules == ["1-2s"] and after.accepted


def test_a_run_outside_the_material_validity_or_in_the_future_is_refused(users):
    low, _ = materials(users)
    with pytest.raises(InvalidInput) as caught:
        control_run_record(
            actor=users["bank_technician"],
            material=low,
            value=Decimal("92"),
            run_at=timezone.make_aware(datetime.datetime(2025, 12, 31, 12)),
        )
    assert "run_at" in caught.value.fields
    with pytest.raises(InvalidInput):
        record(users, low, "92", 40)


def test_a_non_number_is_refused_naming_the_field(users):
    low, _ = materials(users)
    with pytest.raises(InvalidInput) as caught:
        control_run_record(
            actor=users["bank_technician"], material=low, value="ninety", run_at=at(0)
        )
    assert "value" in caught.value.fields


def test_only_qms_record_in_the_institution_may_record(users):
    low, _ = materials(users)
    for who in ("curator", "other_technician", "document_controller"):
        with pytest.raises(Forbidden):
            control_run_record(actor=users[who], material=low, value=Decimal("92"), run_at=at(0))


def test_control_runs_cannot_be_changed_or_deleted(users):
    low, _ = materials(users)
    run = record(users, low, "92", 0).runs[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        ControlRun.objects.filter(pk=run.pk).update(value=Decimal("93"))
    with pytest.raises(DatabaseError), transaction.atomic():
        ControlRun.objects.filter(pk=run.pk).delete()


def test_a_correction_is_a_new_run_that_replaces_the_old_in_the_judgement(users):
    low, _ = materials(users)
    wrong = record(users, low, "98.6", 0).runs[0]  # typed 98.6 for 92.6: 1-3s
    fixed = control_run_correct(
        actor=users["bank_technician"], run=wrong, value=Decimal("92.6"), reason="typo"
    )
    assert fixed.accepted and fixed.runs[0].corrects_id == wrong.pk
    wrong.refresh_from_db()
    assert (wrong.value, wrong.accepted) == (Decimal("98.6"), False)  # kept as recorded
    with pytest.raises(Conflict):
        control_run_correct(
            actor=users["bank_technician"], run=wrong, value=Decimal("92"), reason="again"
        )
    with pytest.raises(InvalidInput):
        control_run_correct(actor=users["bank_technician"], run=fixed.runs[0], value=1, reason="")


def test_a_material_needs_qms_manage_a_positive_sd_and_a_unique_lot(users, bank):
    values = {
        "institution_id": bank.pk,
        "assay": "endotoxin",
        "name": "Endotoxin control",
        "level": 1,
        "lot": "E-1",
        "target_mean": Decimal("0.5"),
        "target_sd": Decimal("0.05"),
        "valid_from": datetime.date(2026, 1, 1),
    }
    with pytest.raises(Forbidden):
        control_material_define(actor=users["bank_technician"], **values)
    material = control_material_define(actor=users["qa_manager"], **values)
    assert material.unit == "EU/mL"  # the assay's unit by default
    with pytest.raises(InvalidInput):
        control_material_define(actor=users["qa_manager"], **values)
    with pytest.raises(InvalidInput) as caught:
        control_material_define(
            actor=users["qa_manager"], **{**values, "lot": "E-2", "target_sd": Decimal("0")}
        )
    assert "__all__" in caught.value.fields or "target_sd" in caught.value.fields


def test_a_warning_shows_on_the_level_that_raised_it_and_a_rejection_on_every_level(users):
    low, high = materials(users)
    # level 1 at the mean, level 2 +2.2 SD (81.6): a warning raised by level 2 alone
    warned = record(users, low, "92", 0, other_material=high, other_value=Decimal("81.6"))
    by_level = {run.material.level: run.own_rules for run in warned.runs}
    assert by_level == {1: [], 2: ["1-2s"]}
    # level 1 +3.5 SD (99): the run is rejected, and so are both levels' results
    rejected = record(users, low, "99", 1, other_material=high, other_value=Decimal("75"))
    assert [run.own_rules for run in rejected.runs] == [["1-3s"], ["1-3s"]]
