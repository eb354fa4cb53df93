"""Staff page for the bulk registration of a centre's own lines from a CSV or XLSX sheet."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from stemhub.accounts.permissions import Perm, user_can
from stemhub.core.errors import StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.exchange import bulk
from stemhub.exchange.bulk import COLUMNS, lines_import


@login_required
def lines_import_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs registry.edit_line in your institution: upload a sheet, check it (dry run) or
    register every row at once; every bad cell is listed with its row and column."""
    institution = request.user.institution
    if institution is None or not user_can(request.user, Perm.EDIT_LINE, institution.pk):
        raise PermissionDenied(
            _("You need registry.edit_line in your institution to import lines.")
        )
    context: dict[str, object] = {
        "columns": COLUMNS,
        "institution": institution,
        "limits": bulk.LIMITS.describe(),  # read now: a test or a setting may change it
    }
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        dry_run = request.POST.get("dry_run") == "on"
        if upload is None:
            context["error"] = _("Choose a CSV or XLSX file to import.")
            status = 400
        else:
            try:
                report = lines_import(
                    actor=request.user,
                    institution=institution,
                    filename=upload.name or "",
                    content=upload.read(),
                    dry_run=dry_run,
                )
            except StemhubError as error:
                context["error"] = error.message
                status = error.status
            else:
                context["report"] = report
                context["filename"] = upload.name
                status = 400 if report["errors"] else 200
    return render(request, "exchange/lines_import.html", context, status=status)
