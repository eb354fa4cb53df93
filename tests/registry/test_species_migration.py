"""Migration registry 0004: a mouse line stored as hiPSC becomes iPSC (its catalogue entry and
type facet too); a human line keeps its type."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from stemhub.audit.triggers import drop_sqlite_audit_triggers, install_audit_triggers

BEFORE = [
    ("registry", "0003_ethics_approval_date_and_publication_year"),
    ("catalogue", "0002_fulltext_index"),
]
AFTER = [("registry", "0004_line_types_by_species")]


@pytest.fixture
def migrating():
    """As `migrate` does on SQLite, the audit triggers (which name every column) are dropped
    while tables are rebuilt, and put back afterwards."""
    if connection.vendor == "sqlite":
        drop_sqlite_audit_triggers()
    yield
    install_audit_triggers()


@pytest.mark.django_db(transaction=True)
def test_animal_lines_stored_with_human_types_are_retyped(migrating):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    institution = old.get_model("accounts", "Institution").objects.create(
        name="Institute of Model Research", provider_code="IRMR", kind="research_institution"
    )
    CellLine = old.get_model("registry", "CellLine")
    mouse = CellLine.objects.create(
        name="IRMR-MIPS1", line_type="hiPSC", species="Mus musculus", institution=institution
    )
    rabbit = CellLine.objects.create(
        name="IRMR-RES1", line_type="hESC", species="Oryctolagus cuniculus", institution=institution
    )
    human = CellLine.objects.create(name="IRMRi001-A", line_type="hiPSC", institution=institution)
    entry = old.get_model("catalogue", "CatalogueEntry").objects.create(
        line_id=mouse.pk,
        name=mouse.name,
        line_type="hiPSC",
        species="Mus musculus",
        availability="available",
        institution_name=institution.name,
        summary="",
        names_text="",
        search_text="",
        published_at="2026-01-01T00:00:00Z",
    )
    old.get_model("catalogue", "FacetValue").objects.create(
        entry=entry, facet="type", value="hiPSC"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    types = dict(new.get_model("registry", "CellLine").objects.values_list("pk", "line_type"))
    assert types == {mouse.pk: "iPSC", rabbit.pk: "ESC", human.pk: "hiPSC"}
    assert new.get_model("catalogue", "CatalogueEntry").objects.get().line_type == "iPSC"
    assert list(
        new.get_model("catalogue", "FacetValue").objects.values_list("value", flat=True)
    ) == ["iPSC"]
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
