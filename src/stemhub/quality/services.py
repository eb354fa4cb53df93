"""Writes to the quality record: the catalogue, results, nonconformities and releases.

Every function is atomic, checks the actor's permission in the bank's institution, runs inside
`audit_context` and writes the bank's `QcEvent`s. Anything touching a bank's QC state locks the
bank row first (`select_for_update`), so a release and a failing result on the same bank are
serialised: the result either lands before the release (which then refuses) or after it (which
then invalidates it).
"""

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stemhub.accounts.models import User
from stemhub.accounts.permissions import Perm, is_platform_admin, require
from stemhub.audit.context import audit_context
from stemhub.biobank.models import BankTier, CellBank, Vial, VialStatus
from stemhub.biobank.services import bank_locked, vials_set_status
from stemhub.core.auth import password_confirm, printed_name
from stemhub.core.errors import Conflict, Forbidden, InvalidInput, full_clean
from stemhub.equipment.models import Equipment, ExcursionVial
from stemhub.equipment.selectors import equipment_usable
from stemhub.qms.gating import require_authorised
from stemhub.qms.models import Task
from stemhub.quality import selectors, wording
from stemhub.quality.coa import certificate_issue, certificate_language_for
from stemhub.quality.evaluation import Verdict, evaluate
from stemhub.quality.models import (
    Nonconformity,
    QcEvent,
    QcResult,
    QcTest,
    RawFile,
    Release,
    Signature,
    SpecKind,
)

MAX_RAW_FILE = 20 * 1024 * 1024
HELD = (VialStatus.AVAILABLE, VialStatus.RESERVED)


def _locked_bank(bank: CellBank) -> CellBank:
    return bank_locked(bank, "line", "product__line", "institution")


# Catalogue

SPEC_FIELDS = (
    "name",
    "category",
    "method",
    "spec_kind",
    "allowed_results",
    "accepted_results",
    "unit",
    "lower_limit",
    "lower_inclusive",
    "upper_limit",
    "upper_inclusive",
    "required_tiers",
    "clinical_only",
    "for_products",
)


def _require_catalogue(actor: User) -> None:
    # One catalogue serves every institution, so only platform admins change it.
    require(actor, Perm.QC_RELEASE)
    if not is_platform_admin(actor):
        raise Forbidden(_("The QC catalogue is shared by every institution; ask a platform admin."))


def _check_spec(test: QcTest) -> None:
    if test.spec_kind == SpecKind.QUALITATIVE:
        allowed = test.allowed_results
        if not (isinstance(allowed, list) and len(allowed) >= 2 and all(allowed)):
            raise InvalidInput(
                _("A qualitative test lists at least two possible results"),
                fields={"allowed_results": [_("at least two")]},
            )
        accepted = test.accepted_results
        if not accepted or any(a not in allowed for a in accepted):
            raise InvalidInput(
                _("The accepted results must be among the possible ones"),
                fields={"accepted_results": [_("among allowed_results")]},
            )
    elif test.spec_kind == SpecKind.QUANTITATIVE:
        if test.lower_limit is None and test.upper_limit is None:
            raise InvalidInput(
                _("A quantitative test has a lower or an upper limit"),
                fields={"lower_limit": [_("or upper_limit required")]},
            )
        if (
            test.lower_limit is not None
            and test.upper_limit is not None
            and test.lower_limit > test.upper_limit
        ):
            raise InvalidInput(
                _("The lower limit is above the upper limit"),
                fields={"lower_limit": [_("too high")]},
            )
    elif test.lower_limit is None:
        raise InvalidInput(
            _("An STR identity test has a minimum Tanabe score"),
            fields={"lower_limit": [_("required")]},
        )
    tiers = test.required_tiers
    if not isinstance(tiers, list) or any(t not in BankTier.values for t in tiers):
        raise InvalidInput(
            _("Tiers are among %(tiers)s") % {"tiers": ", ".join(BankTier.values)},
            fields={"required_tiers": [_("unknown")]},
        )
    test.required_tiers = sorted(set(tiers))


def _refuse_unknown(spec: dict[str, Any]) -> None:
    unknown = sorted(set(spec) - set(SPEC_FIELDS))
    if unknown:
        raise InvalidInput(
            _("Unknown field(s): %(fields)s") % {"fields": ", ".join(unknown)},
            fields={k: [_("unknown")] for k in unknown},
        )


