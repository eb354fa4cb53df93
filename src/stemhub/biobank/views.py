"""Biobank pages under /biobank/: storage and box grids, banks and labels, vial histories,
the free-space finder, the inventory import and the reports. Parse, call, render."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from stemhub.accounts.models import Institution
from stemhub.accounts.permissions import Perm, require, user_can
from stemhub.biobank import grids, imports, selectors, services, tasks
from stemhub.biobank.labels import label_sheet
from stemhub.biobank.models import (
    BankTier,
    Container,
    ContainerType,
    PositionHold,
    TemperatureClass,
    VialStatus,
)
from stemhub.core.errors import Forbidden, InvalidInput, StemhubError
from stemhub.core.exports import csv_download
from stemhub.core.pages import AuthenticatedHttpRequest, page
from stemhub.jobs import display as display_job
from stemhub.registry.selectors import visible_lines

inventory_page = page(Perm.INVENTORY_VIEW, what="The inventory")

# The fields a refusal may name, as the forms label them (an error's field, not the form's
# parameter name, is what a reader sees: "Passage number", 代次).
FIELD_LABELS = {
    "box": gettext_lazy("Box"),
    "cells_per_vial": gettext_lazy("Cells per vial"),
    "code": gettext_lazy("Code"),
    "container": gettext_lazy("Container"),
    "file": gettext_lazy("File"),
    "freeze_date": gettext_lazy("Freeze date"),
    "institution": gettext_lazy("Institution"),
    "kind": gettext_lazy("Kind"),
    "line": gettext_lazy("Line"),
    "n": gettext_lazy("Positions"),
    "name": gettext_lazy("Name"),
    "note": gettext_lazy("Note"),
    "parent": gettext_lazy("Parent"),
    "passage_number": gettext_lazy("Passage number"),
    "position": gettext_lazy("Position"),
    "purpose": gettext_lazy("Purpose"),
    "reason": gettext_lazy("Reason"),
    "sop": gettext_lazy("SOP followed"),
    "status": gettext_lazy("Status"),
    "tier": gettext_lazy("Tier"),
    "type": gettext_lazy("Type"),
    "vial": gettext_lazy("Vial"),
    "vial_count": gettext_lazy("Vial count"),
}


def _can(request: AuthenticatedHttpRequest, perm: Perm) -> bool:
    return user_can(request.user, perm, request.user.institution_id)


def int_field(value: str | None, field: str) -> int:
    try:
        return int(value or "")
    except ValueError:
        label = FIELD_LABELS.get(field, field)
        raise InvalidInput(
            _("%(field)s must be a number") % {"field": label}, fields={field: [_("a number")]}
        ) from None


def box_choices(request: HttpRequest) -> list[tuple[int, str]]:
    return [(pk, path) for pk, path, _numbered in selectors.place_choices(request.user, boxes=True)]


def free_place_groups(places: list[selectors.FreePlace]) -> list[tuple[str, list[Any]]]:
    """Free places grouped by container path, for a select with one group per container."""
    groups: dict[str, list[Any]] = {}
    for place in places:
        groups.setdefault(place.path, []).append(place)
    return list(groups.items())


def chosen_place(request: HttpRequest, container_field: str) -> tuple[str | None, str]:
    """(container id, position label) the form posted: from the free-place list (`place`,
    "<id>:<label>"), or from the container and position fields typed separately."""
    place = request.POST.get("place", "")
    if place:
        pk, _colon, label = place.partition(":")
        return pk, label
    return request.POST.get(container_field), request.POST.get("position", "").strip()


def form_error(error: StemhubError | None, form: str) -> dict[str, Any]:
    """Context for the form `form` that a service refused: the error and the fields it names
    (marked aria-invalid in the form)."""
    if error is None:
        return {"error": None, "error_form": "", "bad": set(), "field_labels": FIELD_LABELS}
    return {
        "error": error,
        "error_form": form,
        "bad": set(error.fields),
        "field_labels": FIELD_LABELS,
    }


def shown_on_form(error: StemhubError) -> bool:
    """A refusal the page shows next to the form (bad input, a conflict, an unknown target);
    a missing permission still becomes the 403 page."""
    return not isinstance(error, Forbidden)


# Storage


@inventory_page
def storage(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs biobank.view: the top of your institution's storage tree, and the vial finder
    (`?barcode=`: straight to the vial's page, or the page again saying none was found)."""
    barcode = request.GET.get("barcode", "").strip()
    if barcode:
        found = selectors.vial_find(request.user, barcode)
        if found is not None:
            return redirect("biobank:vial", barcode=found.barcode)
    roots = selectors.visible_containers(request.user).filter(parent__isnull=True)
    return render(
        request,
        "biobank/storage.html",
        {
            "roots": grids.roots_with_fill(roots.select_related("type")),
            "can_manage": _can(request, Perm.STORAGE_MANAGE),
            "barcode": barcode,
            "not_found": bool(barcode),
        },
        status=404 if barcode else 200,
    )


