"""The curation workflow, versioning of published lines and the availability log."""

import pytest

from stemhub.core.errors import Conflict, Forbidden, InvalidInput
from stemhub.registry import services
from stemhub.registry.models import (
    AvailabilityChange,
    CellLine,
    CurationEvent,
    Donor,
    LineVersion,
    Status,
)
from stemhub.registry.records import line_record
from stemhub.registry.selectors import line_history
from tests.registry.lines import publishable


@pytest.fixture
def draft(users):
    return services.cell_line_create(actor=users["curator"], data=publishable())


def publish(line, actor):
    services.cell_line_submit(actor=actor, line=line)
    services.cell_line_start_review(actor=actor, line=line)
    return services.cell_line_publish(actor=actor, line=line, comment="meets the minimum")


def test_a_new_line_starts_as_a_draft_of_the_creators_institution(draft, bank):
    assert draft.status == Status.DRAFT
    assert draft.institution == bank
    assert draft.published_at is None
    record = line_record(draft)
    assert record["donor"]["diseases"][0]["term_id"] == "DOID:10652"
    assert record["synonyms"] == ["AD-iPS-1"]
    assert {(p["institution"], p["role"]) for p in record["providers"]} == {
        ("NSCB", "generator"),
        ("NSCB", "owner"),
    }


def test_the_workflow_runs_draft_submitted_in_review_published(draft, users):
    line = publish(draft, users["curator"])
    assert line.status == Status.PUBLISHED
    assert line.published_at is not None
    assert line.version == 1
    steps = [(e.from_status, e.to_status) for e in CurationEvent.objects.filter(line=line)]
    assert steps == [
        ("draft", "submitted"),
        ("submitted", "in_review"),
        ("in_review", "published"),
    ]


def test_a_returned_line_carries_the_curators_comment_and_can_be_resubmitted(draft, users):
    curator = users["curator"]
    services.cell_line_submit(actor=curator, line=draft)
    services.cell_line_start_review(actor=curator, line=draft)
    with pytest.raises(InvalidInput, match="Say what the submitter must change"):
        services.cell_line_return(actor=curator, line=draft, comment="  ")
    services.cell_line_return(actor=curator, line=draft, comment="Add the karyotype")
    draft.refresh_from_db()
    assert draft.status == Status.RETURNED
    assert CurationEvent.objects.get(to_status=Status.RETURNED).note == "Add the karyotype"
    services.cell_line_update(
        actor=curator, line=draft, data={"karyotypes": [{"karyotype": "46,XX"}]}
    )
    assert services.cell_line_submit(actor=curator, line=draft).status == Status.SUBMITTED


def test_it_refuses_to_publish_without_hpscreg_minimum(users):
    curator = users["curator"]
    line = services.cell_line_create(
        actor=curator, data=publishable(differentiations=[], consent_obtained=False)
    )
    services.cell_line_submit(actor=curator, line=line)
    services.cell_line_start_review(actor=curator, line=line)
    with pytest.raises(InvalidInput) as refused:
        services.cell_line_publish(actor=curator, line=line)
    assert refused.value.fields["checklist"] == ["ethics", "germ_layers"]
    line.refresh_from_db()
    assert line.status == Status.IN_REVIEW


def test_a_step_out_of_order_is_refused(draft, users):
    with pytest.raises(Conflict, match="draft"):
        services.cell_line_publish(actor=users["curator"], line=draft)


def test_a_line_under_review_cannot_be_edited(draft, users):
    services.cell_line_submit(actor=users["curator"], line=draft)
    with pytest.raises(Conflict, match="submitted"):
        services.cell_line_update(actor=users["curator"], line=draft, data={"description": "x"})


def test_changes_to_a_published_line_need_a_reason_and_are_versioned(draft, users):
    curator = users["curator"]
    line = publish(draft, curator)
    with pytest.raises(InvalidInput, match="need a reason"):
        services.cell_line_update(actor=curator, line=line, data={"culture_medium": "E8"})
    services.cell_line_update(
        actor=curator,
        line=line,
        data={"culture_medium": "E8", "synonyms": ["AD-iPS-1", "ADi1"]},
        reason="Medium documented after audit",
    )
    version = LineVersion.objects.get(line=line, number=2)
    assert version.note == "Medium documented after audit"
    assert version.changes["culture_medium"] == ["", "E8"]
    assert version.changes["synonyms"] == [["AD-iPS-1"], ["AD-iPS-1", "ADi1"]]
    history = line_history(line)
    assert [entry["kind"] for entry in history].count("version") == 2
    assert history[-1]["details"]["changes"]["culture_medium"] == ["", "E8"]


