"""Internal QC and proficiency testing: define control materials, record control runs judged
by the Westgard rules (`qms.westgard`), correct a run by a new one, and take part in
proficiency-testing schemes (register a round, enter the result, z-score and grade).

Which failures open a CAPA. A run rejected for a systematic error (2-2s, 4-1s, 10-x: the
method has shifted, a calibration or a reagent lot is suspect) opens one, and so does a
rejection of any kind that follows a rejected run of the same assay (the error persisted
after troubleshooting). A single random-error rejection (1-3s, R-4s) is troubleshot and the
run repeated, as Westgard's practice has it; it shows on the QC pages and the home panel but
opens no CAPA. An unsatisfactory proficiency result (|z| ≥ 3) always opens one; a
questionable one (2 < |z| < 3) waits for the QA manager's review.
"""

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stemhub.accounts.permissions import Perm, require
from stemhub.audit.context import audit_context
from stemhub.core.errors import Conflict, InvalidInput, full_clean, is_unique_violation
from stemhub.core.names import said
from stemhub.equipment.models import Equipment
from stemhub.qms import westgard
from stemhub.qms.capa import capa_open
from stemhub.qms.models import (
    Capa,
    CapaSource,
    ControlMaterial,
    ControlRun,
    Grade,
    ProficiencyRound,
    ProficiencyScheme,
)
from stemhub.qms.models.iqc import ASSAY_UNITS

SYSTEMATIC_RULES = frozenset({"2-2s", "4-1s", "10-x"})
LOOK_BACK_ROWS = 40  # enough for 10 runs of two levels, with room for the other levels

# What each rule means, for a person reading why a run was rejected.
RULE_WORDS = {
    "1-2s": gettext_lazy("a control exceeded 2 SD from its mean (a warning: look closer)"),
    "1-3s": gettext_lazy("a control exceeded 3 SD from its mean (random error)"),
    "2-2s": gettext_lazy(
        "two consecutive controls exceeded the same 2 SD limit, on the same side of the mean "
        "(systematic error)"
    ),
    "R-4s": gettext_lazy("in one run one control exceeded +2 SD and another −2 SD (random error)"),
    "4-1s": gettext_lazy(
        "four consecutive controls exceeded the same 1 SD limit (systematic error)"
    ),
    "10-x": gettext_lazy(
        "ten consecutive controls fell on the same side of the mean (systematic error)"
    ),
}


def rule_words(rules: list[str]) -> str:
    """The rules in words, joined: "1-3s: a control exceeded 3 SD ...; 2-2s: ..."."""
    return "; ".join(f"{rule}: {RULE_WORDS[rule]}" for rule in rules if rule in RULE_WORDS)


# --- control materials --------------------------------------------------------------------


@transaction.atomic
def control_material_define(
    *,
    actor: Any,
    institution_id: int,
    assay: str,
    name: str,
    level: int,
    lot: str,
    target_mean: Decimal,
    target_sd: Decimal,
    valid_from: datetime.date,
    unit: str = "",
    valid_to: datetime.date | None = None,
    qc_test_id: int | None = None,
    instrument_id: int | None = None,
) -> ControlMaterial:
    """Needs qms.manage: a control lot at one level with its target mean and SD (the unit
    defaults to the assay's)."""
    require(actor, Perm.QMS_MANAGE, institution_id)
    material = ControlMaterial(
        institution_id=institution_id,
        assay=assay,
        name=name.strip(),
        level=level,
        lot=lot.strip(),
        target_mean=target_mean,
        target_sd=target_sd,
        unit=(unit.strip() or ASSAY_UNITS.get(assay, "")),
        valid_from=valid_from,
        valid_to=valid_to,
        qc_test_id=qc_test_id,
        instrument_id=instrument_id,
        created_by=actor,
    )
    if (
        instrument_id is not None
        and not Equipment.objects.filter(pk=instrument_id, institution_id=institution_id).exists()
    ):
        raise InvalidInput(
            _("The instrument belongs to another institution"),
            fields={"instrument": [_("not yours")]},
        )
    full_clean(material, validate_constraints=True)
    with audit_context(actor=actor, reason=f"Control material {material.lot} defined"):
        material.save()
    return material


def materials_of(institution_id: int) -> QuerySet[ControlMaterial]:
    return ControlMaterial.objects.filter(institution_id=institution_id).select_related(
        "instrument", "qc_test"
    )


