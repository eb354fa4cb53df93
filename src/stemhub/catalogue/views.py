"""The public catalogue's pages: the search page at /lines/ and the CSV/JSON downloads.

The search page is a plain GET form and links, so it works without JavaScript; with htmx, the
facet, sort and page links swap only the results region (`catalogue/_results.html`).
"""

import re
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from stemhub.accounts.permissions import Perm
from stemhub.catalogue.api import CatalogueQuery, validated
from stemhub.catalogue.downloads import COLUMNS, csv_cells, json_stream, public_rows
from stemhub.catalogue.models import CatalogueState, Facet
from stemhub.catalogue.selectors import (
    SORTS,
    FacetCount,
    SearchResult,
    catalogue_search,
    example_searches,
    facet_label,
)
from stemhub.core.errors import InvalidInput, NotFound
from stemhub.core.exports import csv_download
from stemhub.core.pages import AuthenticatedHttpRequest, HtmxHttpRequest, page
from stemhub.registry.models import CellLine, Status
from stemhub.registry.selectors import resolve_name

PAGE_SIZE = 20
# Longer than any name, synonym, disease or gene with room to spare; a longer text is pasted by
# mistake and is refused with a message rather than searched or cut silently.
MAX_QUERY_CHARS = 200
# Values shown per facet before "more"; selected values always show.
FACET_SHOWN = 6
RESULTS_REGION = "catalogue-results"
NOT_IN_ID = re.compile(r"[^a-z0-9]+")
SORT_LABELS = {
    "relevance": _("Relevance"),
    "name": _("Name"),
    "newest": _("Newest"),
    "type": _("Type"),
}


def _page_number(raw: str | None) -> int | None:
    try:
        page = int(raw or "1")
    except ValueError:
        return None
    return page if page >= 1 else None


def _query_from(params: QueryDict) -> tuple[CatalogueQuery, int]:
    """The search the parameters ask for, and the page number; InvalidInput names bad ones."""
    page = _page_number(params.get("page"))
    facets = {f: [v for v in params.getlist(f) if v.strip()] for f in Facet.values}
    query = CatalogueQuery(
        q=params.get("q", "").strip(),
        sort=params.get("sort") or "relevance",
        limit=PAGE_SIZE,
        offset=((page or 1) - 1) * PAGE_SIZE,
        **facets,
    )
    problems: dict[str, list[str]] = {}
    try:
        validated(query)
    except InvalidInput as error:
        problems = error.fields
    if len(query.q) > MAX_QUERY_CHARS:
        problems["q"] = [
            gettext(
                "Your search is %(length)d characters long; use at most %(limit)d: a line's "
                "name, a synonym, a disease or a gene is enough."
            )
            % {"length": len(query.q), "limit": MAX_QUERY_CHARS}
        ]
    if page is None:
        problems["page"] = [gettext("must be a whole number, 1 or more")]
    if problems:
        summary = "; ".join(f"{name}: {' '.join(said)}" for name, said in problems.items())
        raise InvalidInput(
            gettext("Invalid catalogue query: %(problems)s") % {"problems": summary},
            fields=problems,
        )
    return query, page or 1


class _Links:
    """URLs of this page with some parameters changed; each goes back to page 1 unless told."""

    def __init__(self, params: QueryDict) -> None:
        self.base = reverse("registry:line_lookup")
        self.params = params

    def url(self, **changes: list[str]) -> str:
        pairs = [
            (name, value)
            for name, values in self.params.lists()
            if name not in changes and name != "page"
            for value in values
        ]
        pairs += [(name, value) for name, values in changes.items() for value in values]
        return f"{self.base}?{urlencode(pairs)}" if pairs else self.base

    def toggled(self, facet: str, value: str) -> str:
        values = self.params.getlist(facet)
        return self.url(
            **{facet: [v for v in values if v != value] if value in values else [*values, value]}
        )

    def page(self, number: int) -> str:
        return self.url(page=[str(number)] if number > 1 else [])


def _facet_groups(result: SearchResult, links: _Links) -> list[dict[str, Any]]:
    groups = []
    for facet in Facet:
        counts = list(result.facets.get(facet.value, []))
        known = {c.value for c in counts}
        # A selected value that matches nothing any more stays listed, so it can be removed.
        counts += [
            FacetCount(v, facet_label(facet.value, v), 0, True)
            for v in links.params.getlist(facet.value)
            if v not in known
        ]
        values = [
            {
                "value": c.value,
                "label": c.label,
                "count": c.count,
                "selected": c.selected,
                "url": links.toggled(facet.value, c.value),
                # Stable across swaps, so htmx puts the focus back on the value followed.
                "id": f"f-{facet.value}-{NOT_IN_ID.sub('-', c.value.lower())}",
            }
            for c in counts
        ]
        shown = [v for i, v in enumerate(values) if i < FACET_SHOWN or v["selected"]]
        groups.append(
            {
                "name": facet.value,
                "label": facet.label,
                "shown": shown,
                "more": [v for v in values if v not in shown],
                "selected": sum(1 for v in values if v["selected"]),
            }
        )
    return groups


