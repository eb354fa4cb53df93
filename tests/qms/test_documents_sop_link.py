"""A cell bank links to the controlled document version it was frozen under: given as a
document number on creation, resolved to the version in force at the bank's institution;
older banks' free text is linked by the data migration where it names an existing version."""

import importlib
import json

import pytest
from django.apps import apps

from stemhub.biobank.models import CellBank
from stemhub.core.errors import InvalidInput
from tests.biobank.storage import bank_of, published_line, storage_tree
from tests.qms.documents_setup import advance, drafted, sop

pytestmark = pytest.mark.django_db


@pytest.fixture
def freezing(users):
    """SOP-BB-010 with version 2 in force at the bank."""
    document = sop(users, "SOP-BB-010", title="Cell banking: freezing a bank")
    advance(users, drafted(users, document, "1"), "effective")
    return advance(users, drafted(users, document, "2"), "effective")


@pytest.fixture
def place(users):
    technician = users["bank_technician"]
    return technician, published_line(users), [storage_tree(technician)["box1"]]


def test_a_bank_links_to_the_version_in_force_of_the_sop_named(freezing, place):
    technician, line, boxes = place
    bank = bank_of(technician, line, boxes, sop="SOP-BB-010")
    assert bank.sop_version == freezing
    bank = bank_of(technician, line, boxes, code="B2", sop="sop-bb-010 v2")
    assert bank.sop_version == freezing


@pytest.mark.parametrize(
    ("cited", "problem"),
    [
        ("SOP-BB-099", "unknown document number"),
        ("SOP-BB-010 v1", "not the version in force"),
        ("freezing SOP", "like SOP-BB-010"),
    ],
)
def test_a_wrong_sop_is_a_400_naming_the_field(freezing, place, cited, problem):
    technician, line, boxes = place
    with pytest.raises(InvalidInput) as refused:
        bank_of(technician, line, boxes, sop=cited)
    assert refused.value.fields == {"sop": [problem]}
    assert not CellBank.objects.exists()


def test_a_sop_with_no_version_in_force_is_refused(users, place):
    advance(users, drafted(users, sop(users, "SOP-BB-010")), "in_review")
    technician, line, boxes = place
    with pytest.raises(InvalidInput) as refused:
        bank_of(technician, line, boxes, sop="SOP-BB-010")
    assert refused.value.fields == {"sop": ["no version in force"]}


def test_another_institutions_sop_is_unknown_here(users, place):
    other = users["other_qa"]
    advance(users, drafted(users, sop(users, "SOP-BB-010")), "effective")
    from stemhub.qms.models import ControlledDocument

    ControlledDocument.objects.filter(number="SOP-BB-010").update(institution=other.institution)
    technician, line, boxes = place
    with pytest.raises(InvalidInput):
        bank_of(technician, line, boxes, sop="SOP-BB-010")


def test_the_api_takes_the_number_and_answers_the_version(freezing, place, client_for):
    _technician, line, boxes = place
    body = {
        "line": line.name,
        "tier": "mcb",
        "passage_number": 10,
        "freeze_date": "2025-03-14",
        "vial_count": 2,
        "boxes": [boxes[0].pk],
    }
    client = client_for("bank_technician")
    answer = client.post(
        "/api/v1/biobank/banks",
        json.dumps({**body, "sop": "SOP-BB-099"}),
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert "sop" in answer.json()["error"]["fields"]
    answer = client.post(
        "/api/v1/biobank/banks",
        json.dumps({**body, "sop": "SOP-BB-010"}),
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["sop_version"] == "SOP-BB-010 v2"


def test_the_bank_page_links_to_the_version(freezing, place, client_for):
    technician, line, boxes = place
    bank = bank_of(technician, line, boxes, sop="SOP-BB-010")
    page = client_for("curator").get(f"/biobank/banks/{bank.pk}/").content.decode()
    assert f'href="/qms/documents/{freezing.document_id}/?version=2"' in page
    assert "SOP-BB-010 v2" in page


def test_the_migration_links_text_naming_an_existing_version_and_keeps_the_rest(freezing, place):
    technician, line, boxes = place
    named = bank_of(technician, line, boxes, code="B1")
    unknown = bank_of(technician, line, boxes, code="B2")
    free = bank_of(technician, line, boxes, code="B3")
    CellBank.objects.filter(pk=named.pk).update(sop_reference="SOP-BB-010 v1")
    CellBank.objects.filter(pk=unknown.pk).update(sop_reference="SOP-BB-012 v3")
    CellBank.objects.filter(pk=free.pk).update(sop_reference="freezing per lab notebook")
    migration = importlib.import_module("stemhub.biobank.migrations.0006_qms_sop_version")
    migration.link_cited_versions(apps, None)
    named.refresh_from_db()
    unknown.refresh_from_db()
    free.refresh_from_db()
    assert named.sop_version.label == "SOP-BB-010 v1" and named.sop_reference == ""
    assert unknown.sop_version is None and unknown.sop_reference == "SOP-BB-012 v3"
    assert free.sop_version is None and free.sop_reference == "freezing per lab notebook"