def effective_runs() -> QuerySet[ControlRun]:
    """Runs not replaced by a correction."""
    return ControlRun.objects.filter(correction__isnull=True)


# --- control runs -------------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    """What recording gave: the rows written (one per level), the verdict, its words, and
    the CAPA it opened (None when it opened none)."""

    runs: list[ControlRun]
    rules: list[str]
    accepted: bool
    explanation: str
    capa: Capa | None


def _history(
    institution_id: int, assay: str, before: datetime.datetime, exclude: uuid.UUID
) -> tuple[list[westgard.Run[uuid.UUID]], dict[uuid.UUID, list[int]], bool]:
    """The accepted analytical runs of the assay before `before` (oldest first), the row ids
    of each, and whether the latest earlier run was rejected."""
    rows = list(
        effective_runs()
        .filter(material__institution_id=institution_id, material__assay=assay, run_at__lt=before)
        .exclude(analytical_run=exclude)
        .select_related("material")
        .order_by("-run_at", "-id")[:LOOK_BACK_ROWS]
    )
    rows.reverse()
    grouped: dict[uuid.UUID, list[ControlRun]] = defaultdict(list)
    for row in rows:
        grouped[row.analytical_run].append(row)
    runs: list[westgard.Run[uuid.UUID]] = []
    ids: dict[uuid.UUID, list[int]] = {}
    last_rejected = False
    for key, members in grouped.items():  # in order of first appearance: oldest first
        latest = max(members, key=lambda r: (r.recorded_at, r.pk))
        last_rejected = not latest.accepted
        if not latest.accepted:
            continue
        runs.append(westgard.Run(key, tuple(_control(r.material, r.value) for r in members)))
        ids[key] = [r.pk for r in members]
    return runs, ids, last_rejected


def _control(material: ControlMaterial, value: Decimal) -> westgard.Control:
    return westgard.Control(material.level, value, material.target_mean, material.target_sd)


def _check_in_use(material: ControlMaterial, run_at: datetime.datetime, field: str) -> None:
    day = timezone.localtime(run_at).date()
    if day < material.valid_from or (material.valid_to is not None and day > material.valid_to):
        raise InvalidInput(
            _("%(material)s is not in use on %(day)s (valid %(start)s to %(end)s)")
            % {
                "material": material,
                "day": day,
                "start": material.valid_from,
                "end": material.valid_to or "—",
            },
            fields={field: [_("outside the material's validity")]},
        )


def _value(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        number = Decimal("NaN")
    if not number.is_finite() or abs(number) >= Decimal("1e8"):
        raise InvalidInput(
            _("The value is a number"), fields={field: [_("a number, such as 92.5")]}
        )
    return number


@transaction.atomic
def control_run_record(
    *,
    actor: Any,
    material: ControlMaterial,
    value: Any,
    run_at: datetime.datetime,
    other_material: ControlMaterial | None = None,
    other_value: Any = None,
    operator: Any = None,
    instrument_id: int | None = None,
    comment: str = "",
) -> Recorded:
    """Needs qms.record: one analytical run of the material's assay, with this level's value
    and optionally another level's measured in the same run; judged by the Westgard rules
    against the assay's earlier accepted runs. A rejection says why in words and, when the
    error is systematic or persists, opens a CAPA (module docstring)."""
    require(actor, Perm.QMS_RECORD, material.institution_id)
    # One writer per assay at a time: the look-back must see every earlier run.
    list(
        ControlMaterial.objects.select_for_update()
        .filter(institution_id=material.institution_id, assay=material.assay)
        .order_by("pk")
    )
    if run_at > timezone.now():
        raise InvalidInput(_("The run is in the future"), fields={"run_at": [_("in the future")]})
    measured = [(material, _value(value, "value"), "value")]
    if other_material is not None:
        if (
            other_material.institution_id != material.institution_id
            or other_material.assay != material.assay
            or other_material.level == material.level
        ):
            raise InvalidInput(
                _("The other control must be another level of the same assay"),
                fields={"other_material": [_("another level of this assay")]},
            )
        measured.append((other_material, _value(other_value, "other_value"), "other_value"))
    for each, _number, field in measured:
        _check_in_use(each, run_at, "run_at" if field == "value" else "other_material")
    return _judge_and_write(
        actor=actor,
        measured=[(m, v) for m, v, _f in measured],
        run_at=run_at,
        analytical_run=uuid.uuid4(),
        operator=operator or actor,
        instrument_id=instrument_id if instrument_id is not None else material.instrument_id,
        comment=comment,
    )


def _judge_and_write(
    *,
    actor: Any,
    measured: list[tuple[ControlMaterial, Decimal]],
    run_at: datetime.datetime,
    analytical_run: uuid.UUID,
    operator: Any,
    instrument_id: int | None,
    comment: str,
    corrects: ControlRun | None = None,
    reason: str = "",
) -> Recorded:
    """Judge the analytical run made of `measured` and write a row for each level, or, for a
    correction, one row for the corrected level (the first), judged with the others."""
    first = measured[0][0]
    history, ids, last_rejected = _history(
        first.institution_id, first.assay, run_at, analytical_run
    )
    run = westgard.Run(analytical_run, tuple(_control(m, v) for m, v in measured))
    verdict = westgard.evaluate_run(run, history)
    earlier = [pk for key in verdict.earlier_runs for pk in ids[key]]
    rules: list[str] = list(verdict.rules)
    rows = []
    written = measured[:1] if corrects is not None else measured
    with audit_context(
        actor=actor, reason=reason or f"Control run {', '.join(rules) or 'in control'}"
    ):
        for material, number in written:
            row = ControlRun(
                material=material,
                analytical_run=analytical_run,
                value=number,
                run_at=run_at,
                operator=operator,
                instrument_id=instrument_id,
                rules_violated=rules,
                earlier_runs=earlier,
                levels_involved=sorted({lv for v in verdict.violations for lv in v.levels}),
                accepted=verdict.accepted,
                comment=comment.strip(),
                corrects=corrects,
                correction_reason=reason.strip(),
                recorded_by=actor,
            )
            full_clean(row, validate_constraints=False)
            row.save()
            rows.append(row)
    capa = None
    if not verdict.accepted and (SYSTEMATIC_RULES & set(rules) or last_rejected):
        capa = _open_run_capa(actor, rows[0], rules)
    return Recorded(rows, rules, verdict.accepted, verdict_words(rules, verdict.accepted), capa)


def verdict_words(rules: list[str], accepted: bool) -> str:
    if not accepted:
        return _("Run rejected: %(rules)s.") % {"rules": rule_words(rules)}
    if rules:
        return _("Run accepted with a warning: %(rules)s.") % {"rules": rule_words(rules)}
    return _("Run accepted: no Westgard rule violated.")


def _open_run_capa(actor: Any, run: ControlRun, rules: list[str]) -> Capa:
    material = run.material
    return capa_open(
        actor=actor,
        institution_id=material.institution_id,
        source=CapaSource.INTERNAL_QC,
        source_id=run.pk,
        source_label=f"IQC-{run.pk}",
        title=said(
            lambda: (
                _("Internal QC of %(assay)s rejected (%(rules)s)")
                % {"assay": material.get_assay_display(), "rules": ", ".join(rules)}
            )
        ),
        description=said(
            lambda: (
                _("Control run of %(material)s at %(when)s: %(words)s.")
                % {
                    "material": material,
                    "when": f"{timezone.localtime(run.run_at):%Y-%m-%d %H:%M}",
                    "words": rule_words(rules),
                }
            )
        ),
    )


@transaction.atomic
def control_run_correct(*, actor: Any, run: ControlRun, value: Any, reason: str) -> Recorded:
    """Needs qms.record: replace a run's value (a transcription error, say) by a new row that
    names it and says why; the run is judged again with the corrected value and the other
    levels of its analytical run. The original stays as it was recorded."""
    require(actor, Perm.QMS_RECORD, run.material.institution_id)
    if not reason.strip():
        raise InvalidInput(_("Say why the run is corrected"), fields={"reason": [_("required")]})
    list(
        ControlMaterial.objects.select_for_update()
        .filter(institution_id=run.material.institution_id, assay=run.material.assay)
        .order_by("pk")
    )
    if ControlRun.objects.filter(corrects=run).exists():
        raise Conflict(
            _("This run was already corrected: correct the correction instead"),
            fields={"run": [_("already corrected")]},
        )
    partners = (
        effective_runs()
        .filter(analytical_run=run.analytical_run)
        .exclude(pk=run.pk)
        .select_related("material")
    )
    measured = [(run.material, _value(value, "value"))]
    measured += [(p.material, p.value) for p in partners if p.material_id != run.material_id]
    try:
        with transaction.atomic():
            return _judge_and_write(
                actor=actor,
                measured=measured,
                run_at=run.run_at,
                analytical_run=run.analytical_run,
                operator=run.operator,
                instrument_id=run.instrument_id,
                comment=run.comment,
                corrects=run,
                reason=reason,
            )
    except IntegrityError as error:
        if is_unique_violation(error):
            raise Conflict(_("This run was corrected meanwhile")) from None
        raise


# --- proficiency testing ------------------------------------------------------------------


@transaction.atomic
def proficiency_scheme_create(
    *, actor: Any, institution_id: int, provider: str, name: str, assay: str, unit: str = ""
) -> ProficiencyScheme:
    """Needs qms.manage: a scheme the institution takes part in (NCCL, UK NEQAS ...)."""
    require(actor, Perm.QMS_MANAGE, institution_id)
    scheme = ProficiencyScheme(
        institution_id=institution_id,
        provider=provider.strip(),
        name=name.strip(),
        assay=assay,
        unit=unit.strip() or ASSAY_UNITS.get(assay, ""),
    )
    full_clean(scheme, validate_constraints=True)
    with audit_context(actor=actor, reason="Proficiency scheme joined"):
        scheme.save()
    return scheme


@transaction.atomic
def proficiency_round_register(
    *,
    actor: Any,
    scheme: ProficiencyScheme,
    round_code: str,
    sample_id: str,
    received_on: datetime.date,
    due_on: datetime.date,
) -> ProficiencyRound:
    """Needs qms.record: a round's sample has arrived; its result is due on `due_on`."""
    require(actor, Perm.QMS_RECORD, scheme.institution_id)
    if received_on > timezone.localdate():
        raise InvalidInput(
            _("The sample cannot be received in the future"),
            fields={"received_on": [_("in the future")]},
        )
    pt_round = ProficiencyRound(
        scheme=scheme,
        round_code=round_code.strip(),
        sample_id=sample_id.strip(),
        received_on=received_on,
        due_on=due_on,
        registered_by=actor,
    )
    full_clean(pt_round, validate_constraints=True)
    with audit_context(actor=actor, reason=f"PT round {pt_round.round_code} registered"):
        pt_round.save()
    return pt_round


