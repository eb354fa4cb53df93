"""QA's disposition of a temperature excursion (writes).

A temperature log's excursion flags every vial that was in the unit meanwhile and quarantines
those in stock (`equipment.services.temperature_log_upload`). Until QA decides, the excursion
waits in the queues and its vials stay quarantined, even through a bank's release. QA reviews
it: an impact assessment, and for each flagged vial still in stock a decision (release from
quarantine, keep quarantined, destroy), signed like a release (password re-entered, printed
name, time, meaning, the sha256 of the record signed). Each vial's status change writes its
custody event; each bank concerned gets a QcEvent.
"""

from collections import Counter, defaultdict
from collections.abc import Mapping

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stemhub.accounts.models import User
from stemhub.accounts.permissions import Perm, require
from stemhub.audit.context import audit_context
from stemhub.biobank.models import GONE, Vial, VialStatus
from stemhub.biobank.services import vials_locked, vials_set_status
from stemhub.core.auth import password_confirm, printed_name
from stemhub.core.errors import Conflict, Forbidden, InvalidInput
from stemhub.equipment.models import Excursion, ExcursionVial
from stemhub.quality import selectors
from stemhub.quality.models import (
    Disposition,
    ExcursionReview,
    ExcursionVialDecision,
    QcEvent,
    Signature,
)


def _decisions(
    flagged: list[ExcursionVial], chosen: Mapping[str, str], for_all: str, assessment: str
) -> dict[int, str]:
    """Flagged row id → decision, for every flagged vial still in stock: its own choice, else
    the one for all. InvalidInput names the missing assessment and each vial left undecided
    or wrongly decided, all at once."""
    known = {row.vial.barcode for row in flagged}
    errors: dict[str, list[str]] = {}
    if not assessment:
        errors["impact_assessment"] = [_("required")]
    errors.update(
        (f"decisions[{barcode}]", [_("not a vial of this excursion")])
        for barcode in chosen
        if barcode not in known
    )
    one_of = _("one of %(decisions)s") % {"decisions": ", ".join(Disposition.values)}
    if for_all and for_all not in Disposition.values:
        errors["decision"] = [one_of]
    decided: dict[int, str] = {}
    for row in flagged:
        if row.vial.status in GONE:
            continue
        decision = chosen.get(row.vial.barcode) or for_all
        if decision not in Disposition.values:
            errors[f"decisions[{row.vial.barcode}]"] = [one_of if decision else _("required")]
        decided[row.pk] = decision
    if errors:
        undecided = len(errors) - ("impact_assessment" in errors)
        raise InvalidInput(_undecided_message(bool(assessment), undecided), fields=errors)
    return decided


def _undecided_message(assessed: bool, undecided: int) -> str:
    if not assessed and not undecided:
        return _("Write the impact assessment")
    if not assessed:
        return ngettext(
            "Write the impact assessment; decide for every vial still in stock (%(n)d without "
            "a valid decision)",
            "Write the impact assessment; decide for every vial still in stock (%(n)d without "
            "a valid decision)",
            undecided,
        ) % {"n": undecided}
    return ngettext(
        "Decide for every vial still in stock (%(n)d without a valid decision)",
        "Decide for every vial still in stock (%(n)d without a valid decision)",
        undecided,
    ) % {"n": undecided}


def _apply(actor: User, flagged: list[ExcursionVial], decided: dict[int, str], why: str) -> None:
    """Change the vials' statuses, one custody event each: released vials leave quarantine,
    kept ones are (or stay) quarantined, destroyed ones are quarantined first where they were
    not (only QA lifts a quarantine, so QA may then destroy them)."""
    by_decision: dict[str, list[Vial]] = defaultdict(list)
    for row in flagged:
        if row.pk in decided:
            by_decision[decided[row.pk]].append(row.vial)
    released = [v for v in by_decision[Disposition.RELEASE] if v.status == VialStatus.QUARANTINED]
    if released:
        vials_set_status(actor=actor, vials=released, status=VialStatus.AVAILABLE, reason=why)
    held = by_decision[Disposition.KEEP] + by_decision[Disposition.DESTROY]
    if held:
        vials_set_status(actor=actor, vials=held, status=VialStatus.QUARANTINED, reason=why)
    if by_decision[Disposition.DESTROY]:
        vials_set_status(
            actor=actor,
            vials=by_decision[Disposition.DESTROY],
            status=VialStatus.DESTROYED,
            reason=why,
        )


def _flagged(excursion: Excursion) -> list[ExcursionVial]:
    return list(
        ExcursionVial.objects.filter(excursion=excursion)
        .select_related("vial__bank")
        .order_by("vial__barcode")
    )


