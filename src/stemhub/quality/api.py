"""/api/v1/quality: the QC catalogue, a bank's QC record, results, nonconformities and
releases. Parse, call a service or selector, shape."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.params import functions as param

from stemhub.accounts.models import User
from stemhub.accounts.permissions import Perm, require
from stemhub.biobank.models import CellBank
from stemhub.biobank.selectors import bank_for, visible_banks
from stemhub.core.api import Limit, Words, file_answer, one_of
from stemhub.core.errors import InvalidInput, NotFound
from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.equipment.models import Equipment, Excursion
from stemhub.qms.capa_api import CapaRefOut, capa_ref
from stemhub.qms.capa_sources import capa_open_for_excursion, capa_open_for_nonconformity
from stemhub.quality import dispositions, selectors, services
from stemhub.quality.models import (
    CertificateLanguage,
    ExcursionVialDecision,
    Nonconformity,
    QcResult,
    QcTest,
    Release,
)

router = Router(tags=["quality"])


# Shapes


class ReviseIn(Schema):
    reason: Words
    name: str | None = None
    method: str | None = None
    allowed_results: list[str] | None = None
    accepted_results: list[str] | None = None
    unit: str | None = None
    lower_limit: Limit | None = None
    lower_inclusive: bool | None = None
    upper_limit: Limit | None = None
    upper_inclusive: bool | None = None
    required_tiers: list[str] | None = None
    clinical_only: bool | None = None
    for_products: bool | None = None


class CorrectIn(Schema):
    value: str = Field(min_length=1)
    reason: Words
    comment: str | None = None


class NonconformityIn(Schema):
    description: str = Field(min_length=1)
    result: int | None = None


class CloseIn(Schema):
    reason: Words
    password: str = ""
    capa: str = ""


class ReleaseIn(Schema):
    password: str = Field(min_length=1)
    # The certificate of analysis's language; by default the signer's.
    certificate_language: str = one_of(CertificateLanguage.values, "")


class QcTestOut(Schema):
    code: str
    version: int
    current: bool
    name: str
    category: str
    method: str
    spec_kind: str
    specification: str
    allowed_results: list[str]
    accepted_results: list[str]
    unit: str
    lower_limit: Decimal | None
    lower_inclusive: bool
    upper_limit: Decimal | None
    upper_inclusive: bool
    required_tiers: list[str]
    clinical_only: bool
    for_products: bool


class QcResultOut(Schema):
    id: int
    test: str
    test_version: int
    test_name: str
    specification: str
    value: Decimal | str
    unit: str
    method: str
    operator: str
    instrument: str | None
    tested_on: str
    raw_file_sha256: str | None
    passed: bool
    flag: str
    str_score: Decimal | None
    judgement: str
    comment: str
    recorded_by: str
    recorded_at: str
    corrected_at: str | None


class NonconformityOut(Schema):
    id: int
    bank: str
    result: int | None
    description: str
    status: str
    opened_by: str
    opened_at: str
    capa: str
    closure_reason: str
    closed_by: str | None
    closed_at: str | None


class ReleaseSignatureOut(Schema):
    printed_name: str
    signer: str
    signed_at: str
    meaning: str
    record_sha256: str
    superseded_at: str | None


class ReleaseVerificationOut(Schema):
    state: str
    intact: bool
    current_sha256: str
    changes: list[str]


class ReleaseOut(Schema):
    id: int
    bank: str
    released_at: str
    standing: bool
    invalidated_at: str | None
    invalidated_reason: str
    signature: ReleaseSignatureOut
    verification: ReleaseVerificationOut


class BankQcOut(Schema):
    bank: str
    tier: str
    released: bool
    required: list[str]
    missing: list[str]
    failed: list[str]
    results: list[QcResultOut]
    nonconformities: list[NonconformityOut]
    releases: list[ReleaseOut]


class QcExcursionVialOut(Schema):
    barcode: str
    bank: str
    status_at_detection: str
    quarantined_by_detection: bool
    status: str
    decision: str | None


class QcExcursionReviewOut(Schema):
    impact_assessment: str
    reviewed_at: str
    printed_name: str
    meaning: str
    record_sha256: str


class QcExcursionOut(Schema):
    id: int
    equipment: str
    start: str
    end: str
    min_temperature_c: Decimal
    max_temperature_c: Decimal
    reading_count: int
    decided: bool
    vials: list[QcExcursionVialOut]
    review: QcExcursionReviewOut | None


def test_out(test: QcTest) -> dict[str, Any]:
    return {
        "code": test.code,
        "version": test.version,
        "current": test.current,
        "name": test.name,
        "category": test.category,
        "method": test.method,
        "spec_kind": test.spec_kind,
        "specification": test.specification,
        "allowed_results": test.allowed_results,
        "accepted_results": test.accepted_results,
        "unit": test.unit,
        "lower_limit": test.lower_limit,
        "lower_inclusive": test.lower_inclusive,
        "upper_limit": test.upper_limit,
        "upper_inclusive": test.upper_inclusive,
        "required_tiers": test.required_tiers,
        "clinical_only": test.clinical_only,
        "for_products": test.for_products,
    }


def result_out(result: QcResult) -> dict[str, Any]:
    return {
        "id": result.pk,
        "test": result.test.code,
        "test_version": result.test.version,
        "test_name": result.test.name,
        "specification": result.test.specification,
        "value": result.value_text if result.value_number is None else result.value_number,
        "unit": result.unit,
        "method": result.method,
        "operator": result.operator.get_username(),
        "instrument": result.instrument.name if result.instrument_id else None,  # type: ignore[union-attr]
        "tested_on": result.tested_on.isoformat(),
        "raw_file_sha256": result.raw_sha256 or None,
        "passed": result.passed,
        "flag": result.flag,
        "str_score": result.str_score,
        "judgement": result.judgement,
        "comment": result.comment,
        "recorded_by": result.recorded_by.get_username(),
        "recorded_at": result.recorded_at.isoformat(),
        "corrected_at": result.corrected_at.isoformat() if result.corrected_at else None,
    }


def nonconformity_out(nc: Nonconformity) -> dict[str, Any]:
    return {
        "id": nc.pk,
        "bank": nc.bank.code,
        "result": nc.result_id,
        "description": nc.description,
        "status": nc.status,
        "opened_by": nc.opened_by.get_username(),
        "opened_at": nc.opened_at.isoformat(),
        "capa": nc.capa,
        "closure_reason": nc.closure_reason,
        "closed_by": nc.closed_by.get_username() if nc.closed_by_id else None,  # type: ignore[union-attr]
        "closed_at": nc.closed_at.isoformat() if nc.closed_at else None,
    }


def release_out(release: Release) -> dict[str, Any]:
    signature = release.signature
    check = selectors.signature_verify(release)
    return {
        "id": release.pk,
        "bank": release.bank.code,
        "released_at": release.released_at.isoformat(),
        "standing": release.standing,
        "invalidated_at": release.invalidated_at.isoformat() if release.invalidated_at else None,
        "invalidated_reason": release.invalidated_reason,
        "signature": {
            "printed_name": signature.printed_name,
            "signer": signature.signer.get_username(),
            "signed_at": signature.signed_at.isoformat(),
            "meaning": signature.meaning,
            "record_sha256": signature.record_hash,
            "superseded_at": signature.superseded_at.isoformat()
            if signature.superseded_at
            else None,
        },
        "verification": {
            "state": check.state,
            "intact": check.intact,
            "current_sha256": check.current_hash,
            "changes": check.changes,
        },
    }


# Helpers


def _bank(request: HttpRequest, bank_id: int) -> CellBank:
    require(request.user, Perm.INVENTORY_VIEW)
    return bank_for(request.user, bank_id)


def _result(request: HttpRequest, result_id: int) -> QcResult:
    require(request.user, Perm.INVENTORY_VIEW)
    found = (
        QcResult.objects.select_related("bank", "test", "operator", "instrument", "recorded_by")
        .filter(pk=result_id, bank__in=visible_banks(request.user))
        .first()
    )
    if found is None:
        raise NotFound(_("No QC result %(n)s that you may see") % {"n": result_id})
    return found


def _release(request: HttpRequest, release_id: int) -> Release:
    require(request.user, Perm.INVENTORY_VIEW)
    found = (
        Release.objects.select_related("bank", "signature__signer")
        .filter(pk=release_id, bank__in=visible_banks(request.user))
        .first()
    )
    if found is None:
        raise NotFound(_("No release %(n)s that you may see") % {"n": release_id})
    return found


def _current_test(code: str, field: str = "test") -> QcTest:
    found = selectors.current_tests().filter(code=code).first()
    if found is None:
        raise NotFound(
            _("No QC test %(code)s in the catalogue") % {"code": repr(code)},
            fields={field: [_("unknown")]},
        )
    return found


def _user(bank: CellBank, username: str) -> User:
    found = User.objects.filter(username=username, institution_id=bank.institution_id).first()
    if found is None:
        raise InvalidInput(
            _("No staff member %(user)s at the bank's institution") % {"user": repr(username)},
            fields={"operator": [_("unknown")]},
        )
    return found


def _equipment(bank: CellBank, equipment_id: int) -> Equipment:
    found = Equipment.objects.filter(pk=equipment_id, institution_id=bank.institution_id).first()
    if found is None:
        raise InvalidInput(
            _("No equipment %(n)s at the bank's institution") % {"n": equipment_id},
            fields={"instrument": [_("unknown")]},
        )
    return found


def bank_qc_out(bank: CellBank) -> dict[str, Any]:
    readiness = selectors.bank_readiness(bank)
    results = (
        QcResult.objects.filter(bank_id=bank.pk)
        .select_related("test", "operator", "instrument", "recorded_by")
        .order_by("tested_on", "id")
    )
    releases = Release.objects.filter(bank_id=bank.pk).select_related("bank", "signature__signer")
    return {
        "bank": bank.code,
        "tier": bank.tier,
        "released": selectors.bank_is_released(bank),
        "required": [t.code for t in selectors.required_tests(bank)],
        "missing": [t.code for t in readiness.missing],
        "failed": [r.test.code for r in readiness.failed],
        "results": [result_out(r) for r in results],
        "nonconformities": [
            nonconformity_out(n)
            for n in Nonconformity.objects.filter(bank_id=bank.pk).select_related(
                "bank", "opened_by", "closed_by"
            )
        ],
        "releases": [release_out(r) for r in releases],
    }


# Catalogue


@router.get("/quality/tests", response=list[QcTestOut])
def test_list(
    request: AuthenticatedHttpRequest, all_versions: bool = False
) -> list[dict[str, Any]]:
    """Needs biobank.view: the QC catalogue's current tests (every version with
    `all_versions=true`)."""
    require(request.user, Perm.INVENTORY_VIEW)
    tests = QcTest.objects.all() if all_versions else selectors.current_tests()
    return [test_out(t) for t in tests.order_by("category", "code", "-version")]


@router.post("/quality/tests/{code}/revise", response={201: QcTestOut})
def test_revise(
    request: AuthenticatedHttpRequest, code: str, payload: ReviseIn
) -> Status[dict[str, Any]]:
    """Needs quality.release (platform admins: the catalogue is shared): a new version of a
    test's specification; results keep the version they were judged against."""
    require(request.user, Perm.QC_RELEASE)
    changes = {k: v for k, v in payload.dict().items() if v is not None and k != "reason"}
    test = services.qc_test_revise(
        actor=request.user, test=_current_test(code, "code"), reason=payload.reason, **changes
    )
    return Status(201, test_out(test))