@transaction.atomic
def qc_test_create(*, actor: User, code: str, **spec: Any) -> QcTest:
    """Version 1 of a new test. Needs quality.release, platform-wide."""
    _require_catalogue(actor)
    _refuse_unknown(spec)
    if QcTest.objects.filter(code=code).exists():
        raise Conflict(
            _("A test %(code)s exists; revise it instead") % {"code": repr(code)},
            fields={"code": [_("taken")]},
        )
    test = QcTest(code=code, version=1, created_by=actor, **spec)
    _check_spec(test)
    full_clean(test, validate_constraints=False, exclude=["created_by"])
    with audit_context(actor=actor, reason=f"QC test {code} created"):
        test.save()
    return test


@transaction.atomic
def qc_test_revise(*, actor: User, test: QcTest, reason: str, **changes: Any) -> QcTest:
    """A new version of `test` with `changes`; the old version is retired (results judged
    against it keep it). Needs quality.release, platform-wide, and a reason."""
    _require_catalogue(actor)
    if not reason.strip():
        raise InvalidInput(
            _("Say why the specification changes"), fields={"reason": [_("required")]}
        )
    _refuse_unknown(changes)
    old = QcTest.objects.select_for_update().get(pk=test.pk)
    if not old.current:
        raise Conflict(
            _("%(test)s (v%(version)s) is superseded; revise the current version")
            % {"test": wording.term(old.name), "version": old.version},
            fields={"test": [_("superseded")]},
        )
    new = QcTest(
        code=old.code,
        version=old.version + 1,
        created_by=actor,
        change_reason=reason.strip(),
        **{name: changes.get(name, getattr(old, name)) for name in SPEC_FIELDS},
    )
    _check_spec(new)
    full_clean(new, validate_constraints=False, exclude=["created_by", "code"])
    with audit_context(actor=actor, reason=reason):
        old.current, old.superseded_at = False, timezone.now()
        old.save(update_fields=["current", "superseded_at"])
        new.save()
    return new


# Results


@dataclass(frozen=True)
class Upload:
    """A raw file as received: its name, bytes and declared type."""

    name: str
    content: bytes
    content_type: str = ""


def _check_instrument(instrument: Equipment | None, bank: CellBank, tested_on: date) -> None:
    if instrument is None:
        return
    if instrument.institution_id != bank.institution_id:
        raise InvalidInput(
            _("%(instrument)s is another institution's equipment")
            % {"instrument": instrument.name},
            fields={"instrument": [_("another institution's")]},
        )
    usable = equipment_usable(instrument, at=tested_on)
    if not usable:
        raise InvalidInput(
            _("%(reason)s: a result measured on it on %(date)s cannot be accepted")
            % {"reason": usable.reason, "date": tested_on},
            fields={"instrument": [usable.reason]},
        )