def z_score(result: Decimal, assigned: Decimal, sigma_pt: Decimal) -> Decimal:
    """z = (x − X) / σpt, rounded half up to two decimals as providers report it."""
    if sigma_pt <= 0:
        raise InvalidInput(_("σpt must be positive"), fields={"sigma_pt": [_("greater than zero")]})
    return ((result - assigned) / sigma_pt).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def grade_of(z: Decimal) -> str:
    """|z| ≤ 2 satisfactory, 2 < |z| < 3 questionable, |z| ≥ 3 unsatisfactory."""
    size = abs(z)
    if size <= 2:
        return Grade.SATISFACTORY
    if size < 3:
        return Grade.QUESTIONABLE
    return Grade.UNSATISFACTORY


@dataclass(frozen=True)
class Scored:
    round: ProficiencyRound
    capa: Capa | None


@transaction.atomic
def proficiency_result_enter(
    *,
    actor: Any,
    pt_round: ProficiencyRound,
    result: Any,
    returned_on: datetime.date | None = None,
    assigned_value: Any = None,
    sigma_pt: Any = None,
    comment: str = "",
) -> Scored:
    """Needs qms.record: our result (and when the provider's report has come, the assigned
    value X and σpt). With all three the round is scored, z = (x − X) / σpt, and graded; an
    unsatisfactory grade opens a CAPA. A scored round is final."""
    pt_round = ProficiencyRound.objects.select_for_update().get(pk=pt_round.pk)
    scheme = pt_round.scheme
    require(actor, Perm.QMS_RECORD, scheme.institution_id)
    if pt_round.z is not None:
        raise Conflict(
            _("This round is already scored (z = %(z)s)") % {"z": pt_round.z},
            fields={"result": [_("already scored")]},
        )
    pt_round.result = _value(result, "result")
    pt_round.returned_on = returned_on or pt_round.returned_on or timezone.localdate()
    if assigned_value not in (None, ""):
        pt_round.assigned_value = _value(assigned_value, "assigned_value")
    if sigma_pt not in (None, ""):
        pt_round.sigma_pt = _value(sigma_pt, "sigma_pt")
    if pt_round.returned_on < pt_round.received_on:
        raise InvalidInput(
            _("The result cannot be returned before the sample was received"),
            fields={"returned_on": [_("before the sample was received")]},
        )
    if pt_round.assigned_value is not None and pt_round.sigma_pt is not None:
        pt_round.z = z_score(pt_round.result, pt_round.assigned_value, pt_round.sigma_pt)
        pt_round.grade = grade_of(pt_round.z)
    if comment.strip():
        pt_round.comment = comment.strip()
    pt_round.entered_by = actor
    full_clean(pt_round, validate_constraints=False)
    with audit_context(actor=actor, reason=f"PT result {pt_round.round_code}"):
        pt_round.save()
    capa = None
    if pt_round.grade == Grade.UNSATISFACTORY:
        capa = capa_open(
            actor=actor,
            institution_id=scheme.institution_id,
            source=CapaSource.PROFICIENCY,
            source_id=pt_round.pk,
            source_label=f"PT {pt_round.round_code}",
            title=said(
                lambda: (
                    _("Unsatisfactory proficiency result: %(scheme)s, round %(round)s")
                    % {"scheme": scheme.name, "round": pt_round.round_code}
                )
            ),
            description=said(
                lambda: (
                    _(
                        "Sample %(sample)s: our result %(x)s %(unit)s against the assigned value "
                        "%(assigned)s %(unit)s (σpt %(sigma)s), z = %(z)s."
                    )
                    % {
                        "sample": pt_round.sample_id,
                        "x": pt_round.result,
                        "assigned": pt_round.assigned_value,
                        "sigma": pt_round.sigma_pt,
                        "unit": scheme.unit,
                        "z": pt_round.z,
                    }
                )
            ),
        )
    return Scored(pt_round, capa)


