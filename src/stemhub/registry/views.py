"""HTML pages of the registry: the public line page and the staff area (list, line forms,
curation and availability). Like api.py, a view parses, calls a service or selector, renders.

Curation and availability forms post normally; with htmx they swap the curation panel (and the
history, out of band) in place instead of reloading the page.
"""

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    ForeignObjectRel,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django_stubs_ext import StrOrPromise

from stemhub.accounts.permissions import Perm, user_can
from stemhub.core import columns
from stemhub.core.errors import Forbidden, InvalidInput, NotFound, StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest, error_page, page
from stemhub.quality.verification import public_certificates_for_line
from stemhub.registry import services
from stemhub.registry.forms import AvailabilityForm, LineForm, initial_from_record
from stemhub.registry.models import (
    SPECIES,
    Availability,
    CellLine,
    DonorDisease,
    GeneticModification,
    Provider,
    Status,
    Synonym,
)
from stemhub.registry.records import RECORD_PREFETCH, line_record
from stemhub.registry.selectors import line_history, resolve_name, visible_lines
from stemhub.registry.validation import line_problems

TRANSITIONS: dict[str, Callable[..., CellLine]] = {
    "submit": services.cell_line_submit,
    "review": services.cell_line_start_review,
    "return": services.cell_line_return,
    "publish": services.cell_line_publish,
}

FIELD_LABELS: dict[str, StrOrPromise] = {
    **{name: field.label for name, field in LineForm.base_fields.items() if field.label},
    "donor": _("Donor"),
    "status": _("Status"),
    "availability": _("Availability"),
    "str_profile": _("STR profile"),
    "genetically_modified": _("Genetically modified"),
    "source": _("Source"),
    "external_accession": _("External accession"),
    "institution": _("Institution"),
    "version": _("Version"),
    "published_at": _("Published"),
}
STATUS_LABELS = {**dict(Status.choices), **dict(Availability.choices)}


staff_only = page(
    Perm.VIEW_INTERNAL,
    what=_("The staff area"),
    hint=_("Ask your institution's admin if you should have it."),
)


def _full_line(lines: QuerySet[CellLine], **lookup: Any) -> CellLine | None:
    return (
        lines.filter(**lookup)
        .select_related("institution", "parent", "donor")
        .prefetch_related(*RECORD_PREFETCH, "providers__institution", "subclones")
        .first()
    )


def _staff_line(request: HttpRequest, name: str) -> CellLine:
    """The line by exact standard name among those the user may see; NotFound otherwise."""
    line = _full_line(visible_lines(request.user), name=name)
    if line is None:
        raise NotFound(gettext("No cell line named %(name)r that you may see") % {"name": name})
    return line


# Public pages


# What the public page shows of a line's related rows. Most lines lack most of them, so the
# page asks once which kinds a line has and fetches only those: an empty prefetch costs a query.
def _related_rows(relation: str) -> QuerySet[Any]:
    """Every row of the model on the other side of the line's relation `relation`."""
    model = CellLine._meta.get_field(relation).related_model
    assert isinstance(model, type)  # a relation names its model
    return model._default_manager.all()


def _reverse_column(relation: str) -> str:
    """The column of the related table that points back at the line."""
    reverse = CellLine._meta.get_field(relation)
    assert isinstance(reverse, ForeignObjectRel)  # the public relations are reverse ones
    return columns.column(reverse.related_model, reverse.field.name)


PUBLIC_RELATIONS: dict[str, QuerySet[Any]] = {
    "synonyms": Synonym.objects.all(),
    "providers": Provider.objects.select_related("institution"),
    "subclones": CellLine.objects.only("name", "status", "parent_id"),
    "modifications": GeneticModification.objects.select_related("isogenic_control"),
    **{
        relation: _related_rows(relation)
        for relation in (
            "markers",
            "differentiations",
            "karyotypes",
            "pluritests",
            "omics",
            "clinical_studies",
            "publications",
            "xrefs",
            "products",
        )
    },
}


def _has_rows(table: str, column: str, owner: str) -> RawSQL:
    # Plain SQL: fourteen ORM Exists() subqueries cost more to compile than the page's queries.
    quote = connection.ops.quote_name
    return RawSQL(
        f"EXISTS (SELECT 1 FROM {quote(table)} related WHERE related.{quote(column)} = "
        f"{quote(CellLine._meta.db_table)}.{quote(owner)})",
        (),
        output_field=BooleanField(),
    )


def _known_empty(instance: Any, relation: str) -> None:
    """Record `relation` as prefetched and empty, as prefetch_related_objects would, so that
    `.all()` answers without a query. (Were Django to rename its cache, the page would still be
    right, only slower: `.all()` would query.)"""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[relation] = getattr(instance, relation).none()