# A bank's QC record


@router.get("/quality/banks/{bank_id}", response=BankQcOut)
def bank_qc(request: AuthenticatedHttpRequest, bank_id: int) -> dict[str, Any]:
    """Needs biobank.view in the bank's institution: results, what release still needs,
    nonconformities, releases with their signatures and verification."""
    return bank_qc_out(_bank(request, bank_id))


@router.post("/quality/banks/{bank_id}/results", response={201: QcResultOut})
def result_record(
    request: AuthenticatedHttpRequest,
    bank_id: int,
    tested_on: Form[date],
    test: str = param.Form(..., min_length=1),
    value: str = param.Form(..., min_length=1),
    unit: Form[str] = "",
    method: Form[str] = "",
    operator: Form[str] = "",
    # A form field cannot be null: left out, there is no instrument and no raw file.
    instrument: Form[int] = None,  # type: ignore[assignment]
    comment: Form[str] = "",
    raw_file: File[UploadedFile] = None,  # type: ignore[assignment]
) -> Status[dict[str, Any]]:
    """Needs quality.record in the bank's institution: a result (multipart form, the raw file
    in `raw_file`), judged against the test's current specification."""
    bank = _bank(request, bank_id)
    require(request.user, Perm.QC_RECORD, bank.institution_id)
    upload = None
    if raw_file is not None:
        if raw_file.size and raw_file.size > services.MAX_RAW_FILE:
            raise services.raw_file_too_large()
        upload = services.Upload(
            raw_file.name or "raw", raw_file.read(), raw_file.content_type or ""
        )
    result = services.qc_result_record(
        actor=request.user,
        bank=bank,
        test=_current_test(test),
        value=value,
        tested_on=tested_on,
        unit=unit,
        method=method,
        operator=_user(bank, operator) if operator else None,
        instrument=_equipment(bank, instrument) if instrument is not None else None,
        raw_file=upload,
        comment=comment,
    )
    return Status(201, result_out(result))


