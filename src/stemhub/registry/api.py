"""/api/v1/cell-lines: the registry over HTTP. Parse, call a service or selector, shape."""

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from stemhub.accounts.models import Institution
from stemhub.accounts.permissions import Perm, require
from stemhub.catalogue.api import CatalogueOut, catalogue
from stemhub.core.api import AUTHENTICATED, OPTIONAL, one_of
from stemhub.core.errors import InvalidInput, NotFound
from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.registry import services
from stemhub.registry.models import CellLine
from stemhub.registry.models import Status as LineStatus
from stemhub.registry.records import RECORD_PREFETCH, line_record
from stemhub.registry.schemas import (
    AvailabilityIn,
    ChecklistOut,
    HistoryEntry,
    LineCreate,
    LineOut,
    LineSummary,
    LineUpdate,
    Page,
    ReturnIn,
    TransitionIn,
)
from stemhub.registry.selectors import line_history, resolve_name, visible_lines

router = Router(tags=["cell lines"])
router.add_api_operation(
    "/cell-lines", ["GET"], catalogue, response=CatalogueOut, auth=None, tags=["catalogue"]
)


class LineListOut(Page):
    items: list[LineSummary]


class LineFilters(Schema):
    status: str | None = one_of(LineStatus.values, None)
    institution: str | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


def _record(line: CellLine) -> dict[str, Any]:
    return line_record(
        CellLine.objects.select_related("institution", "parent", "donor")
        .prefetch_related(*RECORD_PREFETCH)
        .get(pk=line.pk)
    )


def _editable(request: HttpRequest, name: str) -> CellLine:
    """The line by exact standard name, if the user may see it (404 otherwise)."""
    line = visible_lines(request.user).filter(name=name).select_related("institution").first()
    if line is None:
        raise NotFound(_("No cell line named %(name)r") % {"name": name})
    return line


@router.get("/registry/cell-lines", response=LineListOut, auth=AUTHENTICATED)
def cell_line_list(
    request: AuthenticatedHttpRequest, filters: Query[LineFilters]
) -> dict[str, Any]:
    """Needs registry.view_internal: the lines you manage, drafts included, by status."""
    require(request.user, Perm.VIEW_INTERNAL)
    lines = visible_lines(request.user).select_related("institution")
    if filters.status:
        lines = lines.filter(status=filters.status)
    if filters.institution:
        lines = lines.filter(institution__provider_code=filters.institution)
    page = lines.order_by("name")[filters.offset : filters.offset + filters.limit]
    return {
        "count": lines.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [
            {
                "name": line.name,
                "name_zh": line.name_zh,
                "line_type": line.line_type,
                "species": line.species,
                "institution": line.institution.provider_code,
                "status": line.status,
                "availability": line.availability,
                "clinical_grade": line.clinical_grade,
            }
            for line in page
        ],
    }


@router.get("/cell-lines/{name}", response=LineOut, auth=OPTIONAL)
def cell_line_detail(request: HttpRequest, name: str) -> dict[str, Any]:
    """Public for published lines; a synonym resolves to its line (see `name` in the answer)."""
    return _record(resolve_name(name, request.user))


@router.post("/cell-lines", response={201: LineOut}, auth=AUTHENTICATED)
def cell_line_create(
    request: AuthenticatedHttpRequest, payload: LineCreate
) -> Status[dict[str, Any]]:
    """Needs registry.edit_line in the institution the line is registered for."""
    data = payload.dict(exclude_unset=True)
    institution = None
    if code := data.pop("institution", None):
        institution = Institution.objects.filter(provider_code=code).first()
        if institution is None:
            raise InvalidInput(
                _("No institution with provider code %(code)r") % {"code": code},
                fields={"institution": [_("unknown provider code")]},
            )
    line = services.cell_line_create(actor=request.user, data=data, institution=institution)
    return Status(201, _record(line))


@router.patch("/cell-lines/{name}", response=LineOut, auth=AUTHENTICATED)
def cell_line_update(
    request: AuthenticatedHttpRequest, name: str, payload: LineUpdate
) -> dict[str, Any]:
    """Needs registry.edit_line in the line's institution; a published line needs a reason."""
    data = payload.dict(exclude_unset=True)
    reason = data.pop("reason", "")
    line = services.cell_line_update(
        actor=request.user, line=_editable(request, name), data=data, reason=reason
    )
    return _record(line)


@router.post("/cell-lines/{name}/submit", response=LineOut, auth=AUTHENTICATED)
def cell_line_submit(
    request: AuthenticatedHttpRequest, name: str, payload: TransitionIn
) -> dict[str, Any]:
    """Needs registry.edit_line: draft or returned → submitted."""
    line = services.cell_line_submit(
        actor=request.user, line=_editable(request, name), comment=payload.comment
    )
    return _record(line)


@router.post("/cell-lines/{name}/review", response=LineOut, auth=AUTHENTICATED)
def cell_line_start_review(
    request: AuthenticatedHttpRequest, name: str, payload: TransitionIn
) -> dict[str, Any]:
    """Needs registry.curate: submitted → in review."""
    line = services.cell_line_start_review(
        actor=request.user, line=_editable(request, name), comment=payload.comment
    )
    return _record(line)


@router.post("/cell-lines/{name}/return", response=LineOut, auth=AUTHENTICATED)
def cell_line_return(
    request: AuthenticatedHttpRequest, name: str, payload: ReturnIn
) -> dict[str, Any]:
    """Needs registry.curate: in review → returned, with the curator's comment."""
    line = services.cell_line_return(
        actor=request.user, line=_editable(request, name), comment=payload.comment
    )
    return _record(line)


@router.post("/cell-lines/{name}/publish", response=LineOut, auth=AUTHENTICATED)
def cell_line_publish(
    request: AuthenticatedHttpRequest, name: str, payload: TransitionIn
) -> dict[str, Any]:
    """Needs registry.curate: in review → published, once hPSCreg's minimum is met."""
    line = services.cell_line_publish(
        actor=request.user, line=_editable(request, name), comment=payload.comment
    )
    return _record(line)


@router.post("/cell-lines/{name}/availability", response=LineOut, auth=AUTHENTICATED)
def cell_line_availability(
    request: AuthenticatedHttpRequest, name: str, payload: AvailabilityIn
) -> dict[str, Any]:
    """Needs registry.set_availability; recall and withdrawal need a reason."""
    line = services.cell_line_set_availability(
        actor=request.user,
        line=_editable(request, name),
        availability=payload.availability,
        reason=payload.reason,
    )
    return _record(line)


@router.get("/cell-lines/{name}/checklist", response=list[ChecklistOut], auth=AUTHENTICATED)
def cell_line_checklist(request: AuthenticatedHttpRequest, name: str) -> list[Any]:
    """Needs registry.view_internal: what publication still needs."""
    require(request.user, Perm.VIEW_INTERNAL)
    line = CellLine.objects.prefetch_related(
        "markers", "differentiations", "karyotypes", Prefetch("donor")
    ).get(pk=_editable(request, name).pk)
    return services.cell_line_checklist(line)


@router.get("/cell-lines/{name}/history", response=list[HistoryEntry], auth=OPTIONAL)
def cell_line_history(request: HttpRequest, name: str) -> list[dict[str, Any]]:
    """Public for published lines: versions, curation steps and availability changes."""
    return line_history(resolve_name(name, request.user))
