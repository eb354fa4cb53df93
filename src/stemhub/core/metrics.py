"""Prometheus metrics, on the plain `prometheus_client` library.

Chosen over django-prometheus: we need one request histogram by view, a handful of our own
metrics, and gauges read from the database at scrape time; django-prometheus would bring its
middleware pair, database and cache backend wrappers (to be set as our ENGINE) and an export view
without the access rule we need, for metrics we did not ask for. Multi-process serving is
prometheus_client's own `multiprocess` mode either way.

Under gunicorn (stemhub.config.gunicorn) every worker writes its samples to files in
`PROMETHEUS_MULTIPROC_DIR` and a scrape, answered by any one worker, merges them; without that
variable (runserver, tests) the samples live in this process.

What is measured:
- `stemhub_http_request_duration_seconds{view,method,status}`: each request, by the URL name
  of its view (bounded: never the raw path).
- `stemhub_cord_search_duration_seconds`: each cord blood / adult donor search
  (`cordblood.search.run_search`).
- `stemhub_cord_index_generation{instance}`: the oldest donor index generation a live process
  holds (set after each search); `stemhub_cord_index_database_generation` and
  `stemhub_cord_index_generation_lag` (database minus process) are read at scrape time.
- `stemhub_tasks_ready{queue}`, `stemhub_tasks_oldest_ready_age_seconds{queue}`,
  `stemhub_tasks_running{queue}`: django-tasks-db's queue, read at scrape time.
"""

import hmac
import ipaddress
import os
import time
from collections.abc import Callable, Iterator
from functools import wraps

from django.conf import settings
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUEST_SECONDS = Histogram(
    "stemhub_http_request_duration_seconds",
    "Time to answer a request, by view (URL name), method and status",
    ["view", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
CORD_SEARCH_SECONDS = Histogram(
    "stemhub_cord_search_duration_seconds",
    "Time of one cord blood / adult donor search (index refresh, matching, predictions)",
    buckets=LATENCY_BUCKETS,
)
INDEX_GENERATION = Gauge(
    "stemhub_cord_index_generation",
    "Donor index generation this process searched last (oldest among live processes)",
    ["instance"],
    multiprocess_mode="livemin",
)

CONTENT_TYPE = CONTENT_TYPE_LATEST  # the exposition format a scrape gets


# ---- observations -------------------------------------------------------------------------------


class RequestMetricsMiddleware:
    """Times each request from just after the request id is set to the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        view = (match.view_name or match.route or "<unnamed>") if match else "<unmatched>"
        method = request.method if request.method in METHODS else "other"
        REQUEST_SECONDS.labels(view, method, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response


def observe_cord_search[**P, R](search: Callable[P, R]) -> Callable[P, R]:
    """Decorates `run_search`: its duration, and the index generation it searched."""

    @wraps(search)
    def observed(*args: P.args, **kwargs: P.kwargs) -> R:
        with CORD_SEARCH_SECONDS.time():
            result = search(*args, **kwargs)
        _record_index_generation()
        return result

    return observed


def _record_index_generation() -> None:
    from stemhub.cordblood import index as search_index

    index = search_index._current
    if index is not None:
        INDEX_GENERATION.labels(index.instance).set(index.generation)


# ---- scrape -------------------------------------------------------------------------------------


def process_registry() -> CollectorRegistry:
    """This process's samples, or every gunicorn worker's when PROMETHEUS_MULTIPROC_DIR is set."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


class DatabaseCollector(Collector):
    """Gauges read from the database at scrape time (two or three small queries)."""

    def __init__(self, process_generations: dict[str, float]) -> None:
        self.process_generations = process_generations

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "stemhub_metrics_database_up", "1 when the database answered this scrape's queries"
        )
        try:
            families = [*self._tasks(), *self._index()]
        except Exception:  # the scrape must still say the database is down
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _tasks(self) -> list[GaugeMetricFamily]:
        from django_tasks_db.models import DBTaskResult

        ready = GaugeMetricFamily(
            "stemhub_tasks_ready", "Tasks ready to run, not yet taken by a worker", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "stemhub_tasks_oldest_ready_age_seconds",
            "Seconds since the oldest ready task was enqueued",
            labels=["queue"],
        )
        running = GaugeMetricFamily(
            "stemhub_tasks_running", "Tasks a worker is running", labels=["queue"]
        )
        queues = dict.fromkeys(settings.TASKS.get("default", {}).get("QUEUES", ["default"]), 0)
        now = timezone.now()
        waiting = {queue: 0.0 for queue in queues}
        for row in (
            DBTaskResult.objects.ready()
            .order_by()
            .values("queue_name")
            .annotate(count=Count("pk"), first=Min("enqueued_at"))
        ):
            queues[row["queue_name"]] = row["count"]
            waiting[row["queue_name"]] = (now - row["first"]).total_seconds()
        busy = dict.fromkeys(queues, 0)
        for busy_row in (
            DBTaskResult.objects.running()
            .order_by()
            .values("queue_name")
            .annotate(count=Count("pk"))
        ):
            busy[busy_row["queue_name"]] = busy_row["count"]
        for queue in queues:
            ready.add_metric([queue], queues[queue])
            oldest.add_metric([queue], max(waiting[queue], 0.0))
            running.add_metric([queue], busy.get(queue, 0))
        return [ready, oldest, running]

    def _index(self) -> list[GaugeMetricFamily]:
        from stemhub.cordblood.models import IndexState

        state = IndexState.objects.filter(pk=1).first()
        generation = GaugeMetricFamily(
            "stemhub_cord_index_database_generation",
            "Donor index generation in the database (bumped by every change a search can see)",
        )
        generation.add_metric([], state.generation if state else 0)
        families = [generation]
        held = self.process_generations.get(state.instance) if state else None
        if state is not None and held is not None:
            lag = GaugeMetricFamily(
                "stemhub_cord_index_generation_lag",
                "Generations the oldest live process's donor index is behind the database "
                "(applied before its next search)",
            )
            lag.add_metric([], max(state.generation - held, 0))
            families.append(lag)
        return families


def _generations(registry: CollectorRegistry) -> dict[str, float]:
    return {
        sample.labels["instance"]: sample.value
        for family in registry.collect()
        if family.name == "stemhub_cord_index_generation"
        for sample in family.samples
    }


def exposition() -> bytes:
    """The text a scrape gets: the processes' samples, then the database's gauges."""
    registry = process_registry()
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector(_generations(registry)))
    return generate_latest(registry) + generate_latest(database)


# ---- access -------------------------------------------------------------------------------------


def client_address(request: HttpRequest, proxy_count: int) -> str | None:
    """The address the request came from: REMOTE_ADDR when nothing proxies, else the entry of
    `X-Forwarded-For` the nearest of `proxy_count` proxies wrote (None when there are fewer
    entries than proxies: the request did not come through them)."""
    if proxy_count <= 0:
        remote: str | None = request.META.get("REMOTE_ADDR")
        return remote
    forwarded: list[str] = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part
    ]
    if len(forwarded) < proxy_count:
        return None
    return forwarded[-proxy_count]


def scrape_allowed(request: HttpRequest) -> bool | None:
    """True: the request may read the metrics; False: it offered a wrong token; None: it offered
    none and comes from outside the allowed networks."""
    token: str = settings.STEMHUB_METRICS_TOKEN
    offered = request.headers.get("Authorization", "")
    if offered:
        scheme, _, value = offered.partition(" ")
        return bool(
            token and scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), token)
        )
    address = client_address(request, settings.STEMHUB_PROXY_COUNT)
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in settings.STEMHUB_METRICS_ALLOW):
        return True
    return None
