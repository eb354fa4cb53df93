"""Pages every visitor sees."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from stemhub.catalogue.models import CatalogueState
from stemhub.catalogue.selectors import example_searches
from stemhub.core.navigation import panels_for
from stemhub.core.pages import page
from stemhub.registry.models import CellLine, Status


def home(request: HttpRequest) -> HttpResponse:
    """Public: the front page with the catalogue's headline figures."""
    published = CellLine.objects.filter(status=Status.PUBLISHED)
    return render(
        request,
        "core/home.html",
        {
            "published_count": published.count(),
            "recent": published.select_related("institution").order_by("-published_at")[:8],
            "examples": example_searches(CatalogueState.current_token()),
        },
    )


@page()
def work(request: HttpRequest) -> HttpResponse:
    """Signed in: the user's own work, gathered from every app's queues for their roles."""
    return render(request, "core/work.html", {"panels": panels_for(request.user)})


def healthz(request: HttpRequest) -> JsonResponse:
    """Public: liveness and database reachability for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
