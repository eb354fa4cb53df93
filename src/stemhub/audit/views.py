"""Pages of the audit trail: the search, a record's trail, and the export of a search as CSV."""

from django.apps import apps
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from stemhub.accounts.permissions import Perm
from stemhub.audit.models import Operation
from stemhub.audit.record_links import record_links
from stemhub.audit.search import AuditFilter, parse_filter, period_text, search_events
from stemhub.audit.selectors import EXPORT_COLUMNS, audited_labels, export_rows, record_trail
from stemhub.core.errors import InvalidInput
from stemhub.core.exports import csv_download
from stemhub.core.pages import AuthenticatedHttpRequest, page

audit_viewers_only = page(Perm.AUDIT_VIEW, what=_("The audit trail"))
PER_PAGE = 50


def record_type(label: str) -> str:
    """A model label as the words of its record type ("registry.cellline" → "Cell line")."""
    try:
        words = str(apps.get_model(label)._meta.verbose_name)
    except LookupError:
        return label
    return words[:1].upper() + words[1:]  # not capitalize(): "API token", not "Api token"


@require_GET
@audit_viewers_only
def audit_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs audit.view: search the trail of your institution's records (every institution's
    for platform admins) by record type, record id or text, user, period and operation; newest
    first, 50 a page, each row linked to the record's trail and page."""
    error = None
    try:
        found = parse_filter(request.GET)
    except InvalidInput as problem:
        error, found = problem, AuditFilter()
    events = search_events(request.user, found)
    listing = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    events_shown = list(listing.object_list)
    links = record_links(request.user, events_shown)
    labels = dict(audited_labels())
    rows = [
        {"event": e, "link": links.get(e.pk), "type": record_type(e.model)} for e in events_shown
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/index.html",
        {
            "models": list(labels.items()),
            "operations": Operation.choices,
            "filter": found,
            "values": request.GET,
            "error": error,
            "page": listing,
            "rows": rows,
            "query": query.urlencode(),
        },
        status=error.status if error else 200,
    )


@require_GET
@audit_viewers_only
def audit_record(request: AuthenticatedHttpRequest, model: str, pk: str) -> HttpResponse:
    """Needs audit.view for the record's institution: every change to one record and to the
    rows that belong to it, with old and new values, actor, time and reason."""
    events = record_trail(request.user, model, pk, with_related=True)
    own = [event for event in events if event.model == events[0].model]
    links = record_links(request.user, own[-1:])
    return render(
        request,
        "audit/record.html",
        {
            "events": events,
            "model": events[0].model,
            "type": record_type(events[0].model),
            "pk": pk,
            "labels": dict(audited_labels()),
            "record": links.get(own[-1].pk),
        },
    )


@require_GET
@audit_viewers_only
def audit_export(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Needs audit.view: the rows of a search (the same filter as the search page: `model`,
    `record`, `user`, `from`, `to`, `operation`), oldest first, as CSV."""
    found = parse_filter(request.GET)
    events = search_events(request.user, found).order_by("id")
    return csv_download(f"audit-{period_text(found)}.csv", EXPORT_COLUMNS, export_rows(events))