@router.post("/quality/results/{result_id}/correct", response=QcResultOut)
def result_correct(
    request: AuthenticatedHttpRequest, result_id: int, payload: CorrectIn
) -> dict[str, Any]:
    """Needs quality.record in the bank's institution: correct a result's value, with a reason.
    A released bank loses its release."""
    result = services.qc_result_correct(
        actor=request.user,
        result=_result(request, result_id),
        value=payload.value,
        reason=payload.reason,
        comment=payload.comment,
    )
    return result_out(result)


@router.get("/quality/results/{result_id}/raw-file", openapi_extra=file_answer("*/*"))
def result_raw_file(request: AuthenticatedHttpRequest, result_id: int) -> HttpResponse:
    """Needs biobank.view in the bank's institution: the result's raw file as uploaded."""
    result = _result(request, result_id)
    if result.raw_file_id is None:
        raise NotFound(_("Result %(n)s has no raw file") % {"n": result_id})
    raw = result.raw_file
    response = HttpResponse(bytes(raw.content), content_type="application/octet-stream")  # type: ignore[union-attr]
    response["Content-Disposition"] = f'attachment; filename="{raw.name}"'  # type: ignore[union-attr]
    response["X-Content-SHA256"] = raw.sha256  # type: ignore[union-attr]
    return response