def test_an_edit_that_changes_nothing_writes_no_version(draft, users):
    line = publish(draft, users["curator"])
    services.cell_line_update(
        actor=users["curator"], line=line, data={"description": ""}, reason="no-op"
    )
    assert LineVersion.objects.filter(line=line).count() == 1


def test_recall_and_withdrawal_need_a_reason_and_are_logged(draft, users):
    qa = users["qa_manager"]
    line = publish(draft, users["curator"])
    services.cell_line_set_availability(actor=qa, line=line, availability="available")
    with pytest.raises(InvalidInput, match="Say why"):
        services.cell_line_set_availability(actor=qa, line=line, availability="recalled")
    services.cell_line_set_availability(
        actor=qa, line=line, availability="recalled", reason="Mycoplasma found in lot 3"
    )
    log = list(AvailabilityChange.objects.filter(line=line).values_list("to_availability", "note"))
    assert log == [("available", ""), ("recalled", "Mycoplasma found in lot 3")]


def test_staff_change_only_their_own_institutions_lines(draft, users):
    with pytest.raises(Forbidden):
        services.cell_line_update(
            actor=users["other_curator"], line=draft, data={"description": "x"}
        )
    with pytest.raises(Forbidden):
        services.cell_line_submit(actor=users["researcher"], line=draft)
    with pytest.raises(Forbidden):
        services.cell_line_set_availability(
            actor=users["bank_technician"], line=draft, availability="available"
        )


def test_a_bad_child_row_leaves_no_partial_write(users):
    data = publishable(
        markers=[
            {"marker": "OCT4", "method": "flow", "result": "positive"},
            {"marker": "NANOG", "method": "flow", "result": "maybe"},
        ]
    )
    with pytest.raises(InvalidInput) as refused:
        services.cell_line_create(actor=users["curator"], data=data)
    assert "markers[1].result" in refused.value.fields
    assert not CellLine.objects.exists()
    assert not Donor.objects.exists()


def test_unknown_fields_are_named_not_dropped(users):
    with pytest.raises(InvalidInput, match="colour") as refused:
        services.cell_line_create(actor=users["curator"], data=publishable(colour="blue"))
    assert refused.value.fields == {"colour": ["unknown field"]}


def test_a_subclone_points_to_its_parent_and_products_form_the_lineage(draft, users):
    curator = users["curator"]
    subclone = services.cell_line_create(
        actor=curator,
        data=publishable(
            "NSCBi001-A-1",
            parent="NSCBi001-A",
            synonyms=[],
            modifications=[
                {
                    "kind": "knock_out",
                    "gene": "APOE",
                    "hgvs": "NM_000041.4:c.388T>C",
                    "zygosity": "homozygous",
                    "method": "CRISPR/Cas9",
                    "isogenic_control": "NSCBi001-A",
                }
            ],
            products=[{"kind": "neurons", "name": "NSCBi001-A-1 cortical neurons"}],
        ),
    )
    record = line_record(subclone)
    assert record["parent"] == "NSCBi001-A"
    assert record["genetically_modified"] is True
    assert record["modifications"][0]["isogenic_control"] == "NSCBi001-A"
    assert list(draft.subclones.all()) == [subclone]
    assert record["products"][0]["kind"] == "neurons"


def test_a_standard_name_must_carry_the_institutions_provider_code(users):
    with pytest.raises(InvalidInput, match="provider code OSB"):
        services.cell_line_create(actor=users["other_curator"], data=publishable())


def test_an_animal_line_needs_an_approval_but_no_donor_consent(users):
    curator = users["curator"]
    line = services.cell_line_create(
        actor=curator,
        data=publishable(
            "NSCBe004-A",
            line_type="ESC",
            species="Mus musculus",
            consent_obtained=None,
            ethics_approval="Animal permit 5.8.18-00123/2024",
            donor=None,
            synonyms=[],
        ),
    )
    ethics = next(i for i in services.cell_line_checklist(line) if i.key == "ethics")
    assert ethics.done
    assert ethics.label == "Ethical provenance: an animal-work approval reference"
