"""Settings come from the environment and fail loudly on bad values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stemhub.config.env import (
    ConfigurationError,
    database_from_url,
    env_bool,
    env_int,
    env_list,
)


def test_booleans_accept_the_usual_spellings_and_refuse_others(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "perhaps")
    with pytest.raises(ConfigurationError, match="FLAG='perhaps' is not a boolean"):
        env_bool("FLAG", False)


def test_integers_and_lists(monkeypatch):
    monkeypatch.setenv("N", "12")
    assert env_int("N", 0) == 12
    monkeypatch.setenv("N", "twelve")
    with pytest.raises(ConfigurationError, match="not an integer"):
        env_int("N", 0)
    monkeypatch.setenv("HOSTS", "a.example.org, b.example.org,")
    assert env_list("HOSTS", []) == ["a.example.org", "b.example.org"]


def test_database_urls():
    pg = database_from_url(
        "postgres://u:p%40ss@db.example.org:6543/stemhub", sqlite_default=Path("x")
    )
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql",
        "stemhub",
        "u",
        "p@ss",
        "db.example.org",
        "6543",
    )
    lite = database_from_url("sqlite:////var/lib/stemhub/db.sqlite3", sqlite_default=Path("x"))
    assert lite["NAME"] == "/var/lib/stemhub/db.sqlite3"
    with pytest.raises(ConfigurationError, match="not supported"):
        database_from_url("mysql://localhost/x", sqlite_default=Path("x"))
    with pytest.raises(ConfigurationError, match="names no database"):
        database_from_url("postgres://localhost", sqlite_default=Path("x"))


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "STEMHUB_DEMO"}
    }
    clean.update(env)
    code = (
        "import stemhub.config.settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, bool(s.SECURE_CSP))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=False
    )


def test_outside_the_demo_a_secret_key_is_required():
    result = load_settings()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_defaults_are_safe():
    result = load_settings(SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True"]


def test_the_demo_runs_over_plain_http():
    result = load_settings(STEMHUB_DEMO="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "False", "True"]


def test_a_short_secret_is_refused():
    result = load_settings(SECRET_KEY="short")
    assert "at least 32 characters" in result.stderr


def test_pages_carry_a_content_security_policy(client, db):
    answer = client.get("/healthz")
    assert "default-src 'self'" in answer["Content-Security-Policy"]
