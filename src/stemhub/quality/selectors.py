"""Reads of the quality record: release state, what a bank still needs, the canonical record a
signature binds, and the signature's verification.

`released_banks()` and `bank_is_released(bank)` are the distribution app's gate: only banks
with a standing release may be shipped.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from stemhub.accounts.permissions import Perm, is_platform_admin, permissions_of
from stemhub.biobank.models import CellBank, Vial, VialStatus
from stemhub.core.errors import NotFound
from stemhub.equipment.models import Excursion, ExcursionVial
from stemhub.equipment.selectors import visible_equipment
from stemhub.quality import wording
from stemhub.quality.models import Nonconformity, QcResult, QcTest, Release, Signature

__all__ = [
    "Readiness",
    "SignatureCheck",
    "bank_is_released",
    "bank_readiness",
    "banks_readiness",
    "current_tests",
    "excursion_for",
    "excursion_record",
    "latest_results",
    "nonconformity_for",
    "open_excursions",
    "qc_record",
    "record_bytes",
    "record_hash",
    "released_banks",
    "required_tests",
    "signature_verify",
    "standing_release",
    "vials_held_by_open_excursions",
    "visible_excursions",
    "visible_nonconformities",
]


# The distribution gate


def released_banks() -> QuerySet[CellBank]:
    """Every bank with a standing (not invalidated) release."""
    standing = Release.objects.filter(bank=OuterRef("pk"), invalidated_at__isnull=True)
    return CellBank.objects.filter(Exists(standing))


def bank_is_released(bank: CellBank) -> bool:
    return Release.objects.filter(bank_id=bank.pk, invalidated_at__isnull=True).exists()


def standing_release(bank: CellBank) -> Release | None:
    return (
        Release.objects.select_related("signature", "signature__signer")
        .filter(bank_id=bank.pk, invalidated_at__isnull=True)
        .first()
    )


# Catalogue and what a bank needs


def current_tests() -> QuerySet[QcTest]:
    return QcTest.objects.filter(current=True)


def _clinical(bank: CellBank) -> bool:
    if bank.product_id:
        return bool(bank.product.clinical_grade or bank.product.line.clinical_grade)  # type: ignore[union-attr]
    return bool(bank.line.clinical_grade)  # type: ignore[union-attr]


def _required_of(bank: CellBank, tests: Iterable[QcTest]) -> list[QcTest]:
    clinical = _clinical(bank)
    return [
        test
        for test in tests
        if bank.tier in test.required_tiers
        and (clinical or not test.clinical_only)
        and (not bank.product_id or test.for_products)
    ]


def required_tests(bank: CellBank) -> list[QcTest]:
    """The current tests this bank needs for release: by tier, clinical grade and whether it is
    a bank of a line or of a differentiated product."""
    return _required_of(bank, current_tests().order_by("category", "code"))


def latest_results(bank: CellBank) -> dict[str, QcResult]:
    """Test code → the bank's latest result for it (latest test date, then latest entry),
    whatever specification version it was judged against."""
    latest: dict[str, QcResult] = {}
    rows = (
        QcResult.objects.filter(bank_id=bank.pk).select_related("test").order_by("tested_on", "id")
    )
    for result in rows:
        latest[result.test.code] = result
    return latest


@dataclass
class Readiness:
    required: list[QcTest] = field(default_factory=list)
    missing: list[QcTest] = field(default_factory=list)
    failed: list[QcResult] = field(default_factory=list)
    open_nonconformities: list[Nonconformity] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not (self.missing or self.failed or self.open_nonconformities)

    @property
    def started(self) -> bool:
        """Some required test has a result already."""
        return len(self.missing) < len(self.required)

    @property
    def blocked(self) -> bool:
        """A failure or an open nonconformity stands in the way, not only results to come."""
        return bool(self.failed or self.open_nonconformities)

    def problems(self) -> list[str]:
        """What stands in the way, in the reader's language."""
        said = []
        if self.missing:
            said.append(
                _("no result for %(tests)s")
                % {"tests": wording.listing(wording.term(t.name) for t in self.missing)}
            )
        if self.failed:
            failed = wording.listing(
                f"{wording.term(r.test.name)} ({wording.term(r.value_display)})"
                for r in self.failed
            )
            said.append(_("failed: %(tests)s") % {"tests": failed})
        if self.open_nonconformities:
            said.append(
                _("open nonconformities: %(ncs)s")
                % {"ncs": wording.listing(f"NC-{n.pk}" for n in self.open_nonconformities)}
            )
        return said