def raw_file_too_large() -> InvalidInput:
    return InvalidInput(
        _("The raw file is larger than %(mb)s MB") % {"mb": MAX_RAW_FILE // (1024 * 1024)},
        fields={"raw_file": [_("too large")]},
    )


def _raw_file(actor: User, upload: Upload | None) -> RawFile | None:
    if upload is None:
        return None
    if not upload.content:
        raise InvalidInput(
            _("%(file)s is empty") % {"file": upload.name}, fields={"raw_file": [_("empty")]}
        )
    if len(upload.content) > MAX_RAW_FILE:
        raise raw_file_too_large()
    raw = RawFile(
        sha256=hashlib.sha256(upload.content).hexdigest(),
        name=(upload.name or "raw")[:255],
        content_type=upload.content_type[:100],
        size=len(upload.content),
        content=upload.content,
        uploaded_by=actor,
    )
    raw.save()
    return raw


def _unit(test: QcTest, unit: str) -> str:
    unit = unit.strip()
    if test.spec_kind == SpecKind.QUALITATIVE:
        if unit:
            raise InvalidInput(
                _("%(test)s has no unit") % {"test": wording.term(test.name)},
                fields={"unit": [_("not applicable")]},
            )
        return ""
    if unit and unit != test.unit:
        raise InvalidInput(
            _("%(test)s is specified in %(unit)s; convert %(entered)s before entering it")
            % {"test": wording.term(test.name), "unit": test.unit, "entered": unit},
            fields={"unit": [_("must be %(unit)s") % {"unit": test.unit}]},
        )
    return test.unit


@transaction.atomic
def qc_result_record(
    *,
    actor: User,
    bank: CellBank,
    test: QcTest,
    value: str,
    tested_on: date,
    unit: str = "",
    method: str = "",
    operator: User | None = None,
    instrument: Equipment | None = None,
    raw_file: Upload | None = None,
    comment: str = "",
) -> QcResult:
    """Record a result, judged against the test's current specification. An out-of-
    specification result opens a nonconformity, quarantines the bank's vials and invalidates a
    standing release. Needs quality.record in the bank's institution."""
    require(actor, Perm.QC_RECORD, bank.institution_id)
    require_authorised(actor, Task.QC_RESULT, bank.institution_id)
    bank = _locked_bank(bank)
    if not test.current:
        current = selectors.current_tests().filter(code=test.code).first()
        raise Conflict(
            _("%(test)s (v%(version)s) is superseded by version %(current)s")
            % {
                "test": wording.term(test.name),
                "version": test.version,
                "current": current.version if current else "?",
            },
            fields={"test": [_("superseded")]},
        )
    if tested_on > timezone.localdate():
        raise InvalidInput(_("The test date is in the future"), fields={"tested_on": [_("future")]})
    if tested_on < bank.freeze_date:
        raise InvalidInput(
            _("The test date %(date)s is before %(bank)s was frozen (%(frozen)s)")
            % {"date": tested_on, "bank": bank.code, "frozen": bank.freeze_date},
            fields={
                "tested_on": [
                    _("on or after the freeze date %(frozen)s") % {"frozen": bank.freeze_date}
                ]
            },
        )
    operator = operator or actor
    if operator.institution_id != bank.institution_id and not is_platform_admin(operator):
        raise InvalidInput(
            _("%(user)s is not staff of the bank's institution")
            % {"user": operator.get_username()},
            fields={"operator": [_("another institution")]},
        )
    _check_instrument(instrument, bank, tested_on)
    verdict = evaluate(test, value, bank=bank)
    result = QcResult(
        bank=bank,
        test=test,
        unit=_unit(test, unit),
        method=method.strip() or test.method,
        operator=operator,
        instrument=instrument,
        tested_on=tested_on,
        comment=comment.strip(),
        recorded_by=actor,
        **_verdict_fields(verdict),
    )
    reason = f"{test.name} on {bank.code}: {verdict.judgement}"
    with audit_context(actor=actor, reason=reason):
        raw = _raw_file(actor, raw_file)
        if raw is not None:
            result.raw_file, result.raw_sha256 = raw, raw.sha256
        full_clean(
            result,
            validate_constraints=False,
            exclude=["bank", "test", "operator", "recorded_by", "raw_file"],
        )
        result.save()
        QcEvent.objects.create(
            bank=bank, kind=QcEvent.Kind.RESULT, actor=actor, result=result, note=reason
        )
        if not result.passed:
            _out_of_specification(actor, bank, result)
    return result


def _verdict_fields(verdict: Verdict) -> dict[str, Any]:
    return {
        "value_text": verdict.value_text,
        "value_number": verdict.value_number,
        "passed": verdict.passed,
        "judgement": verdict.judgement[:300],
        "flag": verdict.flag,
        "str_score": verdict.score,
    }


def _out_of_specification(actor: User, bank: CellBank, result: QcResult) -> None:
    _open_nonconformity(
        actor,
        bank,
        result,
        wording.NC_OUT_OF_SPEC % {"test": result.test.name, "judgement": result.judgement},
    )
    why = wording.OUT_OF_SPEC_ON % {"test": result.test.name, "bank": bank.code}
    _invalidate_release(actor, bank, why)
    _quarantine(actor, bank, why)


def _invalidate_release(actor: User, bank: CellBank, why: str) -> Release | None:
    release = (
        Release.objects.select_for_update()
        .filter(bank_id=bank.pk, invalidated_at__isnull=True)
        .first()
    )
    if release is None:
        return None
    now = timezone.now()
    release.invalidated_at, release.invalidated_reason = now, why
    release.save(update_fields=["invalidated_at", "invalidated_reason"])
    Signature.objects.filter(pk=release.signature_id).update(
        superseded_at=now, superseded_reason=why
    )
    QcEvent.objects.create(
        bank=bank, kind=QcEvent.Kind.INVALIDATED, actor=actor, release=release, note=why
    )
    return release


def _quarantine(actor: User, bank: CellBank, why: str) -> None:
    vials = list(Vial.objects.filter(bank_id=bank.pk, status__in=HELD).order_by("pk"))
    if not vials:
        return
    vials_set_status(actor=actor, vials=vials, status=VialStatus.QUARANTINED, reason=why)
    QcEvent.objects.create(
        bank=bank,
        kind=QcEvent.Kind.QUARANTINED,
        actor=actor,
        note=f"{len(vials)} vial(s) quarantined: {why}",
    )


@transaction.atomic
def qc_result_correct(
    *, actor: User, result: QcResult, value: str, reason: str, comment: str | None = None
) -> QcResult:
    """Correct a result's value (the audit trail keeps the old one), judged again against the
    specification version it was first judged against. A bank released with this result loses
    its release and goes back to quarantine; a correction that now fails opens a
    nonconformity. Needs quality.record and a reason."""
    require(actor, Perm.QC_RECORD, result.bank.institution_id)
    require_authorised(actor, Task.QC_RESULT, result.bank.institution_id)
    if not reason.strip():
        raise InvalidInput(_("Say why the result is corrected"), fields={"reason": [_("required")]})
    bank = _locked_bank(result.bank)
    result = QcResult.objects.select_for_update().select_related("test").get(pk=result.pk)
    before = result.value_display
    verdict = evaluate(result.test, value, bank=bank)
    for name, new in _verdict_fields(verdict).items():
        setattr(result, name, new)
    if comment is not None:
        result.comment = comment.strip()
    result.corrected_at = timezone.now()
    message = wording.CORRECTED % {
        "test": result.test.name,
        "before": before,
        "after": result.value_display,
        "reason": reason,
    }
    with audit_context(actor=actor, reason=reason):
        result.save()
        QcEvent.objects.create(
            bank=bank, kind=QcEvent.Kind.CORRECTION, actor=actor, result=result, note=message
        )
        if not result.passed:
            _out_of_specification(actor, bank, result)
        elif _invalidate_release(actor, bank, wording.CHANGED_AFTER_RELEASE % {"change": message}):
            _quarantine(actor, bank, wording.CHANGED_AFTER_RELEASE_OF % {"bank": bank.code})
    return result


# Nonconformities


@transaction.atomic
def nonconformity_open(
    *, actor: User, bank: CellBank, description: str, result: QcResult | None = None
) -> Nonconformity:
    """Open a nonconformity by hand (a deviation from procedure, a complaint). Needs
    quality.record in the bank's institution."""
    require(actor, Perm.QC_RECORD, bank.institution_id)
    if not description.strip():
        raise InvalidInput(_("Describe the nonconformity"), fields={"description": [_("required")]})
    if result is not None and result.bank_id != bank.pk:
        raise InvalidInput(
            _("That result is of another bank"), fields={"result": [_("another bank's")]}
        )
    bank = _locked_bank(bank)
    with audit_context(actor=actor, reason="Nonconformity opened"):
        return _open_nonconformity(actor, bank, result, description.strip())


def _open_nonconformity(
    actor: User, bank: CellBank, result: QcResult | None, description: str
) -> Nonconformity:
    """The nonconformity and the bank's event saying so; the caller holds the bank's lock."""
    nonconformity = Nonconformity.objects.create(
        bank=bank, result=result, description=description, opened_by=actor
    )
    QcEvent.objects.create(
        bank=bank,
        kind=QcEvent.Kind.NC_OPENED,
        actor=actor,
        result=result,
        nonconformity=nonconformity,
        note=description,
    )
    return nonconformity


def nonconformity_close(
    *, actor: User, nonconformity: Nonconformity, reason: str, password: str, capa: str = ""
) -> Nonconformity:
    """Close with a reason (and the corrective and preventive action taken) under QA's
    electronic signature: the password re-entered, the printed name, the time, the meaning
    "nonconformity closure approved" and the sha256 of what was closed. Needs quality.release
    in the bank's institution."""
    require(actor, Perm.QC_RELEASE, nonconformity.bank.institution_id)
    if not reason.strip():
        raise InvalidInput(
            _("Say why the nonconformity is closed"), fields={"closure_reason": [_("required")]}
        )
    # Before the transaction opens, as a release's signature: a wrong password writes nothing.
    password_confirm(
        actor,
        password,
        wrong=Forbidden(
            _("The password does not match: re-enter yours to sign the closure"),
            fields={"password": [_("incorrect")]},
        ),
    )
    with transaction.atomic():
        found = Nonconformity.objects.select_for_update().get(pk=nonconformity.pk)
        if found.status == Nonconformity.Status.CLOSED:
            raise Conflict(
                _("NC-%(n)s is already closed") % {"n": found.pk},
                fields={"status": [_("closed")]},
            )
        found.status = Nonconformity.Status.CLOSED
        found.closure_reason = reason.strip()
        found.capa = capa.strip() or found.capa
        found.closed_by, found.closed_at = actor, timezone.now()
        record = {
            "nonconformity": found.pk,
            "bank": found.bank.code,
            "description": found.description,
            "closure_reason": found.closure_reason,
            "capa": found.capa,
            "closed_at": found.closed_at.isoformat(),
        }
        meaning = Signature.Meaning.NC_CLOSURE
        with audit_context(actor=actor, reason=reason):
            found.closure_signature = Signature.objects.create(
                signer=actor,
                printed_name=printed_name(actor),
                signed_at=found.closed_at,
                meaning=meaning,
                record=selectors.record_bytes(record).decode(),
                record_hash=selectors.record_hash(record),
            )
            found.save()
            QcEvent.objects.create(
                bank_id=found.bank_id,
                kind=QcEvent.Kind.NC_CLOSED,
                actor=actor,
                nonconformity=found,
                note=f"{found.closure_reason} (signed by {printed_name(actor)}, {meaning})",
            )
    return found


# Release


def bank_release(
    *, actor: User, bank: CellBank, password: str, certificate_language: str = ""
) -> Release:
    """Release a bank with the QA manager's electronic signature: the password re-entered,
    the printed name from the account, the time, the meaning "approved for release", and the
    sha256 of the canonical QC record. The bank's quarantined vials become available (but for
    those a temperature excursion awaiting a decision holds) and the certificate of analysis is
    issued in `certificate_language` (zh-hans, en or bilingual; by default the signer's
    language). Refused, naming them, while a required test has no result or a failed latest
    result, or a nonconformity is open. Needs quality.release."""
    require(actor, Perm.QC_RELEASE, bank.institution_id)
    require_authorised(actor, Task.RELEASE, bank.institution_id)
    language = certificate_language_for(actor, certificate_language)
    # Before the transaction opens: a wrong password is counted even though nothing is written.
    password_confirm(
        actor,
        password,
        wrong=Forbidden(
            _("The password does not match: re-enter yours to sign"),
            fields={"password": [_("incorrect")]},
        ),
    )
    with transaction.atomic():
        bank = _locked_bank(bank)
        if selectors.bank_is_released(bank):
            raise Conflict(
                _("%(bank)s is already released") % {"bank": bank.code},
                fields={"bank": [_("released")]},
            )
        readiness = selectors.bank_readiness(bank)
        if not readiness.ready:
            fields: dict[str, list[str]] = {}
            for test in readiness.missing:
                fields.setdefault(test.code, []).append(_("no result"))
            for result in readiness.failed:
                fields.setdefault(result.test.code, []).append(_("failed"))
            if readiness.open_nonconformities:
                fields["nonconformities"] = [
                    _("NC-%(n)s open") % {"n": n.pk} for n in readiness.open_nonconformities
                ]
            raise Conflict(
                _("%(bank)s cannot be released: %(problems)s")
                % {"bank": bank.code, "problems": wording.clauses(readiness.problems())},
                fields=fields,
            )
        record = selectors.qc_record(bank)
        meaning = Signature.Meaning.RELEASE
        with audit_context(actor=actor, reason=f"{bank.code} {meaning}"):
            signature = Signature.objects.create(
                signer=actor,
                printed_name=printed_name(actor),
                meaning=meaning,
                record=selectors.record_bytes(record).decode(),
                record_hash=selectors.record_hash(record),
            )
            release = Release.objects.create(bank=bank, signature=signature)
            QcEvent.objects.create(
                bank=bank,
                kind=QcEvent.Kind.RELEASED,
                actor=actor,
                release=release,
                note=f"Signed by {signature.printed_name}, {meaning}, "
                f"record sha256 {signature.record_hash}",
            )
            # Vials an excursion still holds stay quarantined until QA decides the excursion.
            awaiting = ExcursionVial.objects.filter(
                vial__bank_id=bank.pk, excursion__review__isnull=True
            ).values("vial_id")
            quarantined = list(
                Vial.objects.filter(bank_id=bank.pk, status=VialStatus.QUARANTINED)
                .exclude(pk__in=awaiting)
                .order_by("pk")
            )
            if quarantined:
                vials_set_status(
                    actor=actor,
                    vials=quarantined,
                    status=VialStatus.AVAILABLE,
                    reason=wording.BANK_RELEASED % {"bank": bank.code},
                )
            certificate_issue(release=release, language=language)
    return release