def excursion_decide(
    *,
    actor: User,
    excursion: Excursion,
    impact_assessment: str,
    password: str,
    decision: str = "",
    decisions: Mapping[str, str] | None = None,
) -> ExcursionReview:
    """Decide an excursion: `decision` for every flagged vial still in stock, `decisions`
    (barcode → decision) for the vials decided otherwise. Needs quality.release in the unit's
    institution and the signer's password; refused (409) when the excursion was decided."""
    require(actor, Perm.QC_RELEASE, excursion.equipment.institution_id)
    assessment = impact_assessment.strip()
    # The form is checked first, then the password, both before the transaction opens (as a
    # release's signature is): a wrong password never leaves a write half done.
    _decisions(_flagged(excursion), decisions or {}, decision.strip(), assessment)
    password_confirm(
        actor,
        password,
        wrong=Forbidden(
            _("The password does not match: re-enter yours to sign"),
            fields={"password": [_("incorrect")]},
        ),
    )
    with transaction.atomic():
        return _decide(actor, excursion, assessment, decision.strip(), decisions or {})


def _decide(
    actor: User, excursion: Excursion, assessment: str, for_all: str, chosen: Mapping[str, str]
) -> ExcursionReview:
    excursion = (
        Excursion.objects.select_for_update().select_related("equipment").get(pk=excursion.pk)
    )
    if ExcursionReview.objects.filter(excursion=excursion).exists():
        raise Conflict(
            _("The excursion of %(unit)s on %(date)s has been decided already")
            % {"unit": excursion.equipment.name, "date": f"{excursion.start:%Y-%m-%d}"},
            fields={"excursion": [_("decided")]},
        )
    flagged = _flagged(excursion)  # again, under the excursion's lock, with the vials locked
    statuses = {vial.pk: vial.status for vial in vials_locked(row.vial_id for row in flagged)}
    for row in flagged:
        row.vial.status = statuses[row.vial_id]
    decided = _decisions(flagged, chosen, for_all, assessment)
    before = {row.pk: row.vial.status for row in flagged}
    why = (
        f"Disposition of the excursion in {excursion.equipment.name} "
        f"{excursion.start:%Y-%m-%d %H:%M}–{excursion.end:%H:%M}: {assessment}"
    )
    with audit_context(actor=actor, reason=why[:500]):
        _apply(actor, flagged, decided, why)
        after = dict(
            Vial.objects.filter(pk__in=[row.vial_id for row in flagged]).values_list("pk", "status")
        )
        record = selectors.excursion_record(
            excursion,
            assessment,
            [
                {
                    "vial": row.vial.barcode,
                    "bank": row.vial.bank.code,
                    "decision": decided.get(row.pk, ""),
                    "status_before": before[row.pk],
                    "status_after": after[row.vial_id],
                }
                for row in flagged
            ],
        )
        signature = Signature.objects.create(
            signer=actor,
            printed_name=printed_name(actor),
            meaning=Signature.Meaning.EXCURSION,
            record=selectors.record_bytes(record).decode(),
            record_hash=selectors.record_hash(record),
        )
        review = ExcursionReview.objects.create(
            excursion=excursion, impact_assessment=assessment, signature=signature
        )
        ExcursionVialDecision.objects.bulk_create(
            ExcursionVialDecision(
                review=review,
                flagged=row,
                decision=decided.get(row.pk, ""),
                status_before=before[row.pk],
                status_after=after[row.vial_id],
            )
            for row in flagged
        )
        _bank_events(actor, excursion, flagged, decided)
    return review


def _bank_events(
    actor: User, excursion: Excursion, flagged: list[ExcursionVial], decided: dict[int, str]
) -> None:
    per_bank: dict[int, Counter[str]] = defaultdict(Counter)
    for row in flagged:
        if row.pk in decided:
            per_bank[row.vial.bank_id][decided[row.pk]] += 1
    # The bank's history is recorded in English, whoever decides.
    with translation.override("en"):
        labels = {d.value: str(d.label) for d in Disposition}
    QcEvent.objects.bulk_create(
        QcEvent(
            bank_id=bank_id,
            kind=QcEvent.Kind.EXCURSION,
            actor=actor,
            note=f"Excursion in {excursion.equipment.name} on {excursion.start:%Y-%m-%d}: "
            + "; ".join(f"{labels[d]}: {n} vial(s)" for d, n in sorted(counts.items())),
        )
        for bank_id, counts in sorted(per_bank.items())
    )
