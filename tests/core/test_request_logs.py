"""Request ids and structured logs: every response carries an id (the proxy's when it is a sane
one), and every log line of the request carries the same id."""

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest

from stemhub.core.logs import JsonFormatter, logging_config
from stemhub.core.request_id import RequestIdFilter
from tests.core.test_settings import load_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The root logger also writes, as the recipe does, JSON through the request-id filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_response_carries_a_new_id_when_none_was_offered(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


def test_the_proxys_id_is_kept(client):
    answer = client.get("/healthz", headers={"X-Request-ID": "5f84c7a9e1b24c55b0a1e2d3c4b5a697"})
    assert answer["X-Request-ID"] == "5f84c7a9e1b24c55b0a1e2d3c4b5a697"


@pytest.mark.parametrize(
    "offered", ["a b", "x\nforged log line", "x" * 129, "<script>", "id;drop", ""]
)
def test_an_unusable_id_is_replaced(client, offered):
    answer = client.get("/healthz", headers={"X-Request-ID": offered})
    assert answer["X-Request-ID"] != offered
    assert re.fullmatch(r"[0-9a-f]{32}", answer["X-Request-ID"])


def test_every_log_line_of_a_request_carries_its_id(client, json_log):
    answer = client.get("/no-such-page/", headers={"X-Request-ID": "req-4711"})
    assert answer.status_code == 404
    logged = lines(json_log)
    # Django's own "Not Found" warning is written after the middleware chain has returned
    not_found = [line for line in logged if line["logger"] == "django.request"]
    assert not_found and not_found[0]["message"] == "Not Found: /no-such-page/"
    assert {line["request_id"] for line in logged} == {"req-4711"}
    assert not_found[0]["level"] == "WARNING" and not_found[0]["time"].endswith("+00:00")


def test_a_log_line_after_the_request_has_no_id(client, json_log):
    client.get("/no-such-page/", headers={"X-Request-ID": "req-4712"})
    logging.getLogger("stemhub.test").info("between requests")
    assert lines(json_log)[-1]["request_id"] == "-"


def test_json_lines_keep_extras_and_exceptions(json_log):
    log = logging.getLogger("stemhub.test")
    try:
        raise ValueError("bad row")
    except ValueError:
        log.exception("import failed", extra={"rows": 3})
    entry = lines(json_log)[-1]
    assert entry["message"] == "import failed" and entry["rows"] == 3
    assert "ValueError: bad row" in entry["exception"]


def test_gunicorns_access_line_becomes_named_fields():
    atoms = {
        "h": "10.0.0.7",
        "m": "GET",
        "U": "/readyz",
        "q": "",
        "H": "HTTP/1.1",
        "s": "200",
        "B": 57,
        "f": "-",
        "a": "kube-probe/1.30",
        "D": 1534,
        "{x-request-id}o": "req-4713",
    }
    record = logging.LogRecord("gunicorn.access", logging.INFO, "", 0, "%(h)s", (atoms,), None)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["logger"] == "gunicorn.access" and entry["request_id"] == "req-4713"
    assert entry["status"] == 200 and entry["path"] == "/readyz" and entry["duration_ms"] == 1.534
    assert entry["remote_addr"] == "10.0.0.7" and "referer" not in entry


def test_the_text_format_names_the_request_id():
    config = logging_config("text", "INFO")
    assert "%(request_id)s" in config["formatters"]["text"]["format"]
    assert config["handlers"]["console"]["filters"] == ["request_id"]


def test_an_unknown_log_format_stops_the_process():
    result = load_settings(SECRET_KEY="x" * 50, STEMHUB_LOG_FORMAT="xml")
    assert result.returncode != 0 and "STEMHUB_LOG_FORMAT='xml'" in result.stderr