@transaction.atomic
def proficiency_round_review(*, actor: Any, pt_round: ProficiencyRound, note: str) -> None:
    """Needs qms.manage: close the review of a questionable result with what was found."""
    pt_round = ProficiencyRound.objects.select_for_update().get(pk=pt_round.pk)
    require(actor, Perm.QMS_MANAGE, pt_round.scheme.institution_id)
    if pt_round.grade != Grade.QUESTIONABLE or pt_round.reviewed_at is not None:
        raise Conflict(
            _("Only a questionable result not yet reviewed is reviewed"),
            fields={"note": [_("nothing to review")]},
        )
    if not note.strip():
        raise InvalidInput(_("Say what the review found"), fields={"note": [_("required")]})
    pt_round.reviewed_by = actor
    pt_round.reviewed_at = timezone.now()
    pt_round.review_note = note.strip()
    with audit_context(actor=actor, reason="Questionable PT result reviewed"):
        pt_round.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])


def capas_for_rounds(rounds: list[ProficiencyRound]) -> dict[int, Capa]:
    """The CAPA each round opened, by round id."""
    return {
        capa.source_id: capa
        for capa in Capa.objects.filter(
            source=CapaSource.PROFICIENCY, source_id__in=[r.pk for r in rounds]
        )
        if capa.source_id is not None
    }