# Nonconformities


@router.get("/quality/nonconformities", response=list[NonconformityOut])
def nonconformity_list(
    request: AuthenticatedHttpRequest, status: str = param.Query("", pattern="^(open|closed|)$")
) -> list[dict[str, Any]]:
    """Needs biobank.view: your institution's nonconformities (`status=open` or `closed`)."""
    require(request.user, Perm.INVENTORY_VIEW)
    found = selectors.visible_nonconformities(request.user)
    if status:
        if status not in Nonconformity.Status.values:
            raise InvalidInput(_("status is open or closed"), fields={"status": [_("unknown")]})
        found = found.filter(status=status)
    return [nonconformity_out(n) for n in found]


@router.post("/quality/banks/{bank_id}/nonconformities", response={201: NonconformityOut})
def nonconformity_open(
    request: AuthenticatedHttpRequest, bank_id: int, payload: NonconformityIn
) -> Status[dict[str, Any]]:
    """Needs quality.record in the bank's institution: open a nonconformity."""
    bank = _bank(request, bank_id)
    result = None
    if payload.result is not None:
        result = QcResult.objects.filter(pk=payload.result, bank=bank).first()
        if result is None:
            raise NotFound(
                _("No result %(n)s of %(bank)s") % {"n": payload.result, "bank": bank.code},
                fields={"result": [_("unknown")]},
            )
    found = services.nonconformity_open(
        actor=request.user, bank=bank, description=payload.description, result=result
    )
    return Status(201, nonconformity_out(found))


@router.post("/quality/nonconformities/{nc_id}/close", response=NonconformityOut)
def nonconformity_close(
    request: AuthenticatedHttpRequest, nc_id: int, payload: CloseIn
) -> dict[str, Any]:
    """Needs quality.release in the bank's institution: close with a reason (and the CAPA),
    signed with the closer's password."""
    require(request.user, Perm.INVENTORY_VIEW)
    found = services.nonconformity_close(
        actor=request.user,
        nonconformity=selectors.nonconformity_for(request.user, nc_id),
        reason=payload.reason,
        password=payload.password,
        capa=payload.capa,
    )
    return nonconformity_out(found)


@router.post("/quality/nonconformities/{nc_id}/capa", response={201: CapaRefOut})
def nonconformity_capa(request: AuthenticatedHttpRequest, nc_id: int) -> Status[Any]:
    """Needs qms.record in the bank's institution: open the nonconformity's CAPA (or return
    the one it opened)."""
    require(request.user, Perm.INVENTORY_VIEW)
    capa = capa_open_for_nonconformity(
        actor=request.user, nonconformity=selectors.nonconformity_for(request.user, nc_id)
    )
    return Status(201, capa_ref(capa))


# Release


@router.post("/quality/banks/{bank_id}/release", response={201: ReleaseOut})
def bank_release(
    request: AuthenticatedHttpRequest, bank_id: int, payload: ReleaseIn
) -> Status[dict[str, Any]]:
    """Needs quality.release in the bank's institution: sign the release (password
    re-entered); refused, naming them, while tests are missing or failed."""
    release = services.bank_release(
        actor=request.user,
        bank=_bank(request, bank_id),
        password=payload.password,
        certificate_language=payload.certificate_language,
    )
    return Status(201, release_out(release))