def _public_record(name: str) -> CellLine | None:
    """The published line of that exact standard name, with what its public page shows."""
    has = {
        f"has_{relation}": _has_rows(rows.model._meta.db_table, _reverse_column(relation), "id")
        for relation, rows in PUBLIC_RELATIONS.items()
    }
    line = (
        CellLine.objects.filter(status=Status.PUBLISHED, name=name)
        .select_related("institution", "parent", "donor")
        .annotate(
            has_diseases=_has_rows(DonorDisease._meta.db_table, "donor_id", "donor_id"), **has
        )
        .first()
    )
    if line is None:
        return None
    present = [r for r in PUBLIC_RELATIONS if getattr(line, f"has_{r}")]
    prefetch_related_objects(
        [line],
        *(Prefetch(relation, PUBLIC_RELATIONS[relation]) for relation in present),
        *(["donor__diseases"] if line.has_diseases else []),
    )
    for relation in PUBLIC_RELATIONS.keys() - set(present):
        _known_empty(line, relation)
    if line.donor is not None and not line.has_diseases:
        _known_empty(line.donor, "diseases")
    return line


@require_GET
def public_line(request: HttpRequest, name: str) -> HttpResponse:
    """Public: a published line's public record. A synonym redirects to the standard name;
    unpublished or unknown lines are 404."""
    line = _public_record(name)
    if line is None:
        try:
            found = resolve_name(name)
        except NotFound as error:
            return error_page(request, error)
        return redirect("registry:public_line", name=found.name)
    certificates = public_certificates_for_line(line)
    return render(
        request, "registry/public_line.html", {"line": line, "certificates": certificates}
    )


# Staff area: list and forms


@staff_only
@require_GET
def staff_line_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs registry.view_internal: the lines you may see (published ones and your
    institution's), filtered by status, availability and name."""
    lines = visible_lines(request.user).select_related("institution")
    statuses = [s for s in request.GET.getlist("status") if s in Status.values]
    availability = request.GET.get("availability", "")
    query = request.GET.get("q", "").strip()
    if statuses:
        lines = lines.filter(status__in=statuses)
    if availability in Availability.values:
        lines = lines.filter(availability=availability)
    if query:
        lines = lines.filter(Q(name__icontains=query) | Q(synonyms__name__icontains=query))
    page = Paginator(lines.distinct().order_by("name"), 50).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "registry/staff_line_list.html",
        {
            "page": page,
            "selected_statuses": statuses,
            "availability": availability,
            "query": query,
            "statuses": Status.choices,
            "availabilities": Availability.choices,
            "filter_query": filters.urlencode(),
            "can_create": user_can(request.user, Perm.EDIT_LINE, request.user.institution_id),
        },
    )


