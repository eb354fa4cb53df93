"""/api/v1/imports/lines: a centre's own lines from a CSV or XLSX sheet, and the template."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
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


@router.post("/imports/lines", response=ImportReport, auth=AUTHENTICATED)
def lines_upload(
    request: AuthenticatedHttpRequest,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    institution: Form[str] = "",
) -> dict[str, Any]:
    """Register one line per row (all or nothing); needs registry.edit_line in the institution
    (default: your own). A sheet with problems answers 400 with every problem in `fields`, keyed
    `row N: column`; `dry_run` validates without writing."""
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
    report = lines_import(
        actor=request.user,
        institution=target,
        filename=file.name or "",
        content=file.read(),
        dry_run=dry_run,
    )
    if report["errors"]:
        raise ImportRejected([Problem(**error) for error in report["errors"]])
    return report


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