@router.get("/quality/releases/{release_id}", response=ReleaseOut)
def release_detail(request: AuthenticatedHttpRequest, release_id: int) -> dict[str, Any]:
    """Needs biobank.view in the bank's institution: the release, its signature and whether the
    signed record is unchanged."""
    return release_out(_release(request, release_id))


# Temperature excursions


class ExcursionDecisionIn(Schema):
    impact_assessment: str = Field(min_length=1)
    password: str = Field(min_length=1)
    decision: str = ""
    decisions: dict[str, str] = {}


def excursion_out(excursion: Excursion) -> dict[str, Any]:
    flagged = excursion.flagged.select_related("vial__bank").order_by("vial__barcode")
    decided = {
        d.flagged_id: d
        for d in ExcursionVialDecision.objects.filter(flagged__excursion_id=excursion.pk)
    }
    review = getattr(excursion, "review", None)
    return {
        "id": excursion.pk,
        "equipment": excursion.equipment.name,
        "start": excursion.start.isoformat(),
        "end": excursion.end.isoformat(),
        "min_temperature_c": excursion.min_temperature_c,
        "max_temperature_c": excursion.max_temperature_c,
        "reading_count": excursion.reading_count,
        "decided": review is not None,
        "vials": [
            {
                "barcode": row.vial.barcode,
                "bank": row.vial.bank.code,
                "status_at_detection": row.status_at_detection,
                "quarantined_by_detection": row.quarantined,
                "status": row.vial.status,
                "decision": decided[row.pk].decision if row.pk in decided else None,
            }
            for row in flagged
        ],
        "review": None
        if review is None
        else {
            "impact_assessment": review.impact_assessment,
            "reviewed_at": review.reviewed_at.isoformat(),
            "printed_name": review.signature.printed_name,
            "meaning": review.signature.meaning,
            "record_sha256": review.signature.record_hash,
        },
    }


@router.get("/quality/excursions", response=list[QcExcursionOut])
def excursion_list(
    request: AuthenticatedHttpRequest, awaiting: bool = False
) -> list[dict[str, Any]]:
    """Needs biobank.view: your institution's temperature excursions (`awaiting=true`: those
    awaiting a decision, oldest first)."""
    require(request.user, Perm.INVENTORY_VIEW)
    found = (
        selectors.open_excursions(request.user)
        if awaiting
        else selectors.visible_excursions(request.user).order_by("-start", "-pk")
    )
    return [excursion_out(e) for e in found]


@router.get("/quality/excursions/{excursion_id}", response=QcExcursionOut)
def excursion_detail(request: AuthenticatedHttpRequest, excursion_id: int) -> dict[str, Any]:
    """Needs biobank.view in the unit's institution: the excursion, its vials and decision."""
    require(request.user, Perm.INVENTORY_VIEW)
    return excursion_out(selectors.excursion_for(request.user, excursion_id))


@router.post("/quality/excursions/{excursion_id}/decision", response={201: QcExcursionOut})
def excursion_decide(
    request: AuthenticatedHttpRequest, excursion_id: int, payload: ExcursionDecisionIn
) -> Status[dict[str, Any]]:
    """Needs quality.release in the unit's institution: decide the excursion, signed with your
    password: `decision` for every vial in stock, `decisions` (barcode → release, keep or
    destroy) for those decided otherwise."""
    require(request.user, Perm.INVENTORY_VIEW)
    excursion = selectors.excursion_for(request.user, excursion_id)
    dispositions.excursion_decide(
        actor=request.user,
        excursion=excursion,
        impact_assessment=payload.impact_assessment,
        password=payload.password,
        decision=payload.decision,
        decisions=payload.decisions,
    )
    return Status(201, excursion_out(selectors.excursion_for(request.user, excursion_id)))


@router.post("/quality/excursions/{excursion_id}/capa", response={201: CapaRefOut})
def excursion_capa(request: AuthenticatedHttpRequest, excursion_id: int) -> Status[Any]:
    """Needs qms.record in the unit's institution: open the excursion's CAPA (or return the
    one it opened)."""
    require(request.user, Perm.INVENTORY_VIEW)
    capa = capa_open_for_excursion(
        actor=request.user, excursion=selectors.excursion_for(request.user, excursion_id)
    )
    return Status(201, capa_ref(capa))
