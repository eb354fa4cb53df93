"""Demo internal QC and proficiency testing at NSRB, recorded through the services.

A year of control runs: the viability count (two levels measured together on Mondays,
Wednesdays and Fridays) and the mycoplasma PCR low-positive control (Tuesdays). Values are
drawn from a seeded generator around each target, redrawn where chance alone would break a
rule, so that the rejections are the planned ones: a 1-3s on viability level 1 eight months
ago (random error, run repeated, no CAPA), a 2-2s shift of the mycoplasma Ct five months ago
(a degraded master-mix lot; CAPA opened), and a 10-x trend across both viability levels two
months ago (a drifting counter; CAPA opened). Proficiency testing over two years: NCCL's
cell viability EQA and UK NEQAS's CD34+ enumeration, one questionable result (reviewed) and
one unsatisfactory (CAPA opened), a result awaiting the provider's report and a round due.
Dates count from the day the demo is loaded.
"""

import datetime
import random
from decimal import Decimal
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from stemhub.accounts.models import Institution, User
from stemhub.audit.context import audit_context
from stemhub.audit.triggers import history_rewritable
from stemhub.equipment.models import Equipment
from stemhub.qms import iqc, westgard
from stemhub.qms.models import Capa, CapaEvent, CapaEventKind, ControlMaterial, ControlRun

SEED = 20387
DAYS = 365


def _material(qa: User, institution: Institution, **values: Any) -> ControlMaterial:
    return iqc.control_material_define(actor=qa, institution_id=institution.pk, **values)


def _instrument(institution: Institution, name: str) -> int | None:
    """The equipment demo's instrument where it has run already (NSRB's QC laboratory)."""
    found = Equipment.objects.filter(institution=institution, name=name).first()
    return found.pk if found is not None else None