def proficiency_inputs(
    institution: Any, start: datetime.date, end: datetime.date
) -> dict[str, Any]:
    """For a management review (ISO 20387 8.9): the proficiency rounds received between
    `start` and `end` (inclusive): how many by grade ("pending" for those not yet scored), the
    unsatisfactory ones with their CAPA, and the questionable ones with whether reviewed."""
    rounds = ProficiencyRound.objects.filter(
        scheme__institution=institution, received_on__gte=start, received_on__lte=end
    ).select_related("scheme")
    counts = {grade: 0 for grade in [*Grade.values, "pending"]}
    for row in rounds.values("grade").annotate(n=Count("id")):
        counts[row["grade"] or "pending"] += row["n"]
    unsatisfactory = list(rounds.filter(grade=Grade.UNSATISFACTORY).order_by("received_on"))
    capas = capas_for_rounds(unsatisfactory)
    return {
        "start": start,
        "end": end,
        "total": sum(counts.values()),
        "counts": counts,
        "unsatisfactory": [
            {
                "round": r,
                "scheme": str(r.scheme),
                "round_code": r.round_code,
                "z": r.z,
                "capa": capas.get(r.pk),
            }
            for r in unsatisfactory
        ],
        "questionable": [
            {"round": r, "scheme": str(r.scheme), "z": r.z, "reviewed": r.reviewed_at is not None}
            for r in rounds.filter(grade=Grade.QUESTIONABLE).order_by("received_on")
        ],
    }
