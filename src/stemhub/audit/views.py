"""Pages of the audit trail: a record's trail, and the export of a period as CSV."""

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from stemhub.accounts.permissions import Perm
from stemhub.audit.selectors import audited_labels, export_rows, period_events, record_trail
from stemhub.core.pages import page

audit_viewers_only = page(Perm.AUDIT_VIEW, what="The audit trail")


@require_GET
@audit_viewers_only
def audit_index(request: HttpRequest) -> HttpResponse:
    """Needs audit.view: look up a record's trail, or export a period as CSV."""
    today = timezone.localdate()
    return render(
        request,
        "audit/index.html",
        {"models": audited_labels(), "today": today, "month_ago": today.replace(day=1)},
    )


@require_GET
@audit_viewers_only
def audit_record(request: HttpRequest, model: str, pk: str) -> HttpResponse:
    """Needs audit.view for the record's institution: every change to one record, with old
    and new values, actor, time and reason."""
    events = record_trail(request.user, model, pk)
    return render(
        request, "audit/record.html", {"events": events, "model": events[0].model, "pk": pk}
    )


@require_GET
@audit_viewers_only
def audit_export(request: HttpRequest) -> HttpResponse:
    """Needs audit.view: the audit rows of a period (`from`, `to`: YYYY-MM-DD, both included;
    optional `model`) of your institution (every institution for platform admins), as CSV."""
    events = period_events(
        request.user,
        start=request.GET.get("from", ""),
        end=request.GET.get("to", ""),
        model=request.GET.get("model", ""),
    )
    response = StreamingHttpResponse(export_rows(events), content_type="text/csv; charset=utf-8")
    name = f"audit-{request.GET['from']}-{request.GET['to']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
