"""Append-only history (version history, curation, availability, custody, container, QC and
request events, signatures, issued names, raw files, cord unit events) cannot be changed or
deleted: the database refuses it, through the ORM and through raw SQL, on SQLite and
PostgreSQL; the admin shows it read-only. Workflows that write history still work."""

import hashlib

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from stemhub.accounts.models import Institution, InstitutionKind
from stemhub.audit.registry import IMMUTABLE
from stemhub.cordblood.models import Unit, UnitEvent
from stemhub.populations.services import haplotype_set_load, population_create
from stemhub.qms.capa import capa_open
from stemhub.qms.files import document_file_store
from stemhub.qms.models import (
    Acknowledgement,
    ControlledDocument,
    DocumentVersion,
    PeriodicReview,
)
from stemhub.quality.models import QcEvent, RawFile, Signature
from stemhub.registry.models import IssuedName
from tests.conftest import make_user
from tests.distribution.setups import available_line, distribution_lot, make_request
from tests.qms.audit_setups import a_review
from tests.qms.iqc_setups import a_material_with_a_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(users):
    """At least one row of every history table: a published, available line, a released lot,
    a signed request (through the services), and rows the QC and cord suites write."""
    line = available_line(users)
    bank = distribution_lot(users, line)
    make_request(users, line)
    qa = users["qa_manager"]
    QcEvent.objects.create(bank=bank, kind=QcEvent.Kind.RESULT, actor=qa, note="recorded")
    content = b"plate reader output"
    RawFile.objects.create(
        sha256=hashlib.sha256(content).hexdigest(),
        name="plate.csv",
        size=len(content),
        content=content,
        uploaded_by=qa,
    )
    IssuedName.objects.create(
        name="NSCBi009-A",
        provider_code="NSCB",
        type_letter="i",
        donor_number="009",
        clone_letter="A",
    )
    unit = Unit.objects.create(bank=line.institution, local_id="U1", din="G123421000001", tnc=90)
    UnitEvent.objects.create(unit=unit, kind="imported", to_status="available")
    document = ControlledDocument.objects.create(
        institution=line.institution, number="SOP-QC-001", title="QC results", kind="sop", owner=qa
    )
    version = DocumentVersion.objects.create(
        document=document,
        number=1,
        created_by=qa,
        file=document_file_store(actor=qa, name="sop.pdf", chunks=[b"%PDF-1.4 sop"]),
    )
    Acknowledgement.objects.create(version=version, user=qa)
    PeriodicReview.objects.create(
        version=version,
        reviewed_on="2026-01-05",
        outcome="confirmed",
        next_review_due="2028-01-05",
        signature=Signature.objects.create(
            signer=qa,
            printed_name="QA Tester",
            meaning=Signature.Meaning.DOCUMENT_REVIEWED,
            record="{}",
            record_hash="0" * 64,
        ),
    )
    capa_open(
        actor=qa,
        institution_id=line.institution_id,
        source="deviation",
        title="Tank lid left open",
        description="Found open at 08:00",
    )
    a_review(users)  # a signed management review
    a_material_with_a_run(users)  # a control run
    frequencies = b"haplotype,count,frequency\nA*01:01~B*08:01,1,0.6\nA*02:01~B*44:02,1,0.4\n"
    haplotype_set_load(  # a version of a population's haplotype frequency set
        actor=users["platform_admin"],
        population=population_create(actor=users["platform_admin"], code="CAU", name="CAU"),
        filename="cau.csv",
        chunks=[frequencies],
        source="test",
    )
    for label in IMMUTABLE:
        assert apps.get_model(label).objects.exists(), f"no {label} row to test"


def _first(label: str):
    model = apps.get_model(label)
    return model, model.objects.order_by("pk").first()


def _refused(statement: str, params: list) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only history"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, params)


@pytest.mark.parametrize("label", IMMUTABLE)
def test_history_rows_cannot_be_changed_through_the_orm(history, label):
    model, row = _first(label)
    before = model.objects.values().get(pk=row.pk)
    with pytest.raises(DatabaseError, match="append-only history"), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{model._meta.pk.attname: row.pk})
    with pytest.raises(DatabaseError, match="append-only history"), transaction.atomic():
        row.save()
    assert model.objects.values().get(pk=row.pk) == before


@pytest.mark.parametrize("label", IMMUTABLE)
def test_history_rows_cannot_be_changed_or_deleted_by_raw_sql(history, label):
    model, row = _first(label)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    count = model.objects.count()
    _refused(f"UPDATE {table} SET {pk} = {pk} WHERE {pk} = %s", [row.pk])
    _refused(f"DELETE FROM {table} WHERE {pk} = %s", [row.pk])
    _refused(f"DELETE FROM {table}", [])
    assert model.objects.count() == count


@pytest.mark.parametrize(
    "label",
    [
        "registry.CurationEvent",
        "registry.LineVersion",
        "registry.AvailabilityChange",
        "biobank.CustodyEvent",
        "distribution.RequestEvent",
        "quality.QcEvent",
        "cordblood.UnitEvent",
    ],
)
def test_event_rows_cannot_be_deleted_through_the_orm(history, label):
    model, row = _first(label)
    with pytest.raises(DatabaseError, match="append-only history"), transaction.atomic():
        model.objects.filter(pk=row.pk).delete()
    assert model.objects.filter(pk=row.pk).exists()


def test_the_admin_shows_history_read_only(users):
    request = RequestFactory().get("/admin/")
    request.user = users["platform_admin"]
    request.user.is_superuser = True
    for label in IMMUTABLE:
        model_admin = admin.site._registry.get(apps.get_model(label))
        if model_admin is None:
            continue
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label


def test_flush_still_empties_history_and_puts_the_guards_back(history):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's flush is a TRUNCATE, which the row guards never see")
    call_command("flush", interactive=False, verbosity=0)
    for label in IMMUTABLE:
        assert not apps.get_model(label).objects.exists(), label
    # The guards are back: a new row is as immutable as the old ones were.
    actor = make_user("after_flush", None)
    bank = Institution.objects.create(
        name="After", kind=InstitutionKind.CORD_BLOOD_BANK, provider_code="AFTR", country="DE"
    )
    unit = Unit.objects.create(bank=bank, local_id="U9", din="G123421000009", tnc=90)
    event = UnitEvent.objects.create(unit=unit, kind="imported", actor=actor)
    with pytest.raises(DatabaseError, match="append-only history"), transaction.atomic():
        UnitEvent.objects.filter(pk=event.pk).update(note="rewritten")
