"""The kernel's pages: the signed-in user's work, and the probes and metrics a deployment reads
(docs/deployment.md)."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from stemhub.core import metrics, readiness
from stemhub.core.navigation import panels_for
from stemhub.core.pages import AuthenticatedHttpRequest, page


@page()
def work(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Signed in: the user's own work, gathered from every app's queues for their roles."""
    return render(request, "core/work.html", {"panels": panels_for(request.user)})


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Public: liveness. The process answers; nothing else is asked (no database), so a database
    outage makes instances unready, never restarted in a loop."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Public: readiness (stemhub.core.readiness). 200 when every check holds, else 503 with the
    checks that fail and why."""
    results = readiness.checks()
    ready = all(check.ok for check in results)
    body: dict[str, object] = {
        "status": "ready" if ready else "not ready",
        "checks": {check.name: {"ok": check.ok, "detail": check.detail} for check in results},
    }
    if not ready:
        body["failing"] = [check.name for check in results if not check.ok]
    return JsonResponse(body, status=200 if ready else 503)


@never_cache
@require_safe
def prometheus_metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus' scrape: from STEMHUB_METRICS_ALLOW's networks, or with the bearer token
    STEMHUB_METRICS_TOKEN. A wrong token is refused (403); anyone else is told there is no such
    page (404), as for any other address."""
    allowed = metrics.scrape_allowed(request)
    if allowed is False:
        return JsonResponse(
            {
                "error": {
                    "code": "forbidden",
                    "message": gettext(
                        "The Authorization header's bearer token is not the metrics token."
                    ),
                    "fields": {},
                }
            },
            status=403,
        )
    if allowed is None:
        raise Http404
    return HttpResponse(metrics.exposition(), content_type=metrics.CONTENT_TYPE)
