"""Staff page for the bulk registration of a centre's own lines from a CSV or XLSX sheet."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from stemhub.accounts.permissions import Perm, user_can
from stemhub.core.errors import StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.exchange import bulk
from stemhub.exchange.bulk import COLUMNS, lines_import
from stemhub.exchange.tasks import lines_import_start
from stemhub.jobs import display as display_job


@login_required
def lines_import_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs registry.edit_line in your institution: upload a sheet, check it (dry run, at once)
    or register every row (queued as a task: a redirect to the task's page, with htmx its
    progress panel); every bad cell is listed with its row and column."""
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
                if not dry_run:
                    job = lines_import_start(
                        actor=request.user,
                        institution=institution,
                        filename=upload.name or "",
                        content=upload.read(),
                    )
                    if request.htmx:
                        task_context = display_job.panel(request, job)
                        task_context["task_url"] = reverse("jobs:task", kwargs={"job_id": job.pk})
                        return render(
                            request, "exchange/_import_task.html", task_context, status=202
                        )
                    return redirect("jobs:task", job_id=job.pk)
                report = lines_import(
                    actor=request.user,
                    institution=institution,
                    filename=upload.name or "",
                    content=upload.read(),
                    dry_run=True,
                )
            except StemhubError as error:
                context["error"] = error.message
                status = error.status
            else:
                context["report"] = report
                context["filename"] = upload.name
                status = 400 if report["errors"] else 200
    return render(request, "exchange/lines_import.html", context, status=status)
