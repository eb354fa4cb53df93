"""/metrics: Prometheus' text, open to the allowed networks or the bearer token only, with the
request latency by view, the task queue read from the database, the cord search's latency and
the donor index's generation lag (tests/core/test_metrics_cord.py)."""

import ipaddress
from datetime import timedelta

import pytest
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from tests.core.test_settings import load_settings

pytestmark = pytest.mark.django_db
TOKEN = "metrics-token-0123456789abcdefghijklmnop"


@task()
def nothing() -> None:
    """A task for the queue gauges to count."""


def scrape(client, **headers) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.status_code
    assert answer["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.content.decode())
        for sample in family.samples
    }


def test_request_latency_is_counted_by_view(client):
    def served() -> float:
        key = (
            "stemhub_http_request_duration_seconds_count",
            (("method", "GET"), ("status", "200"), ("view", "healthz")),
        )
        return scrape(client).get(key, 0.0)

    before = served()
    client.get("/healthz")
    client.get("/healthz")
    assert served() == before + 2


def test_an_unknown_path_is_one_label_not_one_per_path(client):
    client.get("/no-such-page-1/")
    client.get("/no-such-page-2/")
    labels = {dict(key[1]).get("view") for key in scrape(client)}
    assert "<unmatched>" in labels and not any("no-such-page" in str(v) for v in labels)


def test_the_queue_depth_and_the_oldest_tasks_age(client):
    empty = scrape(client)
    assert empty[("stemhub_tasks_ready", (("queue", "default"),))] == 0
    assert empty[("stemhub_tasks_oldest_ready_age_seconds", (("queue", "default"),))] == 0

    for _ in range(3):
        nothing.enqueue()
    oldest = DBTaskResult.objects.order_by("enqueued_at").first()
    DBTaskResult.objects.filter(pk=oldest.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=5)
    )
    DBTaskResult.objects.exclude(pk=oldest.pk).filter(
        pk=DBTaskResult.objects.exclude(pk=oldest.pk).values("pk")[:1]
    ).update(status="RUNNING", started_at=timezone.now())

    found = scrape(client)
    assert found[("stemhub_tasks_ready", (("queue", "default"),))] == 2
    assert found[("stemhub_tasks_running", (("queue", "default"),))] == 1
    assert found[("stemhub_tasks_oldest_ready_age_seconds", (("queue", "default"),))] >= 300
    assert found[("stemhub_metrics_database_up", ())] == 1


# ---- who may read them ---------------------------------------------------------------------------


def test_an_address_outside_the_allowed_networks_is_not_found(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404


def test_the_bearer_token_opens_them_from_anywhere(client, settings):
    settings.STEMHUB_METRICS_TOKEN = TOKEN
    answer = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert answer.status_code == 200 and b"stemhub_tasks_ready" in answer.content


@pytest.mark.parametrize("configured", [TOKEN, ""])
def test_a_wrong_token_is_refused_even_from_an_allowed_address(client, settings, configured):
    settings.STEMHUB_METRICS_TOKEN = configured
    answer = client.get("/metrics", headers={"Authorization": "Bearer guessed"})
    assert answer.status_code == 403
    assert "metrics token" in answer.json()["error"]["message"]


def test_a_configured_network_is_allowed(client, settings):
    settings.STEMHUB_METRICS_ALLOW = [ipaddress.ip_network("10.0.0.0/8")]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_behind_a_proxy_the_forwarded_client_counts_not_the_proxy(client, settings):
    settings.STEMHUB_PROXY_COUNT = 1
    from_outside = {"HTTP_X_FORWARDED_FOR": "203.0.113.9", "REMOTE_ADDR": "127.0.0.1"}
    assert client.get("/metrics", **from_outside).status_code == 404
    # a client cannot forge its way in: the proxy appends the address it saw
    forged = {"HTTP_X_FORWARDED_FOR": "127.0.0.1, 203.0.113.9", "REMOTE_ADDR": "127.0.0.1"}
    assert client.get("/metrics", **forged).status_code == 404
    # and a request that did not come through the proxy is not trusted either
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200


def test_a_short_token_or_a_bad_network_stops_the_process():
    short = load_settings(SECRET_KEY="x" * 50, STEMHUB_METRICS_TOKEN="short")
    assert "STEMHUB_METRICS_TOKEN must be at least 32" in short.stderr
    network = load_settings(SECRET_KEY="x" * 50, STEMHUB_METRICS_ALLOW="10.0.0.0/33")
    assert "STEMHUB_METRICS_ALLOW" in network.stderr
