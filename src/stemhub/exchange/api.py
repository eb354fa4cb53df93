"""/api/v1/imports/lines: a centre's own lines from a CSV or XLSX sheet, and the template."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from stemhub.accounts.models import Institution
from stemhub.core.api import AUTHENTICATED, file_answer
from stemhub.core.errors import InvalidInput
from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.exchange.bulk import (
    XLSX_TYPE,
    ImportRejected,
    Problem,
    lines_import,
    template_csv,
    template_xlsx,
)
from stemhub.exchange.tasks import lines_import_start
from stemhub.jobs.api import TaskOut, task_out

router = Router(tags=["imports"])

MAX_UPLOAD = 20 * 1024 * 1024


class ImportProblem(Schema):
    row: int
    column: str
    reason: str


class ImportReport(Schema):
    dry_run: bool
    rows: int
    created: list[str]
    errors: list[ImportProblem]


@router.post("/imports/lines", response={200: ImportReport, 202: TaskOut}, auth=AUTHENTICATED)
def lines_upload(
    request: AuthenticatedHttpRequest,
    response: HttpResponse,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    institution: Form[str] = "",
) -> Status[dict[str, Any]]:
    """Register one line per row (all or nothing); needs registry.edit_line in the institution
    (default: your own). Registering is queued: 202 with the task (Location: GET
    /api/v1/tasks/{id}, which gives its progress and, at the end, the report; a sheet with
    problems fails the task, every problem in its report). `dry_run` validates without writing
    and answers at once: 200, or 400 with every problem in `fields`, keyed `row N: column`."""
    target = request.user.institution
    if institution:
        target = Institution.objects.filter(provider_code=institution).first()
        if target is None:
            raise InvalidInput(
                _("No institution with provider code %(code)r") % {"code": institution},
                fields={"institution": [_("unknown provider code")]},
            )
    if target is None:
        raise InvalidInput(
            _("Name the institution to import into"), fields={"institution": [_("required")]}
        )
    if file.size and file.size > MAX_UPLOAD:
        raise InvalidInput(
            _("The file is larger than %(mb)s MB") % {"mb": MAX_UPLOAD // (1024 * 1024)},
            fields={"file": [_("too large")]},
        )
    if not dry_run:
        job = lines_import_start(
            actor=request.user, institution=target, filename=file.name or "", content=file.read()
        )
        answer = task_out(job)
        response["Location"] = answer["links"]["self"]
        return Status(202, answer)
    report = lines_import(
        actor=request.user,
        institution=target,
        filename=file.name or "",
        content=file.read(),
        dry_run=True,
    )
    if report["errors"]:
        raise ImportRejected([Problem(**error) for error in report["errors"]])
    return Status(200, report)


@router.get("/imports/lines/template.csv", auth=None, openapi_extra=file_answer("text/csv"))
def lines_template_csv(request: HttpRequest) -> HttpResponse:
    """The columns of a line sheet (public)."""
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="stemhub-lines.csv"'
    return response


@router.get("/imports/lines/template.xlsx", auth=None, openapi_extra=file_answer(XLSX_TYPE))
def lines_template_xlsx(request: HttpRequest) -> HttpResponse:
    """The same as an XLSX workbook, with a Help sheet describing each column (public)."""
    response = HttpResponse(template_xlsx(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="stemhub-lines.xlsx"'
    return response
