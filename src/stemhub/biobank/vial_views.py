"""The vial page under /biobank/vials/: a vial's place and chain of custody, and the forms to
check it out, return, thaw, dispose of it or change its status. Parse, call, render; a refused
action comes back on the vial page with the service's message and fields."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stemhub.accounts.permissions import Perm, user_can
from stemhub.biobank import selectors, services
from stemhub.biobank.models import GONE, Container, CustodyEvent, VialStatus
from stemhub.biobank.views import (
    chosen_place,
    form_error,
    free_place_groups,
    int_field,
    inventory_page,
    shown_on_form,
)
from stemhub.core.errors import InvalidInput, StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest


@inventory_page
def vial(request: AuthenticatedHttpRequest, barcode: str) -> HttpResponse:
    """Needs biobank.view in the vial's institution: the vial, its chain of custody, and to
    those who may the forms to check it out, return, thaw, dispose of it or change its status."""
    return _vial_page(request, selectors.vial_for(request.user, barcode))


STATUS_CHOICES = [
    (VialStatus.QUARANTINED, VialStatus.QUARANTINED.label),
    (VialStatus.AVAILABLE, VialStatus.AVAILABLE.label),
    (VialStatus.RESERVED, VialStatus.RESERVED.label),
]


def _vial_page(
    request: HttpRequest, found: Any, *, error: StemhubError | None = None, form: str = ""
) -> HttpResponse:
    place, trail = "", []
    if found.container_id:
        trail = selectors.container_ancestors(found.container)
        place = selectors.place_text(
            "/".join(c.name for c in trail), found.container, found.row, found.column
        )
    history = selectors.vial_history(found)
    institution_id = found.bank.institution_id
    can_edit = user_can(request.user, Perm.INVENTORY_EDIT, institution_id)
    can_status = can_edit or any(
        user_can(request.user, perm, institution_id)
        for perm in (Perm.QC_RELEASE, Perm.EQUIPMENT_MANAGE)
    )
    gone = found.status in GONE
    came_from = next(
        (e.from_container_id for e in reversed(history) if e.kind == CustodyEvent.Kind.CHECK_OUT),
        None,
    )
    values = request.POST if error is not None else {}
    places = (
        selectors.free_places(request.user, boxes=True)
        if can_edit and found.checked_out_to_id
        else []
    )
    # Offered first: what was chosen, else the first free position of the box it came from.
    return_place = values.get("place") or next(
        (p.value for p in places if p.container_id == came_from), ""
    )
    return render(
        request,
        "biobank/vial.html",
        {
            "vial": found,
            "place": place,
            "trail": trail,
            "position": found.container.type.label(found.row, found.column)
            if found.container_id
            else "",
            "history": history,
            "gone": gone,
            "can_edit": can_edit and not gone,
            "can_status": can_status and not gone,
            "places": free_place_groups(places),
            "return_place": return_place,
            "statuses": STATUS_CHOICES,
            "values": values,
            **form_error(error, form),
        },
        status=error.status if error is not None else 200,
    )


def _vial_action(
    request: HttpRequest,
    barcode: str,
    form: str,
    act: Callable[[Any], Any],
    done: str,
    **values: Any,
) -> HttpResponse:
    """Run `act` on the vial; `done` is the message of success, with `%(barcode)s` and any
    other `values`."""
    found = selectors.vial_for(request.user, barcode)
    try:
        act(found)
    except StemhubError as error:
        if not shown_on_form(error):
            raise
        return _vial_page(
            request, selectors.vial_for(request.user, barcode), error=error, form=form
        )
    messages.success(request, done % {"barcode": found.barcode, **values})
    return redirect("biobank:vial", barcode=found.barcode)


@require_POST
@inventory_page
def vial_check_out(request: AuthenticatedHttpRequest, barcode: str) -> HttpResponse:
    """Needs biobank.edit: take the vial out of storage (refused when someone has it)."""
    reason = request.POST.get("reason", "")
    return _vial_action(
        request,
        barcode,
        "check_out",
        lambda v: services.vial_check_out(actor=request.user, vial=v, reason=reason),
        _("Vial %(barcode)s checked out."),
    )


@require_POST
@inventory_page
def vial_return(request: AuthenticatedHttpRequest, barcode: str) -> HttpResponse:
    """Needs biobank.edit: put a checked-out vial back into a box position."""

    def act(found: Any) -> None:
        box_id, position = chosen_place(request, "container")
        box = _target_box(request, box_id)
        row, column = services.resolve_position(box, position)
        services.vial_return(
            actor=request.user,
            vial=found,
            container=box,
            row=row,
            column=column,
            reason=request.POST.get("reason", ""),
        )

    return _vial_action(request, barcode, "return", act, _("Vial %(barcode)s returned."))


def _target_box(request: HttpRequest, value: str | None) -> Container:
    try:
        return selectors.container_for(request.user, int_field(value, "container"))
    except StemhubError:
        raise InvalidInput(
            _("Choose a box you may use"), fields={"container": [_("unknown")]}
        ) from None


@require_POST
@inventory_page
def vial_thaw(request: AuthenticatedHttpRequest, barcode: str) -> HttpResponse:
    """Needs biobank.edit: thaw the vial for QC or for culture; it leaves the inventory."""
    purpose = request.POST.get("purpose", "")
    return _vial_action(
        request,
        barcode,
        "thaw",
        lambda v: services.vial_thaw(
            actor=request.user,
            vial=v,
            purpose=purpose,  # type: ignore[arg-type]
            reason=request.POST.get("reason", ""),
        ),
        _("Vial %(barcode)s thawed."),
    )


@require_POST
@inventory_page
def vial_dispose(request: AuthenticatedHttpRequest, barcode: str) -> HttpResponse:
    """Needs biobank.edit: destroy the vial, with a reason."""
    reason = request.POST.get("reason", "")
    return _vial_action(
        request,
        barcode,
        "dispose",
        lambda v: services.vial_dispose(actor=request.user, vial=v, reason=reason),
        _("Vial %(barcode)s disposed of."),
    )


@require_POST
@inventory_page
def vial_status(request: AuthenticatedHttpRequest, barcode: str) -> HttpResponse:
    """Needs biobank.edit to change a vial's status; a quarantine may also be imposed with
    quality.release or equipment.manage, and is lifted only with quality.release."""
    status = request.POST.get("status", "")
    label = VialStatus(status).label.lower() if status in VialStatus.values else status
    return _vial_action(
        request,
        barcode,
        "status",
        lambda v: services.vial_set_status(
            actor=request.user, vial=v, status=status, reason=request.POST.get("reason", "")
        ),
        _("Vial %(barcode)s is now %(status)s."),
        status=label,
    )