def _results_context(
    query: CatalogueQuery, page: int, result: SearchResult, params: QueryDict
) -> dict[str, Any]:
    links = _Links(params)
    pages = max(1, -(-result.count // PAGE_SIZE))
    return {
        "count": result.count,
        "entries": [
            {
                "entry": entry,
                "type_label": facet_label(Facet.TYPE, entry.line_type),
                "availability_label": facet_label(Facet.AVAILABILITY, entry.availability),
                # "Healthy donor" is written in English by the index; diseases stay as named.
                "summary": facet_label(Facet.DISEASE, entry.summary),
            }
            for entry in result.entries
        ],
        "facets": _facet_groups(result, links),
        "active": [
            {
                "facet": Facet(facet).label,
                "label": facet_label(facet, value),
                "url": links.toggled(facet, value),
            }
            for facet, values in query.facet_filters().items()
            for value in values
        ],
        "clear_url": links.url(**{f: [] for f in Facet.values}),
        "sorts": [
            {
                "label": SORT_LABELS[sort],
                "url": links.url(sort=[] if sort == "relevance" else [sort]),
                "current": sort == query.sort,
            }
            for sort in SORTS
        ],
        "page": page,
        "pages": pages,
        "first_shown": query.offset + 1,
        "last_shown": query.offset + len(result.entries),
        "previous_url": links.page(page - 1) if page > 1 else "",
        "next_url": links.page(page + 1) if page < pages else "",
    }


def _exact_line(query: CatalogueQuery) -> str | None:
    """The standard name of the published line `q` names exactly, if no filter is set."""
    if not query.q or query.facet_filters():
        return None
    try:
        return resolve_name(query.q).name
    except NotFound:
        return None


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Public: the front page with the catalogue's headline figures."""
    published = CellLine.objects.filter(status=Status.PUBLISHED)
    return render(
        request,
        "catalogue/home.html",
        {
            "published_count": published.count(),
            "recent": published.select_related("institution").order_by("-published_at")[:8],
            "examples": example_searches(CatalogueState.current_token()),
        },
    )


@require_GET
def catalogue_page(request: HtmxHttpRequest) -> HttpResponse:
    """Public: search the published lines by text and facets, with counts, sorting and pages.

    A query that is exactly a line's standard name or synonym (with no filter set) goes
    straight to that line's page.
    """
    partial = request.htmx.target == RESULTS_REGION
    template = "catalogue/_results.html" if partial else "catalogue/search.html"
    params = request.GET
    context: dict[str, Any] = {"q": params.get("q", "").strip()}
    try:
        query, page = _query_from(params)
    except InvalidInput as error:
        return render(request, template, {**context, "error": error}, status=error.status)
    if name := _exact_line(query):
        target = reverse("registry:public_line", args=[name])
        return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    result = catalogue_search(
        q=query.q,
        filters=query.facet_filters(),
        sort=query.sort,
        limit=query.limit,
        offset=query.offset,
    )
    context.update(_results_context(query, page, result, params))
    context["examples"] = example_searches(result.token)
    context["selected"] = [(f, v) for f, values in query.facet_filters().items() for v in values]
    context["sort"] = query.sort
    if not result.count and query.q and not query.facet_filters() and not partial:
        context["not_found"] = gettext(
            "No cell line is known as %(name)s, and no published line mentions it."
        ) % {"name": repr(query.q)}
    return render(request, template, context)


def download_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Public: every published line as CSV, streamed."""
    rows = public_rows(request.build_absolute_uri("/").rstrip("/"))
    return csv_download("stemhub-catalogue.csv", COLUMNS, csv_cells(rows))


def download_json(request: HttpRequest) -> StreamingHttpResponse:
    """Public: every published line as a JSON array, streamed."""
    response = StreamingHttpResponse(
        json_stream(public_rows(request.build_absolute_uri("/").rstrip("/"))),
        content_type="application/json",
    )
    response["Content-Disposition"] = 'attachment; filename="stemhub-catalogue.json"'
    return response


@require_POST
@page(Perm.CURATE, what=_("Rebuilding the catalogue"))
def rebuild(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Platform admins (the Tasks page's button): rebuild the public catalogue's index as a
    background task, then follow it on its page."""
    from stemhub.catalogue.tasks import catalogue_rebuild_start

    job = catalogue_rebuild_start(actor=request.user)
    return redirect("jobs:task", job.pk)
