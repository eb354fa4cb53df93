"""The kernel's pages: the signed-in user's work and the health check."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from stemhub.core.navigation import panels_for
from stemhub.core.pages import AuthenticatedHttpRequest, page


@page()
def work(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Signed in: the user's own work, gathered from every app's queues for their roles."""
    return render(request, "core/work.html", {"panels": panels_for(request.user)})


def healthz(request: HttpRequest) -> JsonResponse:
    """Public: liveness and database reachability for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
