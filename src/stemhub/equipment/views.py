"""Pages of the equipment register: the list with what is due, a unit's page, and the
temperature log upload."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from stemhub.accounts.permissions import Perm, user_can
from stemhub.core.errors import InvalidInput, StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest, page
from stemhub.equipment import services
from stemhub.equipment.models import CalibrationResult, Excursion
from stemhub.equipment.selectors import (
    equipment_due,
    equipment_or_404,
    equipment_usable,
    visible_equipment,
)

inventory_viewers_only = page(Perm.INVENTORY_VIEW, what=gettext_lazy("The equipment register"))
# The calibration form's fields, as its labels name them in an error's list.
CALIBRATION_LABELS = {
    "performed_on": gettext_lazy("Performed on"),
    "performed_by": gettext_lazy("Performed by"),
    "result": gettext_lazy("Result"),
    "valid_until": gettext_lazy("Valid until"),
    "certificate": gettext_lazy("Certificate"),
}


@require_GET
@inventory_viewers_only
def equipment_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs biobank.view: your institution's equipment and what is overdue or due soon."""
    units = list(visible_equipment(request.user))
    today = timezone.localdate()
    return render(
        request,
        "equipment/list.html",
        {
            "units": [(unit, equipment_usable(unit)) for unit in units],
            "due": equipment_due(visible_equipment(request.user), today=today),
            "today": today,
        },
    )


@require_GET
@inventory_viewers_only
def equipment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs biobank.view for the unit's institution: its calibration, maintenance, temperature
    logs and excursions with the vials they flagged, and to its managers the forms to record a
    calibration and upload a log."""
    return _detail_page(request, equipment_or_404(request.user, pk))


def _detail_page(
    request: HttpRequest, unit: Any, *, error: StemhubError | None = None, form: str = ""
) -> HttpResponse:
    excursions = list(
        unit.excursions.annotate(
            flagged_count=Count("flagged"),
            quarantined_count=Count("flagged", filter=Q(flagged__quarantined=True)),
            decided=Exists(Excursion.objects.filter(pk=OuterRef("pk"), review__isnull=False)),
        )[:50]
    )
    return render(
        request,
        "equipment/detail.html",
        {
            "unit": unit,
            "usable": equipment_usable(unit),
            "calibrations": unit.calibrations.all()[:20],
            "maintenance": unit.maintenance.all()[:20],
            "logs": unit.temperature_logs.all()[:20],
            "excursions": excursions,
            "can_manage": user_can(request.user, Perm.EQUIPMENT_MANAGE, unit.institution_id),
            "results": CalibrationResult.choices,
            "today": timezone.localdate(),
            "values": request.POST if error is not None else {},
            "error": error,
            "error_form": form,
            "bad": set(error.fields) if error is not None else set(),
            "labels": CALIBRATION_LABELS,
        },
        status=error.status if error is not None else 200,
    )


def _day(value: str, field: str, *, required: bool = True) -> date | None:
    if not value.strip() and not required:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            _("%(field)s is a date, YYYY-MM-DD") % {"field": CALIBRATION_LABELS.get(field, field)},
            fields={field: [_("a date, YYYY-MM-DD")]},
        ) from None


@require_POST
@inventory_viewers_only
def calibration_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs equipment.manage for the unit's institution: record a calibration (its date, who,
    the result, valid until, the certificate)."""
    unit = equipment_or_404(request.user, pk)
    data = request.POST
    try:
        performed_on = _day(data.get("performed_on", ""), "performed_on")
        services.calibration_record(
            actor=request.user,
            equipment=unit,
            performed_on=performed_on,  # type: ignore[arg-type]
            performed_by=data.get("performed_by", ""),
            result=data.get("result", ""),
            valid_until=_day(data.get("valid_until", ""), "valid_until", required=False),
            certificate=data.get("certificate", ""),
            notes=data.get("notes", ""),
        )
    except StemhubError as error:
        if error.status == 403:
            raise
        return _detail_page(request, unit, error=error, form="calibration")
    messages.success(
        request,
        _("Calibration of %(unit)s on %(day)s recorded.")
        % {"unit": unit.name, "day": performed_on},
    )
    return redirect("equipment:detail", pk=unit.pk)


@require_POST
@inventory_viewers_only
def temperature_log_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs equipment.manage for the unit's institution: upload a temperature log (a CSV
    file, or its text pasted as `content`)."""
    unit = equipment_or_404(request.user, pk)
    upload = request.FILES.get("file")
    pasted = request.POST.get("content", "")
    if upload is None and not pasted.strip():
        raise InvalidInput(
            _("Choose a CSV file or paste its text"), fields={"file": [_("required")]}
        )
    log = services.temperature_log_upload(
        actor=request.user,
        equipment=unit,
        content=upload.read() if upload is not None else pasted.encode(),
        filename=(upload.name if upload is not None else "") or "pasted.csv",
        quarantine=request.POST.get("quarantine", "on") == "on",
    )
    found = log.excursions.count()
    readings = ngettext(
        "Stored %(count)d reading from %(file)s.",
        "Stored %(count)d readings from %(file)s.",
        log.reading_count,
    ) % {"count": log.reading_count, "file": log.filename}
    excursions = ngettext("%(count)d excursion found.", "%(count)d excursions found.", found) % {
        "count": found
    }
    messages.success(request, f"{readings} {excursions}")
    return redirect("equipment:detail", pk=unit.pk)