class _Plan:
    """Draws a run's values so that the engine judges it as planned: an unplanned run is
    redrawn until it breaks no rejection rule given the accepted runs before it."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.accepted: list[westgard.Run[int]] = []
        self.count = 0

    def draw(self, materials: list[ControlMaterial], planned: list[float] | None) -> list[Decimal]:
        while True:
            zs = planned or [max(-2.6, min(2.6, self.rng.gauss(0, 0.8))) for _ in materials]
            values = [
                (m.target_mean + m.target_sd * Decimal(f"{z:.3f}")).quantize(Decimal("0.01"))
                for m, z in zip(materials, zs, strict=True)
            ]
            run = westgard.Run(
                self.count,
                tuple(
                    westgard.Control(m.level, v, m.target_mean, m.target_sd)
                    for m, v in zip(materials, values, strict=True)
                ),
            )
            verdict = westgard.evaluate_run(run, self.accepted[-12:])
            if planned is None and not verdict.accepted:
                continue
            self.count += 1
            if verdict.accepted:
                self.accepted.append(run)
            return values


def _runs(
    technician: User,
    qa: User,
    materials: list[ControlMaterial],
    days: list[datetime.datetime],
    planned: dict[int, list[float]],
    comments: dict[int, str],
    rng: random.Random,
) -> list[iqc.Recorded]:
    plan = _Plan(rng)
    recorded = []
    for index, when in enumerate(days):
        values = plan.draw(materials, planned.get(index))
        operator = qa if rng.random() < 0.15 else technician
        comment = comments.get(index, "")
        result = iqc.control_run_record(
            actor=operator,
            material=materials[0],
            value=values[0],
            run_at=when,
            other_material=materials[1] if len(materials) > 1 else None,
            other_value=values[1] if len(materials) > 1 else None,
            comment=comment,
        )
        recorded.append(result)
    return recorded


def _weekdays(
    start: datetime.date, end: datetime.date, weekdays: set[int], hour: int
) -> list[datetime.datetime]:
    tz = timezone.get_current_timezone()
    days: list[datetime.datetime] = []
    day = start
    while day < end:
        if day.weekday() in weekdays:
            days.append(datetime.datetime.combine(day, datetime.time(hour, 30), tzinfo=tz))
        day += datetime.timedelta(days=1)
    return days


def _nearest(days: list[datetime.datetime], ago: int) -> int:
    target = timezone.now() - datetime.timedelta(days=ago)
    return min(range(len(days)), key=lambda i: abs((days[i] - target).total_seconds()))


def load_iqc(institution: Institution, technician: User, qa: User, rng: random.Random) -> int:
    today = timezone.localdate()
    start = today - datetime.timedelta(days=DAYS)
    counter = _instrument(institution, "Flow cytometer FC-1")
    high = _material(
        qa, institution, assay="viability", name="Viability control (活率质控品)", level=1,
        lot="VC-2501H", target_mean=Decimal("92.0"), target_sd=Decimal("1.8"),
        valid_from=start, instrument_id=counter,
    )  # fmt: skip
    low = _material(
        qa, institution, assay="viability", name="Viability control (活率质控品)", level=2,
        lot="VC-2501L", target_mean=Decimal("55.0"), target_sd=Decimal("2.5"),
        valid_from=start, instrument_id=counter,
    )  # fmt: skip
    mycoplasma = _material(
        qa, institution, assay="mycoplasma_pcr",
        name="Mycoplasma PCR low-positive control (支原体弱阳性质控)", level=1,
        lot="MP-10CFU-2503", target_mean=Decimal("33.20"), target_sd=Decimal("0.45"),
        valid_from=start,
    )  # fmt: skip
    viability_days = _weekdays(start, today, {0, 2, 4}, 9)
    one_three = _nearest(viability_days, 240)
    trend_end = _nearest(viability_days, 60)
    planned: dict[int, list[float]] = {one_three: [3.4, 0.4], one_three + 1: [0.3, -0.2]}
    comments = {
        one_three: "Bubble in the counting chamber; slide reloaded and run repeated.",
        one_three + 1: "Repeat of the rejected run 重复检测",
        trend_end: "Both levels low for five runs; counter sent for recalibration.",
        trend_end + 1: "After the counter's recalibration 校准后",
    }
    # Five runs below the mean at both levels, within 1 SD, after one above: the fifth
    # breaks 10-x across the two levels.
    planned[trend_end - 5] = [0.4, 0.3]
    trend = [[-0.4, -0.7], [-0.8, -0.3], [-0.5, -0.9], [-0.6, -0.4], [-0.9, -0.6]]
    for i, pair in enumerate(trend):
        planned[trend_end - 4 + i] = pair
    planned[trend_end + 1] = [0.5, 0.2]
    results = _runs(technician, qa, [high, low], viability_days, planned, comments, rng)

    pcr_days = _weekdays(start, today, {1}, 14)
    shift = _nearest(pcr_days, 150)
    pcr_planned = {shift - 1: [2.3], shift: [2.5], shift + 1: [0.2]}
    pcr_comments = {
        shift - 1: "Ct high; watch the next run.",
        shift: "Master mix lot 2504 degraded (stored at -20 °C after expiry); replaced.",
        shift + 1: "New master mix lot 2507 新批号",
    }
    results += _runs(technician, qa, [mycoplasma], pcr_days, pcr_planned, pcr_comments, rng)

    # The rows were recorded as the runs were done: 20 minutes after each.
    with transaction.atomic(), history_rewritable():
        for run in ControlRun.objects.filter(material__institution=institution):
            ControlRun.objects.filter(pk=run.pk).update(
                recorded_at=run.run_at + datetime.timedelta(minutes=20)
            )
    _backdate_capas([r for r in results if r.capa is not None])
    return sum(len(r.runs) for r in results)


def _backdate_capas(results: list[iqc.Recorded]) -> None:
    """A CAPA opened by a run of months ago was raised then, due 30 days after."""
    for result in results:
        run = result.runs[0]
        assert result.capa is not None
        with audit_context(actor=run.recorded_by, reason="demo: raised when the run was rejected"):
            _raised_on(
                result.capa,
                run.run_at + datetime.timedelta(hours=1),
                timezone.localtime(run.run_at).date() + datetime.timedelta(days=30),
            )


def _raised_on(capa: Capa, at: datetime.datetime, due_on: datetime.date) -> None:
    """A CAPA and its "opened" event dated when the record that opened it was made."""
    with history_rewritable():
        Capa.objects.filter(pk=capa.pk).update(raised_at=at, due_on=due_on)
        CapaEvent.objects.filter(capa=capa, kind=CapaEventKind.OPENED).update(at=at)


# (scheme key, round, sample, days ago received, our result, assigned value, σpt)
ROUNDS: list[tuple[str, str, str, int, str | None, str | None, str | None]] = [
    ("nccl", "2025-1", "202511", 700, "91.8", "92.6", "2.0"),
    ("nccl", "2025-1", "202512", 700, "63.1", "61.9", "2.5"),
    ("neqas", "2501", "S1", 650, "24.5", "23.8", "2.4"),
    ("neqas", "2503", "S1", 560, "41.0", "42.2", "3.1"),
    ("nccl", "2025-2", "202521", 520, "88.3", "93.1", "2.0"),  # z = -2.40: questionable
    ("nccl", "2025-2", "202522", 520, "57.0", "56.2", "2.5"),
    ("neqas", "2505", "S1", 470, "18.2", "18.9", "1.9"),
    ("nccl", "2026-1", "202611", 335, "93.0", "92.2", "2.0"),
    ("nccl", "2026-1", "202612", 335, "60.4", "59.5", "2.5"),
    ("neqas", "2601", "S1", 290, "38.9", "29.5", "2.8"),  # z = +3.36: unsatisfactory
    ("neqas", "2603", "S1", 200, "27.1", "26.4", "2.2"),
    ("nccl", "2026-2", "202621", 120, "90.9", "91.5", "2.0"),
    ("nccl", "2026-2", "202622", 120, "58.8", "58.1", "2.5"),
    ("neqas", "2605", "S1", 75, "33.6", "32.9", "2.6"),
    ("neqas", "2607", "S1", 25, "21.4", None, None),  # returned, report not yet in
    ("nccl", "2026-3", "202631", 12, None, None, None),  # due in nine days
]


def load_proficiency(institution: Institution, technician: User, qa: User) -> int:
    schemes = {
        "nccl": iqc.proficiency_scheme_create(
            actor=qa, institution_id=institution.pk,
            provider="NCCL 国家卫生健康委临床检验中心",
            name="Cell viability EQA 细胞活率室间质评", assay="viability",
        ),
        "neqas": iqc.proficiency_scheme_create(
            actor=qa, institution_id=institution.pk,
            provider="UK NEQAS for Leucocyte Immunophenotyping",
            name="CD34+ stem cell enumeration", assay="cd34_count",
        ),
    }  # fmt: skip
    today = timezone.localdate()
    for key, code, sample, ago, result, assigned, sigma in ROUNDS:
        received = today - datetime.timedelta(days=ago)
        pt_round = iqc.proficiency_round_register(
            actor=technician, scheme=schemes[key], round_code=code, sample_id=sample,
            received_on=received, due_on=received + datetime.timedelta(days=21),
        )  # fmt: skip
        if result is None:
            continue
        scored = iqc.proficiency_result_enter(
            actor=technician, pt_round=pt_round, result=Decimal(result),
            returned_on=received + datetime.timedelta(days=12),
            assigned_value=Decimal(assigned) if assigned else None,
            sigma_pt=Decimal(sigma) if sigma else None,
        )  # fmt: skip
        if scored.capa is not None:
            with audit_context(actor=technician, reason="demo: raised when the report came"):
                _raised_on(
                    scored.capa,
                    timezone.now() - datetime.timedelta(days=ago - 35),
                    received + datetime.timedelta(days=65),
                )
        if scored.round.needs_review:
            iqc.proficiency_round_review(
                actor=qa, pt_round=scored.round,
                note="Trypan blue lot 2509 gave low counts at high viability; lot replaced and "
                "the next round satisfactory. 台盼蓝批号2509在高活率样本偏低，已更换。",
            )  # fmt: skip
    return len(ROUNDS)


def load(*, stdout: TextIO | None = None) -> None:
    """NSRB's control materials, a year of runs, and two years of proficiency testing."""
    institution = Institution.objects.get(provider_code="NSRB")
    technician = User.objects.get(username="technician")
    qa = User.objects.get(username="qa")
    rng = random.Random(SEED)
    runs = load_iqc(institution, technician, qa, rng)
    rounds = load_proficiency(institution, technician, qa)
    if stdout is not None:
        stdout.write(f"Internal QC: {runs} control runs; proficiency testing: {rounds} rounds.\n")
