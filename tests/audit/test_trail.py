"""The audit trail is written by the database: every insert, change and deletion of an audited
table, however it was made, with old and new values, actor and reason; and it cannot be edited.
Runs on SQLite and, with DATABASE_URL set, on PostgreSQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from stemhub.audit.context import audit_context, current_audit_frame
from stemhub.audit.models import AuditEvent
from stemhub.audit.triggers import install_audit_triggers
from stemhub.registry import services
from stemhub.registry.models import CellLine, Synonym
from tests.registry.lines import publishable

pytestmark = pytest.mark.django_db


def trail(obj) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(model=obj._meta.label_lower, row_pk=str(obj.pk)).order_by("id")
    )


@pytest.fixture
def line(users) -> CellLine:
    return services.cell_line_create(actor=users["curator"], data=publishable())


def test_a_service_write_records_old_and_new_values_actor_and_reason(users, line):
    curator = users["curator"]
    services.cell_line_submit(actor=curator, line=line, comment="Ready for review")

    created, submitted = trail(line)
    assert created.operation == "INSERT" and created.new_values["name"] == "NSCBi001-A"
    assert created.actor_id == curator.pk and created.actor_label == "curator"
    assert created.institution_id == line.institution_id
    assert submitted.operation == "UPDATE"
    assert submitted.old_values["status"] == "draft"
    assert submitted.new_values["status"] == "submitted"
    assert submitted.reason == "Ready for review"
    assert submitted.actor_id == curator.pk
    assert "description" not in submitted.new_values  # only what changed


def test_child_rows_carry_the_institution_of_their_line(users, line):
    synonym = Synonym.objects.get(line=line)
    (created,) = trail(synonym)
    assert created.institution_id == line.institution_id
    assert created.actor_label == "curator"


def test_queryset_update_is_recorded(line):
    CellLine.objects.filter(pk=line.pk).update(description="changed in bulk")
    last = trail(line)[-1]
    assert last.operation == "UPDATE"
    assert last.new_values == {"description": "changed in bulk"}
    assert last.old_values == {"description": line.description}
    assert last.actor_id is None and last.actor_label == ""


def test_an_update_that_changes_nothing_writes_nothing(line):
    before = len(trail(line))
    CellLine.objects.filter(pk=line.pk).update(description=line.description)
    assert len(trail(line)) == before


def test_bulk_create_is_recorded_with_the_context(users, line):
    with audit_context(actor=users["curator"], reason="imported synonyms"):
        made = Synonym.objects.bulk_create(
            [Synonym(line=line, name="X-1"), Synonym(line=line, name="X-2")]
        )
    names = set()
    for synonym in Synonym.objects.filter(name__in=["X-1", "X-2"]):
        (event,) = trail(synonym)
        assert event.operation == "INSERT" and event.reason == "imported synonyms"
        names.add(event.new_values["name"])
    assert names == {"X-1", "X-2"} and len(made) == 2


def test_raw_sql_update_and_delete_are_recorded(line):
    synonym = Synonym.objects.get(line=line)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_synonym SET name = %s WHERE id = %s", ["raw name", synonym.pk]
        )
        cursor.execute("DELETE FROM registry_synonym WHERE id = %s", [synonym.pk])
    _, updated, deleted = trail(synonym)
    assert (updated.operation, updated.old_values["name"], updated.new_values["name"]) == (
        "UPDATE",
        synonym.name,
        "raw name",
    )
    assert deleted.operation == "DELETE" and deleted.old_values["name"] == "raw name"
    assert deleted.new_values is None
    if connection.vendor == "postgresql":
        assert deleted.db_user and deleted.txid


def test_orm_delete_is_recorded_with_actor_and_reason(users, line):
    synonym = Synonym.objects.get(line=line)
    pk = synonym.pk
    with audit_context(actor=users["curator"], reason="duplicate"):
        synonym.delete()
    deleted = AuditEvent.objects.filter(model="registry.synonym", row_pk=str(pk)).last()
    assert (deleted.operation, deleted.reason, deleted.actor_label) == (
        "DELETE",
        "duplicate",
        "curator",
    )


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_event SET reason = 'tampered'", "DELETE FROM audit_event"],
    ids=["update", "delete"],
)
def test_audit_rows_cannot_be_changed_even_by_raw_sql(line, statement):
    count = AuditEvent.objects.count()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.count() == count
    assert not AuditEvent.objects.filter(reason="tampered").exists()


def test_audit_rows_cannot_be_changed_through_the_orm(line):
    event = trail(line)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_nested_contexts_stack_and_an_inner_one_keeps_the_outer_reason(users, line):
    curator, qa = users["curator"], users["qa_manager"]
    with audit_context(actor=curator, reason="recall"):
        with audit_context(actor=qa):
            CellLine.objects.filter(pk=line.pk).update(description="inner")
            assert current_audit_frame().actor_label == "qa_manager"
        CellLine.objects.filter(pk=line.pk).update(description="outer")
    assert current_audit_frame() is None
    inner, outer = trail(line)[-2:]
    assert (inner.actor_label, inner.reason) == ("qa_manager", "recall")
    assert (outer.actor_label, outer.reason) == ("curator", "recall")
    assert inner.txid == outer.txid


def test_a_context_ends_with_its_block_even_when_the_block_fails(users, line):
    with pytest.raises(RuntimeError), audit_context(actor=users["curator"], reason="oops"):
        CellLine.objects.filter(pk=line.pk).update(description="rolled back")
        raise RuntimeError
    CellLine.objects.filter(pk=line.pk).update(description="after")
    last = trail(line)[-1]
    assert last.new_values == {"description": "after"}
    assert last.actor_id is None and last.reason == ""
    assert not [e for e in trail(line) if e.new_values == {"description": "rolled back"}]


def test_installing_the_triggers_again_changes_nothing(line):
    install_audit_triggers()
    installed = install_audit_triggers()
    assert "registry.CellLine" in installed and "equipment.Equipment" in installed
    before = len(trail(line))
    CellLine.objects.filter(pk=line.pk).update(description="once")
    assert len(trail(line)) == before + 1


def test_truncating_the_trail_is_refused_on_postgresql(line):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its DELETE is refused (above)")
    count = AuditEvent.objects.count()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_event")
    assert AuditEvent.objects.count() == count


def test_a_raw_insert_into_an_audited_table_is_recorded(line):
    table = connection.ops.quote_name(Synonym._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (line_id, name) VALUES (%s, %s)", [line.pk, "Raw-Alias-1"]
        )
    added = Synonym.objects.get(name="Raw-Alias-1")
    (created,) = trail(added)
    assert created.operation == "INSERT"
    assert created.new_values["name"] == "Raw-Alias-1"
    assert created.institution_id == line.institution_id
    assert created.actor_id is None and created.actor_label == ""


def test_bulk_update_is_recorded_row_by_row(users, line):
    other = services.cell_line_create(actor=users["curator"], data=publishable("NSCBi002-A"))
    lines = [line, other]
    for found in lines:
        found.description = f"bulk {found.name}"
    with audit_context(actor=users["curator"], reason="bulk fix"):
        CellLine.objects.bulk_update(lines, ["description"])
    for found in lines:
        last = trail(found)[-1]
        assert last.operation == "UPDATE"
        assert last.new_values == {"description": f"bulk {found.name}"}
        assert (last.actor_label, last.reason) == ("curator", "bulk fix")
