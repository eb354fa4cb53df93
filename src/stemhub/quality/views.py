"""Quality pages under /quality/: the catalogue, a bank's QC record (results, nonconformities,
release and signature), the nonconformity list. Parse, call, render."""

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from stemhub.accounts.permissions import Perm, require, user_can
from stemhub.biobank.models import Vial, VialStatus
from stemhub.biobank.selectors import bank_for, visible_banks
from stemhub.core.auth import printed_name
from stemhub.core.errors import InvalidInput, NotFound, StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest, page
from stemhub.equipment.models import Equipment
from stemhub.qms.capa_sources import capa_open_for_nonconformity
from stemhub.qms.models import Capa, CapaSource
from stemhub.quality import selectors, services, wording
from stemhub.quality.coa import certificate_language_for
from stemhub.quality.evaluation import evaluate
from stemhub.quality.models import CertificateLanguage, Nonconformity, QcResult, QcTest, Release

# `what` is lazy: the refusal names it in the reader's language.
quality_page = page(Perm.INVENTORY_VIEW, what=cast(str, gettext_lazy("Quality records")))

# The forms' fields as the page labels them, for error messages that name them.
FIELD_LABELS = {
    "test": gettext_lazy("Test"),
    "value": gettext_lazy("Result"),
    "unit": gettext_lazy("Unit"),
    "tested_on": gettext_lazy("Test date"),
    "method": gettext_lazy("Method"),
    "instrument": gettext_lazy("Instrument"),
    "raw_file": gettext_lazy("Raw file"),
    "comment": gettext_lazy("Comment"),
    "reason": gettext_lazy("Reason for the correction"),
    "description": gettext_lazy("Description"),
    "closure_reason": gettext_lazy("Reason for closing"),
    "capa": gettext_lazy("Corrective and preventive action (CAPA)"),
    "password": gettext_lazy("Your password"),
    "nonconformities": gettext_lazy("Nonconformities"),
    "bank": gettext_lazy("Bank"),
    "status": gettext_lazy("Status"),
    "certificate_language": pgettext_lazy("certificate", "Certificate language"),
}


@quality_page
def catalogue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs biobank.view: the QC tests, their specifications and versions."""
    tests = QcTest.objects.order_by("category", "code", "-version").select_related("created_by")
    return render(request, "quality/catalogue.html", {"tests": tests})


@dataclass
class ResultRow:
    """A line of the bank's results table: a result, or a required test still pending."""

    test: QcTest
    result: QcResult | None = None


def _result_rows(
    required: list[QcTest], results: list[QcResult]
) -> tuple[list[ResultRow], list[ResultRow]]:
    """The required tests, each with its latest result (or pending), then every other result:
    earlier ones a later result replaced, and tests the bank does not need."""
    latest: dict[str, QcResult] = {}
    for result in results:  # in test date order: the last one per test counts
        latest[result.test.code] = result
    counted = [ResultRow(test, latest.get(test.code)) for test in required]
    shown = {row.result.pk for row in counted if row.result is not None}
    others = [ResultRow(r.test, r) for r in results if r.pk not in shown]
    return counted, others


def _bank_context(request: HttpRequest, bank: Any) -> dict[str, Any]:
    results = list(
        QcResult.objects.filter(bank_id=bank.pk)
        .select_related("test", "operator", "instrument")
        .order_by("tested_on", "id")
    )
    releases = list(
        Release.objects.filter(bank_id=bank.pk)
        .select_related("signature__signer", "bank", "certificate")
        .defer("certificate__pdf")
    )
    institution = bank.institution_id
    readiness = selectors.bank_readiness(bank)
    counted, others = _result_rows(readiness.required, results)
    standing = next((r for r in releases if r.standing), None)
    return {
        "bank": bank,
        "counted": counted,
        "others": others,
        "required": readiness.required,
        "readiness": readiness,
        "nonconformities": _with_capas(
            Nonconformity.objects.filter(bank_id=bank.pk).select_related(
                "opened_by", "closed_by", "result__test", "closure_signature"
            )
        ),
        "can_open_capa": user_can(request.user, Perm.QMS_RECORD, institution),
        "releases": [(release, selectors.signature_verify(release)) for release in releases],
        "standing": standing,
        "released": standing is not None,
        "quarantined": Vial.objects.filter(bank_id=bank.pk, status=VialStatus.QUARANTINED).count(),
        "held": selectors.vials_held_by_open_excursions(bank),
        "tests": selectors.current_tests().order_by("category", "name"),
        "instruments": Equipment.objects.filter(institution_id=institution).order_by("name"),
        "can_record": user_can(request.user, Perm.QC_RECORD, institution),
        "can_release": user_can(request.user, Perm.QC_RELEASE, institution),
        "printed_name": printed_name(request.user),
        "certificate_languages": CertificateLanguage.choices,
        "certificate_language": certificate_language_for(request.user),
        "today": date.today().isoformat(),
        "values": {"test": request.GET.get("test", "")},
        "error": None,
        "field_labels": FIELD_LABELS,
    }