def bank_readiness(bank: CellBank) -> Readiness:
    """What stands between the bank and its release: required tests without a result, required
    tests whose latest result failed, and open nonconformities."""
    return banks_readiness([bank])[bank.pk]


def banks_readiness(banks: Iterable[CellBank]) -> dict[int, Readiness]:
    """`bank_readiness` of many banks in three queries, however many banks (the banks come with
    their line and product, `select_related("line", "product__line")`)."""
    banks = list(banks)
    ids = [bank.pk for bank in banks]
    tests = list(current_tests().order_by("category", "code"))
    latest: dict[int, dict[str, QcResult]] = defaultdict(dict)
    results = (
        QcResult.objects.filter(bank_id__in=ids).select_related("test").order_by("tested_on", "id")
    )
    for result in results:
        latest[result.bank_id][result.test.code] = result
    open_ncs: dict[int, list[Nonconformity]] = defaultdict(list)
    for nc in Nonconformity.objects.filter(
        bank_id__in=ids, status=Nonconformity.Status.OPEN
    ).order_by("pk"):
        open_ncs[nc.bank_id].append(nc)
    found: dict[int, Readiness] = {}
    for bank in banks:
        readiness = Readiness(required=_required_of(bank, tests))
        for test in readiness.required:
            last = latest[bank.pk].get(test.code)
            if last is None:
                readiness.missing.append(test)
            elif not last.passed:
                readiness.failed.append(last)
        readiness.open_nonconformities = open_ncs[bank.pk]
        found[bank.pk] = readiness
    return found


# The signed record


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _result_record(result: QcResult) -> dict[str, Any]:
    return {
        "id": result.pk,
        "test": result.test.code,
        "test_version": result.test.version,
        "specification": result.test.specification,
        "value_text": result.value_text,
        "value_number": _decimal(result.value_number),
        "unit": result.unit,
        "method": result.method,
        "operator": result.operator.get_username(),
        "instrument": result.instrument.name if result.instrument_id else None,  # type: ignore[union-attr]
        "tested_on": result.tested_on.isoformat(),
        "raw_sha256": result.raw_sha256 or None,
        "passed": result.passed,
        "flag": result.flag,
        "str_score": _decimal(result.str_score),
        "comment": result.comment,
    }


def qc_record(bank: CellBank, *, result_ids: list[int] | None = None) -> dict[str, Any]:
    """The bank's QC record as signed: the bank's own fields and every result (or the results
    with these ids, as a signature recorded them), in id order."""
    bank = CellBank.objects.select_related("line", "product__line", "institution").get(pk=bank.pk)
    rows = QcResult.objects.filter(bank_id=bank.pk)
    if result_ids is not None:
        rows = rows.filter(pk__in=result_ids)
    rows = rows.select_related("test", "operator", "instrument").order_by("pk")
    return {
        "bank": {
            "code": bank.code,
            "institution": bank.institution.provider_code or bank.institution.name,
            "tier": bank.tier,
            "line": bank.line.name if bank.line_id else bank.product.line.name,  # type: ignore[union-attr]
            "product": bank.product.name if bank.product_id else None,  # type: ignore[union-attr]
            "passage_number": bank.passage_number,
            "freeze_date": bank.freeze_date.isoformat(),
            "cryo_medium": bank.cryo_medium,
            "cells_per_vial": bank.cells_per_vial,
            "vial_count": bank.vial_count,
            "post_thaw_viability": _decimal(bank.post_thaw_viability),
        },
        "results": [_result_record(r) for r in rows],
    }


def record_bytes(record: dict[str, Any]) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, UTF-8."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(record: dict[str, Any]) -> str:
    return hashlib.sha256(record_bytes(record)).hexdigest()


@dataclass(frozen=True)
class SignatureCheck:
    """`intact`: the record hashes as it did when signed (and the stored copy is untouched);
    `changes` names what differs, in the reader's language. `state` is the API's word for it,
    `state_label` the page's."""

    intact: bool
    signed_hash: str
    current_hash: str
    changes: list[str]
    superseded: bool

    @property
    def state(self) -> str:
        if not self.intact:
            return "record changed since signing"
        return "superseded (record intact)" if self.superseded else "valid"

    @property
    def state_label(self) -> str:
        if not self.intact:
            return _("Record changed since signing")
        return _("Superseded (record intact)") if self.superseded else _("Valid")


