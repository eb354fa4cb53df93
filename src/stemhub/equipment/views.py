"""Pages of the equipment register: the list with what is due, a unit's page, and the
temperature log upload."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from stemhub.accounts.permissions import Perm, user_can
from stemhub.core.errors import InvalidInput
from stemhub.core.pages import page
from stemhub.equipment import services
from stemhub.equipment.selectors import (
    equipment_due,
    equipment_or_404,
    equipment_usable,
    visible_equipment,
)

inventory_viewers_only = page(Perm.INVENTORY_VIEW, what="The equipment register")


@require_GET
@inventory_viewers_only
def equipment_list(request: HttpRequest) -> HttpResponse:
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
def equipment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Needs biobank.view for the unit's institution: its calibration, maintenance, temperature
    logs and excursions with the vials they flagged."""
    unit = equipment_or_404(request.user, pk)
    excursions = unit.excursions.prefetch_related("flagged__vial")
    return render(
        request,
        "equipment/detail.html",
        {
            "unit": unit,
            "usable": equipment_usable(unit),
            "calibrations": unit.calibrations.all()[:20],
            "maintenance": unit.maintenance.all()[:20],
            "logs": unit.temperature_logs.all()[:20],
            "excursions": excursions[:50],
            "can_manage": user_can(request.user, Perm.EQUIPMENT_MANAGE, unit.institution_id),
        },
    )


@require_POST
@inventory_viewers_only
def temperature_log_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Needs equipment.manage for the unit's institution: upload a temperature log (a CSV
    file, or its text pasted as `content`)."""
    unit = equipment_or_404(request.user, pk)
    upload = request.FILES.get("file")
    pasted = request.POST.get("content", "")
    if upload is None and not pasted.strip():
        raise InvalidInput("Choose a CSV file or paste its text", fields={"file": ["required"]})
    log = services.temperature_log_upload(
        actor=request.user,
        equipment=unit,
        content=upload.read() if upload is not None else pasted.encode(),
        filename=(upload.name if upload is not None else "") or "pasted.csv",
        quarantine=request.POST.get("quarantine", "on") == "on",
    )
    found = log.excursions.count()
    messages.success(
        request,
        f"Stored {log.reading_count} readings from {log.filename}; "
        f"{found} excursion{'s' if found != 1 else ''} found.",
    )
    return redirect("equipment:detail", pk=unit.pk)
