"""schemathesis against the real server, every check: no server error, no answer outside the
schema, no schema-valid request refused, no schema-violating request accepted.

The platform is served as `make run` serves it (tests/browser/demo_site.py: migrate, the demo,
runserver, on a database of its own), once signed in with the platform administrator's API
token (the role that reaches most operations) and once anonymously. The run is bounded and
repeatable: a fixed seed and a fixed number of examples per operation. How to run it alone, and
what it costs: docs/api.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.demo_site import demo_site

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = 20387
EXAMPLES = 5
TOKEN_FOR_ADMIN = (
    "from stemhub.accounts.models import User\n"
    "from stemhub.accounts.services import api_token_create\n"
    "admin = User.objects.get(username='admin')\n"
    "token, secret = api_token_create(user=admin, name='schemathesis')\n"
    "print(secret)\n"
)


def schemathesis_run(url: str, *headers: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        f"{url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        str(SEED),
        "--no-shrink",
        # Fuzzing and stateful sequences fit the suite's budget (about 3 minutes); the coverage
        # phase (boundaries of every field, about 8 minutes more) runs by hand: docs/api.md.
        "--phases",
        "fuzzing,stateful",
        "--workers",
        "2",
        # Revoking the run's own token would sign the rest of the run out.
        "--exclude-name",
        "DELETE /api/v1/tokens/{token_id}",
    ]
    for header in headers:
        command += ["--header", header]
    return subprocess.run(command, capture_output=True, text=True, timeout=1500)


def _failures(output: str) -> str:
    """The run's failures (each operation with the request that shows it) and its summary: the
    warnings between them can fill any budget and hide what failed."""
    failures = output.find("= FAILURES =")
    warnings = output.find("= WARNINGS =", failures)
    summary = output.find("= SUMMARY =")
    if failures < 0 or summary < 0:
        return output[-8000:]
    return output[failures : warnings if warnings > 0 else summary][:24000] + output[summary:]


@pytest.mark.schemathesis
@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the HTTP contract does not depend on the database: checked once, on SQLite",
)
def test_the_api_answers_as_its_schema_says(tmp_path, monkeypatch):
    # The run's negative cases send wrong tokens on purpose; the lockout that protects real
    # servers would answer everything after the twentieth with 429.
    monkeypatch.setenv("STEMHUB_TOKEN_FAILURE_LIMIT", "1000000000")
    with demo_site(tmp_path) as site:
        secret = site.command("shell", "-c", TOKEN_FOR_ADMIN).split()[-1]
        runs = {
            "platform administrator's token": schemathesis_run(
                site.url, f"Authorization: Bearer {secret}"
            ),
            "anonymous": schemathesis_run(site.url),
        }
    failed = {who: _failures(run.stdout) for who, run in runs.items() if run.returncode != 0}
    assert failed == {}, "\n\n".join(f"== {who}\n{output}" for who, output in failed.items())