def _differences(signed: dict[str, Any], now: dict[str, Any]) -> list[str]:
    changes = [
        _("bank %(field)s") % {"field": key}
        for key in sorted(set(signed.get("bank", {})) | set(now["bank"]))
        if signed.get("bank", {}).get(key) != now["bank"].get(key)
    ]
    before = {r["id"]: r for r in signed.get("results", [])}
    after = {r["id"]: r for r in now["results"]}
    for pk in sorted(before):
        if pk not in after:
            changes.append(_("result %(id)s removed") % {"id": pk})
            continue
        fields = sorted(k for k in before[pk] if before[pk][k] != after[pk].get(k))
        if fields:
            changes.append(
                _("result %(id)s (%(test)s): %(fields)s")
                % {"id": pk, "test": before[pk]["test"], "fields": ", ".join(fields)}
            )
    return changes


def signature_verify(release: Release) -> SignatureCheck:
    """Recompute the hash of the record the release signed (the bank and the results that
    existed when it was signed, as they are now) and compare it with the signature's."""
    signature: Signature = release.signature
    stored_ok = hashlib.sha256(signature.record.encode()).hexdigest() == signature.record_hash
    signed = json.loads(signature.record)
    now = qc_record(release.bank, result_ids=[r["id"] for r in signed.get("results", [])])
    current = record_hash(now)
    changes = _differences(signed, now)
    if not stored_ok:
        changes.insert(0, _("the stored copy of the signed record does not match its hash"))
    return SignatureCheck(
        intact=stored_ok and current == signature.record_hash,
        signed_hash=signature.record_hash,
        current_hash=current,
        changes=changes,
        superseded=signature.superseded_at is not None,
    )


# Visibility


def visible_nonconformities(user: Any) -> QuerySet[Nonconformity]:
    found = Nonconformity.objects.select_related(
        "bank", "result__test", "opened_by", "closed_by", "closure_signature"
    )
    if is_platform_admin(user):
        return found
    if Perm.INVENTORY_VIEW in permissions_of(user) and user.institution_id:
        return found.filter(bank__institution_id=user.institution_id)
    return found.none()


def nonconformity_for(user: Any, pk: int) -> Nonconformity:
    found = visible_nonconformities(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No nonconformity NC-%(n)s that you may see") % {"n": pk})
    return found


# Temperature excursions and their disposition


def visible_excursions(user: Any) -> QuerySet[Excursion]:
    """Excursions of the equipment the user may see, newest first."""
    return Excursion.objects.filter(equipment__in=visible_equipment(user)).select_related(
        "equipment", "review__signature"
    )


def open_excursions(user: Any) -> QuerySet[Excursion]:
    """Excursions awaiting QA's decision, oldest first."""
    return visible_excursions(user).filter(review__isnull=True).order_by("start", "pk")


def excursion_for(user: Any, pk: int) -> Excursion:
    found = visible_excursions(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No temperature excursion %(n)s that you may see") % {"n": pk})
    return found


def vials_held_by_open_excursions(bank: CellBank) -> int:
    """The bank's quarantined vials that an excursion awaiting a decision holds."""
    awaiting = ExcursionVial.objects.filter(
        vial__bank_id=bank.pk, excursion__review__isnull=True
    ).values("vial_id")
    return Vial.objects.filter(
        bank_id=bank.pk, status=VialStatus.QUARANTINED, pk__in=awaiting
    ).count()


def excursion_record(
    excursion: Excursion, assessment: str, decided: list[dict[str, Any]]
) -> dict[str, Any]:
    """What a disposition's signature binds: the excursion, the assessment and every vial's
    decision with its status before and after."""
    return {
        "excursion": {
            "id": excursion.pk,
            "equipment": excursion.equipment.name,
            "start": excursion.start.isoformat(),
            "end": excursion.end.isoformat(),
            "min_temperature_c": _decimal(excursion.min_temperature_c),
            "max_temperature_c": _decimal(excursion.max_temperature_c),
            "reading_count": excursion.reading_count,
        },
        "impact_assessment": assessment,
        "decisions": decided,
    }
