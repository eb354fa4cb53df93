"""The internal QC and proficiency-testing pages: the Levey–Jennings chart drawn on the
server and described for screen readers, violations marked with their own shape and rule,
the forms keeping what was typed, and the home-page queue."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from stemhub.qms.charts import Chart, ChartPoint, levey_jennings_svg
from stemhub.qms.iqc import control_run_record, proficiency_result_enter
from tests.qms.iqc_setups import a_round, materials

pytestmark = pytest.mark.django_db


def test_the_chart_labels_mean_and_sd_lines_and_marks_each_state_with_its_shape():
    when = timezone.now()
    svg = str(
        levey_jennings_svg(
            Chart(
                title="Viability L1",
                mean=Decimal("92"),
                sd=Decimal("2"),
                unit="%",
                points=[
                    ChartPoint(when, Decimal("92.5")),
                    ChartPoint(
                        when + datetime.timedelta(days=1),
                        Decimal("96.5"),
                        True,
                        ("1-2s",),
                        "a control exceeded 2 SD",
                    ),
                    ChartPoint(
                        when + datetime.timedelta(days=2),
                        Decimal("99"),
                        False,
                        ("1-3s",),
                        "a control exceeded 3 SD",
                    ),
                ],
            )
        )
    )
    assert svg.startswith("<svg") and 'role="img"' in svg and "<desc" in svg
    for label in ("mean", "+1 SD", "+2 SD", "+3 SD", "-1 SD", "-2 SD", "-3 SD"):
        assert f">{label}<" in svg
    for value in ("92.0", "94.0", "96.0", "98.0", "90.0", "88.0", "86.0"):
        assert f">{value}<" in svg  # the value of each line, on the left axis
    assert "Value (%)" in svg and "Run date" in svg
    assert len(re.findall(r'<circle class="lj-ok"', svg)) == 2  # the run and the legend
    warning = re.search(r'<path class="lj-warning"[^>]*><title>([^<]*)</title>', svg)
    rejected = re.search(r'<path class="lj-rejected"[^>]*><title>([^<]*)</title>', svg)
    assert warning and "warning: a control exceeded 2 SD" in warning.group(1)
    assert rejected and "rejected: a control exceeded 3 SD" in rejected.group(1)
    assert "3 runs" in svg and "1 rejected, 1 with a warning" in svg


def test_the_chart_escapes_what_people_typed():
    svg = str(levey_jennings_svg(Chart(title="<script>", mean=Decimal(1), sd=Decimal(1), unit="&")))
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_the_material_page_shows_the_chart_and_the_rules_in_words(users, client_for):
    low, _ = materials(users)
    control_run_record(
        actor=users["bank_technician"],
        material=low,
        value=Decimal("99"),
        run_at=timezone.now() - datetime.timedelta(days=2),
    )
    page = client_for("curator").get(f"/qms/iqc/materials/{low.pk}/").content.decode()
    assert 'class="lj-chart" role="img"' in page
    assert "exceeded 3 SD" in page and "Rejected" in page
    assert "Record a control run" not in page  # a curator only reads


def test_the_run_form_keeps_what_was_typed_and_marks_the_field(users, client_for):
    low, _ = materials(users)
    answer = client_for("bank_technician").post(
        f"/qms/iqc/materials/{low.pk}/runs/",
        {"value": "ninety", "run_on": "2026-06-01", "run_time": "09:30"},
    )
    page = answer.content.decode()
    assert answer.status_code == 400
    assert (
        'value="ninety"' in page
        and 'name="value" inputmode="decimal" value="ninety" required aria-invalid="true"' in page
    )


def test_recording_a_rejected_run_from_the_page_says_why(users, client_for):
    low, _ = materials(users)
    client = client_for("bank_technician")
    answer = client.post(
        f"/qms/iqc/materials/{low.pk}/runs/",
        {"value": "99", "run_on": "2026-06-01", "run_time": "09:30"},
        follow=True,
    )
    assert "Run rejected: 1-3s" in answer.content.decode()


def test_the_proficiency_page_shows_grades_and_the_capa_of_an_unsatisfactory_round(
    users, client_for
):
    pt_round = a_round(users)
    scored = proficiency_result_enter(
        actor=users["bank_technician"],
        pt_round=pt_round,
        result=Decimal("98"),
        assigned_value=Decimal("91"),
        sigma_pt=Decimal("2"),
    )
    page = client_for("curator").get("/qms/proficiency/").content.decode()
    assert "Unsatisfactory" in page and "3.50" in page and scored.capa.number in page


def test_the_home_page_lists_rejected_runs_and_results_due(users, client_for):
    low, _ = materials(users)
    control_run_record(
        actor=users["bank_technician"],
        material=low,
        value=Decimal("99"),
        run_at=timezone.now() - datetime.timedelta(days=1),
    )
    a_round(users)
    page = client_for("bank_technician").get("/work/").content.decode()
    assert "Internal QC and proficiency testing" in page
    assert "Viability control L1" in page and "NCCL 2026-1" in page
    assert (
        "Internal QC and proficiency testing"
        not in client_for("curator").get("/work/").content.decode()
    )