def _with_capas(found: Any) -> list[Any]:
    """The nonconformities, each with `capa_opened`: the CAPA it opened, or None."""
    listed = list(found)
    capas = {
        c.source_id: c
        for c in Capa.objects.filter(
            source=CapaSource.NONCONFORMITY, source_id__in=[nc.pk for nc in listed]
        )
    }
    for nc in listed:
        nc.capa_opened = capas.get(nc.pk)
    return listed


@quality_page
def bank(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs biobank.view in the bank's institution: its QC results against specification,
    nonconformities, release state and signatures."""
    return render(request, "quality/bank.html", _bank_context(request, bank_for(request.user, pk)))


def _form_error(
    request: HttpRequest, found: Any, error: StemhubError, *, closing: int | None = None
) -> HttpResponse:
    context = _bank_context(request, found)
    context["error"], context["values"], context["closing"] = error, request.POST, closing
    return render(request, "quality/bank.html", context, status=error.status)


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            _("%(field)s as YYYY-MM-DD") % {"field": FIELD_LABELS.get(field, field)},
            fields={field: [_("a date")]},
        ) from None


@require_POST
@quality_page
def result_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs quality.record in the bank's institution: record a result with its raw file."""
    found = bank_for(request.user, pk)
    require(request.user, Perm.QC_RECORD, found.institution_id)
    data = request.POST
    try:
        test = selectors.current_tests().filter(code=data.get("test", "")).first()
        if test is None:
            raise InvalidInput(_("Choose a test"), fields={"test": [_("unknown")]})
        instrument = None
        if data.get("instrument"):
            instrument = Equipment.objects.filter(
                pk=data["instrument"] if data["instrument"].isdigit() else 0,
                institution_id=found.institution_id,
            ).first()
            if instrument is None:
                raise InvalidInput(_("Choose an instrument"), fields={"instrument": [_("unknown")]})
        if not data.get("confirm_fail"):
            verdict = evaluate(test, data.get("value", ""), bank=found)
            if not verdict.passed:
                return _confirm_fail(request, found, verdict.judgement)
        upload = request.FILES.get("raw_file")
        result = services.qc_result_record(
            actor=request.user,
            bank=found,
            test=test,
            value=data.get("value", ""),
            tested_on=_date(data.get("tested_on", ""), "tested_on"),
            unit=data.get("unit", ""),
            method=data.get("method", ""),
            instrument=instrument,
            raw_file=services.Upload(upload.name or "raw", upload.read(), upload.content_type or "")
            if upload
            else None,
            comment=data.get("comment", ""),
        )
    except StemhubError as error:
        return _form_error(request, found, error)
    said = {
        "test": wording.term(result.test.name),
        "judgement": wording.recorded(result.judgement),
    }
    if result.passed:
        messages.success(request, _("%(test)s: %(judgement)s.") % said)
    else:
        messages.error(
            request,
            _(
                "%(test)s failed: %(judgement)s. A nonconformity is open and the bank's vials "
                "are quarantined."
            )
            % said,
        )
    return redirect("quality:bank", pk=found.pk)


def _confirm_fail(request: HttpRequest, found: Any, judgement: str) -> HttpResponse:
    """The form again, as typed, asking to confirm a result that fails the specification: saving
    it fails the bank, opens a nonconformity and quarantines the bank's vials."""
    context = _bank_context(request, found)
    context["values"] = request.POST
    context["confirm_fail"] = {"judgement": judgement, "had_file": "raw_file" in request.FILES}
    return render(request, "quality/bank.html", context)


def _result(request: HttpRequest, pk: int) -> QcResult:
    found = (
        QcResult.objects.select_related("bank", "test", "raw_file")
        .filter(pk=pk, bank__in=visible_banks(request.user))
        .first()
    )
    if found is None:
        raise NotFound(_("No QC result %(n)s that you may see") % {"n": pk})
    return found


@require_POST
@quality_page
def result_correct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs quality.record in the bank's institution: correct a result's value with a reason."""
    result = _result(request, pk)
    require(request.user, Perm.QC_RECORD, result.bank.institution_id)
    try:
        services.qc_result_correct(
            actor=request.user,
            result=result,
            value=request.POST.get("value", ""),
            reason=request.POST.get("reason", ""),
        )
    except StemhubError as error:
        return _form_error(request, result.bank, error)
    messages.success(request, _("%(test)s corrected.") % {"test": wording.term(result.test.name)})
    return redirect("quality:bank", pk=result.bank_id)


@quality_page
def raw_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs biobank.view in the bank's institution: a result's raw file as uploaded."""
    result = _result(request, pk)
    if result.raw_file is None:
        raise NotFound(_("Result %(n)s has no raw file") % {"n": pk})
    response = HttpResponse(bytes(result.raw_file.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{result.raw_file.name}"'
    return response


@require_POST
@quality_page
def nonconformity_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs quality.record in the bank's institution: open a nonconformity."""
    found = bank_for(request.user, pk)
    try:
        services.nonconformity_open(
            actor=request.user, bank=found, description=request.POST.get("description", "")
        )
    except StemhubError as error:
        return _form_error(request, found, error)
    messages.success(request, _("Nonconformity opened."))
    return redirect("quality:bank", pk=found.pk)


@require_POST
@quality_page
def nonconformity_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs quality.release in the bank's institution: close a nonconformity with a reason."""
    found = selectors.nonconformity_for(request.user, pk)
    try:
        services.nonconformity_close(
            actor=request.user,
            nonconformity=found,
            reason=request.POST.get("closure_reason", ""),
            password=request.POST.get("password", ""),
            capa=request.POST.get("capa", ""),
        )
    except StemhubError as error:
        if error.status == 403 and "password" not in error.fields:
            raise
        return _form_error(request, found.bank, error, closing=found.pk)
    messages.success(request, _("NC-%(n)s closed and signed.") % {"n": found.pk})
    return redirect("quality:bank", pk=found.bank_id)


@require_POST
@quality_page
def nonconformity_capa(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.record in the bank's institution: open the nonconformity's CAPA (or go to
    the one it opened)."""
    found = selectors.nonconformity_for(request.user, pk)
    capa = capa_open_for_nonconformity(actor=request.user, nonconformity=found)
    messages.success(
        request, _("%(capa)s is the CAPA of %(nc)s.") % {"capa": capa.number, "nc": found.number}
    )
    return redirect("qms:capa_detail", pk=capa.pk)


@require_POST
@quality_page
def release(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs quality.release in the bank's institution: sign the bank's release with your
    password."""
    found = bank_for(request.user, pk)
    require(request.user, Perm.QC_RELEASE, found.institution_id)
    try:
        services.bank_release(
            actor=request.user,
            bank=found,
            password=request.POST.get("password", ""),
            certificate_language=request.POST.get("certificate_language", ""),
        )
    except StemhubError as error:
        return _form_error(request, found, error)
    messages.success(request, _("%(bank)s released.") % {"bank": found.code})
    return redirect("quality:bank", pk=found.pk)


@quality_page
def nonconformities(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs biobank.view: your institution's nonconformities, open ones first."""
    status = request.GET.get("status", "")
    found = selectors.visible_nonconformities(request.user).order_by("status", "-opened_at")
    if status in Nonconformity.Status.values:
        found = found.filter(status=status)
    return render(
        request,
        "quality/nonconformities.html",
        {"nonconformities": _with_capas(found), "status": status},
    )
