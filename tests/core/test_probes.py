"""/healthz says the process answers; /readyz says it may be sent traffic, and names what is not
ready: unapplied migrations, HLA reference tables that cannot be loaded."""

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from stemhub.core import readiness
from stemhub.core.hla import use_engine

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_checks():
    readiness.forget()
    yield
    readiness.forget()


def test_liveness_answers_without_asking_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}
    assert answer["Cache-Control"].startswith("max-age=0")


def test_a_migrated_database_is_ready(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "hla", "tasks"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["hla"]["detail"].startswith("IPD-IMGT/HLA ")


def test_an_unapplied_migration_makes_it_unready_and_is_named(client):
    app_label, name = sorted(MigrationLoader(connection).graph.leaf_nodes())[0]
    MigrationRecorder(connection).record_unapplied(app_label, name)

    answer = client.get("/readyz")

    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "not ready"
    assert body["failing"] == ["migrations"]
    detail = body["checks"]["migrations"]["detail"]
    assert f"{app_label}.{name}" in detail and "stemhub migrate" in detail


def test_the_migration_check_is_kept_for_a_few_seconds(client, django_assert_max_num_queries):
    client.get("/readyz")
    # the database's SELECT 1 and the task table's read; not the applied migrations again
    with django_assert_max_num_queries(2):
        assert client.get("/readyz").status_code == 200


def test_hla_tables_that_cannot_be_loaded_make_it_unready(client, tmp_path, monkeypatch):
    monkeypatch.setenv("STEMHUB_IMGT_DIR", str(tmp_path))
    use_engine(None)
    try:
        answer = client.get("/readyz")
    finally:
        monkeypatch.undo()
        use_engine(None)
    assert answer.status_code == 503
    body = answer.json()
    assert body["failing"] == ["hla"]
    assert "Allelelist.txt" in body["checks"]["hla"]["detail"]


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_take_no_writes(client, path):
    assert client.post(path).status_code == 405