def _form_page(
    request: HttpRequest, form: LineForm, line: CellLine | None, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {"form": form, "line": line, "species_options": SPECIES, **extra}
    return render(request, "registry/line_form.html", context, status=status)


@staff_only
def staff_line_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs registry.edit_line in your institution: register a new line as a draft."""
    if not user_can(request.user, Perm.EDIT_LINE, request.user.institution_id):
        return error_page(
            request,
            Forbidden(gettext("Registering lines needs registry.edit_line.")),
        )
    if request.method != "POST":
        return _form_page(request, LineForm(), None)
    form = LineForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, None, status=400)
    try:
        line = services.cell_line_create(actor=request.user, data=form.service_data())
    except StemhubError as error:
        form.add_service_error(error)
        return _form_page(request, form, None, status=error.status, error=error)
    messages.success(request, gettext("%(name)s is registered as a draft.") % {"name": line.name})
    return redirect("registry:staff_line", name=line.name)


@staff_only
def staff_line_edit(request: AuthenticatedHttpRequest, name: str) -> HttpResponse:
    """Needs registry.edit_line in the line's institution: change a line; a published line
    needs a reason and keeps the change as a version."""
    try:
        line = _staff_line(request, name)
    except NotFound as error:
        return error_page(request, error)
    if not user_can(request.user, Perm.EDIT_LINE, line.institution_id):
        return error_page(
            request,
            Forbidden(
                gettext("Only the editors of %(institution)s can change %(name)s.")
                % {"institution": line.institution.display_name, "name": line.name}
            ),
        )
    published = line.status == Status.PUBLISHED
    # On a POST too: the form checks only what changed, so an old loose value stays editable.
    initial = initial_from_record(line_record(line))
    if request.method != "POST":
        return _form_page(
            request, LineForm(initial=initial, line_name=line.name, published=published), line
        )
    form = LineForm(request.POST, initial=initial, line_name=line.name, published=published)
    if not form.is_valid():
        return _form_page(request, form, line, status=400)
    try:
        services.cell_line_update(
            actor=request.user,
            line=line,
            data=form.service_data(),
            reason=form.cleaned_data.get("reason", ""),
        )
    except StemhubError as error:
        form.add_service_error(error)
        return _form_page(request, form, line, status=error.status, error=error)
    messages.success(request, gettext("%(name)s is saved.") % {"name": line.name})
    return redirect("registry:staff_line", name=line.name)


# Staff area: the line page, curation and availability


def _shown(value: Any) -> str:
    """A history value as short text."""
    if value is None or value in ("", [], {}):
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return "; ".join(_shown(item) for item in value)
    if isinstance(value, dict):
        parts = (f"{key}: {_shown(item)}" for key, item in value.items() if item not in ("", None))
        return ", ".join(parts)
    return str(STATUS_LABELS.get(str(value), str(value)))


def _history(line: CellLine) -> list[dict[str, Any]]:
    entries = line_history(line)
    for entry in entries:
        entry["when"] = datetime.fromisoformat(entry["at"])
        changes: Mapping[str, list[Any]] = entry["details"].get("changes", {})
        entry["changes"] = [
            {"field": FIELD_LABELS.get(key, key), "old": _shown(old), "new": _shown(new)}
            for key, (old, new) in changes.items()
        ]
    return list(reversed(entries))


def _staff_context(request: HttpRequest, line: CellLine, **extra: Any) -> dict[str, Any]:
    user, institution_id = request.user, line.institution_id
    can_edit = user_can(user, Perm.EDIT_LINE, institution_id)
    can_curate = user_can(user, Perm.CURATE, institution_id)
    actions = {
        "submit": can_edit and line.status in (Status.DRAFT, Status.RETURNED),
        "review": can_curate and line.status == Status.SUBMITTED,
        "return": can_curate and line.status == Status.IN_REVIEW,
        "publish": can_curate and line.status == Status.IN_REVIEW,
    }
    checklist = services.cell_line_checklist(line)
    context = {
        "line": line,
        "checklist": checklist,
        "missing_required": [item for item in checklist if item.required and not item.done],
        "actions": actions,
        "any_action": any(actions.values()),
        "can_edit": can_edit and line.status in services.EDITABLE_STATUSES,
        "can_set_availability": user_can(user, Perm.SET_AVAILABILITY, institution_id),
        "availability_form": AvailabilityForm(),
        "history": _history(line),
        "warnings": line_problems(line),
    }
    context.update(extra)
    return context


def _after_action(
    request: AuthenticatedHttpRequest,
    name: str,
    *,
    error: StemhubError | None = None,
    notice: str = "",
    availability_form: AvailabilityForm | None = None,
) -> HttpResponse:
    """The answer to a curation or availability POST: the panel for htmx, else the page."""
    line = _staff_line(request, name)
    if error is None and not request.htmx:
        messages.success(request, notice)
        return redirect("registry:staff_line", name=line.name)
    extra: dict[str, Any] = {"error": error, "notice": notice}
    if availability_form is not None:
        extra["availability_form"] = availability_form
    context = _staff_context(request, line, **extra)
    status = error.status if error else 200
    template = "registry/_curation_swap.html" if request.htmx else "registry/staff_line.html"
    return render(request, template, context, status=status)


@staff_only
@require_GET
def staff_line(request: AuthenticatedHttpRequest, name: str) -> HttpResponse:
    """Needs registry.view_internal: a line's full record, publication checklist, the curation
    and availability actions the user may take, and its history."""
    try:
        line = _staff_line(request, name)
    except NotFound as error:
        try:
            line = resolve_name(name, request.user)
        except NotFound:
            return error_page(request, error)
        return redirect("registry:staff_line", name=line.name)
    return render(request, "registry/staff_line.html", _staff_context(request, line))


@staff_only
@require_POST
def staff_line_transition(
    request: AuthenticatedHttpRequest, name: str, action: str
) -> HttpResponse:
    """Needs registry.edit_line (submit) or registry.curate (review, return, publish) in the
    line's institution: move the line one step through curation."""
    try:
        line = _staff_line(request, name)
        if (
            action == "publish"
            and request.POST.get("confirm") != "yes"
            and user_can(request.user, Perm.CURATE, line.institution_id)
        ):
            raise InvalidInput(
                gettext(
                    "Tick the box to confirm that the record and its availability become "
                    "public, then press Publish again."
                ),
                fields={"confirm": ["required"]},
            )
        line = TRANSITIONS[action](
            actor=request.user, line=line, comment=request.POST.get("comment", "")
        )
    except StemhubError as error:
        if isinstance(error, NotFound):
            return error_page(request, error)
        return _after_action(request, name, error=error)
    notice = gettext("%(name)s is now %(status)s.") % {
        "name": line.name,
        "status": line.get_status_display().lower(),
    }
    return _after_action(request, name, notice=notice)


@staff_only
@require_POST
def staff_line_availability(request: AuthenticatedHttpRequest, name: str) -> HttpResponse:
    """Needs registry.set_availability in the line's institution: change the availability
    (recall and withdrawal need a reason)."""
    try:
        line = _staff_line(request, name)
    except NotFound as error:
        return error_page(request, error)
    form = AvailabilityForm(request.POST)
    if not form.is_valid():
        invalid = InvalidInput(
            gettext("Choose an availability from the list."),
            fields={field: [str(p) for p in problems] for field, problems in form.errors.items()},
        )
        return _after_action(request, name, error=invalid, availability_form=form)
    try:
        line = services.cell_line_set_availability(
            actor=request.user,
            line=line,
            availability=form.cleaned_data["availability"],
            reason=form.cleaned_data["reason"],
        )
    except StemhubError as error:
        for field, problems in error.fields.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
        return _after_action(request, name, error=error, availability_form=form)
    notice = gettext("%(name)s is now %(availability)s.") % {
        "name": line.name,
        "availability": line.get_availability_display().lower(),
    }
    return _after_action(request, name, notice=notice)