@inventory_page
def container(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs biobank.view in the container's institution: its contents; a box shows its grid,
    and to storage managers the forms to hold a position and to move the container."""
    found = selectors.container_for(request.user, pk)
    return _container_page(request, found)


def _container_page(
    request: AuthenticatedHttpRequest,
    found: Container,
    *,
    error: StemhubError | None = None,
    form: str = "",
) -> HttpResponse:
    ancestors = selectors.container_ancestors(found)
    grid = grids.container_grid(found)
    can_manage = _can(request, Perm.STORAGE_MANAGE)
    values = request.POST if error is not None else request.GET
    targets = (
        free_place_groups(selectors.free_places(request.user, boxes=False, exclude=found.pk))
        if can_manage and found.parent_id
        else []
    )
    return render(
        request,
        "biobank/container.html",
        {
            "container": found,
            "ancestors": ancestors[:-1],
            "path": "/".join(c.name for c in ancestors),
            "grid": grid,
            "fill": grids.fills([found])[found.pk],
            "children": grids.children_with_fill(found) if grid is None else [],
            "targets": targets,
            "can_manage": can_manage,
            "hold_kinds": PositionHold.Kind.choices,
            # One reverse() instead of one per cell of the grid; barcodes are URL-safe.
            "vial_url": reverse("biobank:vial", args=["-"])[:-2],
            "container_url": reverse("biobank:container", args=[0])[:-2],
            "values": values,
            "chosen": values.get("position", "").strip().upper()
            if grid and form in ("", "hold")
            else "",
            **form_error(error, form),
        },
        status=error.status if error is not None else 200,
    )


@require_POST
@inventory_page
def container_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs biobank.manage_storage: move the container (a box with its vials) elsewhere."""
    found = selectors.container_for(request.user, pk)
    try:
        parent_id, position = chosen_place(request, "parent")
        parent = selectors.container_for(request.user, int_field(parent_id, "parent"))
        row, column = services.resolve_position(parent, position)
        services.container_move(
            actor=request.user,
            container=found,
            parent=parent,
            row=row,
            column=column,
            reason=request.POST.get("reason", ""),
        )
    except StemhubError as error:
        if not shown_on_form(error):
            raise
        return _container_page(request, found, error=error, form="move")
    messages.success(
        request,
        _("%(name)s moved to %(path)s.")
        % {"name": found.name, "path": selectors.container_path(parent)},
    )
    return redirect("biobank:container", pk=found.pk)


@require_POST
@inventory_page
def container_hold(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs biobank.manage_storage: block or reserve a free position of a box, or release a
    held one (`kind` = free)."""
    found = selectors.container_for(request.user, pk)
    kind = request.POST.get("kind", "")
    label = request.POST.get("position", "").strip()
    try:
        row, column = services.resolve_position(found, label)
        if row is None or column is None:  # no label
            raise InvalidInput(_("Say which position"), fields={"position": [_("required")]})
        if kind == "free":
            services.position_release(
                actor=request.user,
                container=found,
                row=row,
                column=column,
                reason=request.POST.get("note", ""),
            )
        else:
            services.position_hold(
                actor=request.user,
                container=found,
                row=row,
                column=column,
                kind=kind,
                note=request.POST.get("note", ""),
            )
    except StemhubError as error:
        if not shown_on_form(error):
            raise
        return _container_page(request, found, error=error, form="hold")
    done = {
        "free": _("%(name)s %(label)s released."),
        PositionHold.Kind.BLOCKED: _("%(name)s %(label)s blocked."),
        PositionHold.Kind.RESERVED: _("%(name)s %(label)s reserved."),
    }[kind]
    messages.success(request, done % {"name": found.name, "label": found.type.label(row, column)})
    return redirect("biobank:container", pk=found.pk)


@inventory_page
def container_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs biobank.manage_storage: a new container (site, room, tank, rack, box), at the top
    level or inside another, at a numbered position where the parent has them."""
    require(request.user, Perm.STORAGE_MANAGE, request.user.institution_id)
    error: StemhubError | None = None
    if request.method == "POST":
        try:
            made = _create_container(request)
        except StemhubError as refused:
            if not shown_on_form(refused):
                raise
            error = refused
        else:
            messages.success(request, _("%(name)s created.") % {"name": made.name})
            return redirect("biobank:container", pk=made.pk)
    values = request.POST if request.method == "POST" else request.GET
    return render(
        request,
        "biobank/container_form.html",
        {
            "kinds": ContainerType.objects.all(),
            "parents": selectors.place_choices(request.user, boxes=False),
            "values": values,
            **form_error(error, "create"),
        },
        status=error.status if error is not None else 200,
    )


def _create_container(request: AuthenticatedHttpRequest) -> Container:
    data = request.POST
    kind = ContainerType.objects.filter(pk=int_field(data.get("type"), "type")).first()
    if kind is None:
        raise InvalidInput(_("Choose a container type"), fields={"type": [_("unknown type")]})
    name = data.get("name", "").strip()
    if not name:
        raise InvalidInput(_("Name the container"), fields={"name": [_("required")]})
    parent, row, column = None, None, None
    if data.get("parent", "").strip():
        try:
            parent = selectors.container_for(request.user, int_field(data["parent"], "parent"))
        except StemhubError:
            raise InvalidInput(
                _("Choose a place you may use"), fields={"parent": [_("unknown")]}
            ) from None
        row, column = services.resolve_position(parent, data.get("position", "").strip())
    elif data.get("position", "").strip():
        raise InvalidInput(
            _("A top-level container has no position"),
            fields={"position": [_("not applicable")]},
        )
    return services.container_create(
        actor=request.user,
        type=kind,
        name=name,
        parent=parent,
        row=row,
        column=column,
        barcode=data.get("barcode", ""),
        reason=data.get("reason", ""),
    )


@inventory_page
def container_history(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs biobank.view: the container's own events and its vials' custody events."""
    found = selectors.container_for(request.user, pk)
    trail = selectors.container_ancestors(found)
    return render(
        request,
        "biobank/container_history.html",
        {
            "container": found,
            "trail": trail,
            "path": "/".join(c.name for c in trail),
            **selectors.container_history(found),
        },
    )


@inventory_page
def free_space(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs biobank.view: find n free positions in boxes of a type at a temperature."""
    kinds = ContainerType.objects.filter(holds_vials=True)
    found = None
    chosen = request.GET.get("type", "")
    if chosen:
        kind = kinds.filter(name=chosen).first()
        if kind is None:
            raise InvalidInput(
                _("No box type %(type)r") % {"type": chosen}, fields={"type": [_("unknown")]}
            )
        n = max(1, min(int_field(request.GET.get("n", "1"), "n"), 10_000))
        found = selectors.free_space(
            institution_id=request.user.institution_id or 0,
            box_type=kind,
            temperature_class=request.GET.get("temperature", ""),
            n=n,
        )
    return render(
        request,
        "biobank/free_space.html",
        {
            "kinds": kinds,
            "temperatures": TemperatureClass.choices,
            "found": found,
            "query": request.GET,
        },
    )


# Banks


@inventory_page
def banks(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs biobank.view: your institution's cell banks."""
    found = selectors.visible_banks(request.user).select_related("line", "product__line")
    return render(
        request,
        "biobank/banks.html",
        {"banks": found, "can_edit": _can(request, Perm.INVENTORY_EDIT)},
    )


BANK_FIELDS = ("line", "tier", "passage_number", "freeze_date", "vial_count", "box")


@inventory_page
def bank_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs biobank.edit: register a bank; its vials are created and placed in the chosen
    box (and the next ones, in their fill order)."""
    require(request.user, Perm.INVENTORY_EDIT, request.user.institution_id)
    lines = visible_lines(request.user).order_by("name")
    context: dict[str, Any] = {
        "lines": lines,
        "tiers": BankTier.choices,
        "boxes": box_choices(request),
        "values": request.POST,
        "today": timezone.localdate().isoformat(),
        "error": None,
        "field_labels": FIELD_LABELS,
    }
    if request.method == "POST":
        try:
            bank = _create_bank(request, lines)
        except StemhubError as error:
            context["error"] = error
            return render(request, "biobank/bank_form.html", context, status=error.status)
        messages.success(
            request,
            ngettext(
                "Bank %(code)s created with %(count)s vial.",
                "Bank %(code)s created with %(count)s vials.",
                bank.vial_count,
            )
            % {"code": bank.code, "count": bank.vial_count},
        )
        return redirect("biobank:bank", pk=bank.pk)
    return render(request, "biobank/bank_form.html", context)


def _create_bank(request: AuthenticatedHttpRequest, lines: Any) -> Any:
    data = request.POST
    missing = [f for f in BANK_FIELDS if not data.get(f, "").strip()]
    if missing:
        raise InvalidInput(
            _("Fill in: %(fields)s")
            # Translators: between the names of fields in a list ("、" in Chinese).
            % {"fields": _(", ").join(str(FIELD_LABELS[f]) for f in missing)},
            fields={f: [_("required")] for f in missing},
        )
    line = lines.filter(name=data["line"]).first()
    if line is None:
        raise InvalidInput(_("Choose a cell line"), fields={"line": [_("unknown")]})
    try:
        frozen = date.fromisoformat(data["freeze_date"])
    except ValueError:
        raise InvalidInput(
            _("Freeze date as YYYY-MM-DD"), fields={"freeze_date": [_("a date")]}
        ) from None
    first_box = selectors.container_for(request.user, int_field(data["box"], "box"))
    box_ids = [first_box.pk] + [
        pk for pk, _path in box_choices(request) if pk != first_box.pk
    ]  # the chosen box first, then the others in path order as overflow
    boxes = list(Container.objects.filter(pk__in=box_ids).select_related("type"))
    boxes.sort(key=lambda b: box_ids.index(b.pk))
    count = int_field(data["vial_count"], "vial_count")
    needed: list[Container] = []
    room = 0
    for box in boxes:
        if room >= count:
            break
        if box.blocked:
            continue
        needed.append(box)
        room += len(selectors.free_positions_in(box))
    cells = data.get("cells_per_vial", "").strip()
    return services.cell_bank_create(
        actor=request.user,
        line=line,
        tier=data["tier"],
        code=data.get("code", ""),
        passage_number=int_field(data["passage_number"], "passage_number"),
        freeze_date=frozen,
        vial_count=count,
        cryo_medium=data.get("cryo_medium", ""),
        cells_per_vial=int_field(cells, "cells_per_vial") if cells else None,
        operator=request.user,
        sop=data.get("sop", ""),
        boxes=needed or [first_box],
    )


@inventory_page
def bank(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs biobank.view in the bank's institution: the bank and where its vials are."""
    found = selectors.bank_for(request.user, pk)
    vials = list(found.vials.select_related("container__type", "checked_out_to"))
    paths = selectors.container_paths({v.container_id for v in vials if v.container_id})
    rows = [
        (
            vial,
            selectors.place_text(paths[vial.container.pk], vial.container, vial.row, vial.column)
            if vial.container
            else "",
        )
        for vial in vials
    ]
    return render(request, "biobank/bank.html", {"bank": found, "vials": rows})


@inventory_page
def bank_labels(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs biobank.view: the bank's label sheet (PDF, one QR label per vial)."""
    found = selectors.bank_for(request.user, pk)
    response = HttpResponse(
        label_sheet(found, list(found.vials.all())), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="labels-{found.code}.pdf"'
    return response


# Import and reports


@inventory_page
def inventory_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs biobank.edit: check an inventory CSV (at once, with a row-level report) or apply it
    (queued as a task: without JavaScript the answer is a redirect to the task's page, with htmx
    its progress panel; the same report shows there at the end)."""
    require(request.user, Perm.INVENTORY_EDIT)
    report = None
    if request.method == "POST":
        code = request.POST.get("institution", "").strip()
        institution = Institution.objects.filter(provider_code=code).first() if code else None
        if code and institution is None:
            raise InvalidInput(
                _("No institution %(code)r") % {"code": code},
                fields={"institution": [_("unknown")]},
            )
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(_("Choose a CSV file"), fields={"file": [_("required")]})
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(
                _("The file is not UTF-8"), fields={"file": [_("not UTF-8")]}
            ) from None
        if request.POST.get("apply") == "1":
            job = tasks.inventory_import_start(
                actor=request.user, text=text, filename=upload.name or "", institution=institution
            )
            if request.htmx:
                context = display_job.panel(request, job)
                context["task_url"] = reverse("jobs:task", kwargs={"job_id": job.pk})
                return render(request, "biobank/_import_task.html", context, status=202)
            return redirect("jobs:task", job_id=job.pk)
        report = imports.inventory_import(
            actor=request.user,
            text=text,
            dry_run=True,
            filename=upload.name or "",
            institution=institution,
        )
    return render(
        request,
        "biobank/import.html",
        {"report": report, "template": imports.template_csv()},
        status=400 if report is not None and not report.ok else 200,
    )


@inventory_page
def reports(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs biobank.view: vials per line, bank and status; occupancy per container."""
    counts = [
        {
            **row,
            "tier_label": BankTier(row["tier"]).label,
            "status_label": VialStatus(row["status"]).label,
        }
        for row in selectors.vial_counts(request.user)
    ]
    return render(
        request,
        "biobank/reports.html",
        {"counts": counts, "occupancy": selectors.occupancy(request.user)},
    )


@inventory_page
def report_vials_csv(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Needs biobank.view: vials per line, bank and status as CSV."""
    # Machine-readable: the header row and the tier and status codes stay in English whatever
    # the page's language, so that a script reads every centre's file the same way.
    header = ["line", "product", "bank", "tier", "status", "count"]
    rows = [[row[k] for k in header] for row in selectors.vial_counts(request.user)]
    return csv_download("vials-per-bank.csv", header, rows, stream=False)


@inventory_page
def report_occupancy_csv(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Needs biobank.view: occupancy per container as CSV."""
    # Machine-readable: the header row stays in English whatever the page's language.
    header = ["path", "type", "boxes", "capacity", "used", "held", "free", "percent"]
    rows = [[row[k] for k in header] for row in selectors.occupancy(request.user)]
    return csv_download("occupancy.csv", header, rows, stream=False)
