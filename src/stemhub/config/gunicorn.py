"""gunicorn's configuration for stemhub: `gunicorn -c python:stemhub.config.gunicorn
stemhub.config.wsgi` (docs/deployment.md). Read from the environment like the settings.

- Workers: `STEMHUB_WEB_WORKERS` processes (default: 2 per core, at least 2) of
  `STEMHUB_WEB_THREADS` threads (default 4). Each process keeps its own donor search index in
  memory (rebuilt from the newest snapshot when it starts), so a few processes with threads beat
  many single-threaded ones.
- Preloaded: Django and the HLA engine's reference tables are loaded once in the master before
  it forks, so workers share those pages and start ready; no database connection is opened
  before the fork.
- Timeouts: `STEMHUB_WEB_TIMEOUT` seconds (default 120) for one request; long work runs as a task.
- Proxies: with `STEMHUB_PROXY_COUNT` > 0, gunicorn trusts the forwarded headers
  (X-Forwarded-Proto, ...) from `STEMHUB_PROXY_IPS` (default the loopback addresses; `*` when
  only the proxy can reach the server, as in deploy/compose.yaml); with 0 it trusts none.
- Logs: gunicorn's own and its access log through the same LOGGING as Django
  (`STEMHUB_LOG_FORMAT=json|text`), each access line carrying the request id.
- Metrics: every worker writes Prometheus samples to `PROMETHEUS_MULTIPROC_DIR` (made empty at
  start; a fresh temporary folder when unset); a dead worker's live gauges are dropped.
"""

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from stemhub.config.env import env_int, env_list, env_str
from stemhub.core.logs import FORMATS, logging_config

_log_format = env_str("STEMHUB_LOG_FORMAT", "text")
if _log_format not in FORMATS:
    raise SystemExit(f"STEMHUB_LOG_FORMAT={_log_format!r} is not one of {FORMATS}")

bind = env_list("STEMHUB_BIND", ["127.0.0.1:8000"])
workers = env_int("STEMHUB_WEB_WORKERS", max(2, 2 * (os.cpu_count() or 1)))
threads = env_int("STEMHUB_WEB_THREADS", 4)
worker_class = "gthread"
timeout = env_int("STEMHUB_WEB_TIMEOUT", 120)
graceful_timeout = env_int("STEMHUB_WEB_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Recycle a worker after this many requests (0: never): a leak's bound, at the cost of a rebuilt
# search index in the new worker.
max_requests = env_int("STEMHUB_WEB_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
preload_app = True
# gunicorn 24+'s control socket lives in $HOME and would clash between two servers on one host;
# stemhub is managed with signals (systemd, docker stop).
control_socket_disable = True
# The largest request line and header fields nginx forwards; bodies are limited by Django
# (STEMHUB_MAX_UPLOAD_MB) and by nginx's client_max_body_size.
limit_request_line = 8190

_proxy_count = env_int("STEMHUB_PROXY_COUNT", 0)
forwarded_allow_ips = (
    ",".join(env_list("STEMHUB_PROXY_IPS", ["127.0.0.1", "::1"])) if _proxy_count > 0 else ""
)

accesslog = "-"
errorlog = "-"
loglevel = env_str("LOG_LEVEL", "INFO").lower()
logconfig_dict: dict[str, Any] = logging_config(_log_format, loglevel.upper())
logconfig_dict["loggers"] = {
    "gunicorn.error": {"level": loglevel.upper(), "handlers": [], "propagate": True},
    "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
}

# Must be in the environment before prometheus_client is first imported (by the preloaded app).
_made_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
    prefix="stemhub-prometheus-"
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server: Any) -> None:
    """Samples left by an earlier run would be added to this one's: start empty."""
    folder = Path(_metrics_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob("*.db"):
        leftover.unlink()


def when_ready(server: Any) -> None:
    """Load the HLA reference tables in the master, before the fork, so every worker shares
    them. Where they cannot be loaded the server still starts, and /readyz names the problem."""
    from stemhub.core.hla import engine
    from stemhub.hla import HLAError

    try:
        loaded = engine()
    except HLAError as error:
        server.log.warning("HLA reference tables not loaded: %s", error)
    else:
        server.log.info("HLA reference tables loaded: IPD-IMGT/HLA %s", loaded.release)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def on_exit(server: Any) -> None:
    if _made_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
