"""The biobank's HTML forms: create containers, hold positions, move boxes, and the vial
actions. A refused form comes back with a 400 or 409, the service's message and the fields it
names; nothing is written."""

import pytest

from stemhub.biobank.models import Container, ContainerEvent, PositionHold, Vial
from stemhub.core.templatetags.form_errors import field_label
from tests.biobank.storage import bank_of

pytestmark = pytest.mark.django_db
B = "/biobank"


@pytest.fixture
def tech(client_for):
    return client_for("bank_technician")


def refused(answer, status: int, form: str, *fields: str) -> str:
    """The page's text after a refusal, with the form's error block naming the fields."""
    assert answer.status_code == status, answer.status_code
    html = answer.content.decode()
    assert f'id="{form}-error"' in html
    for field in fields:
        assert f"<strong>{field_label(field)}</strong>" in html, field
    return html


# Containers


def test_a_technician_creates_a_box_in_a_rack_slot(tech, tree):
    box_type = Container.objects.get(pk=tree["box1"].pk).type
    answer = tech.post(
        f"{B}/containers/new/",
        {"type": box_type.pk, "name": "Box 9", "parent": tree["rack"].pk, "position": "9-1"},
    )
    made = Container.objects.get(name="Box 9")
    assert answer.status_code == 302 and answer["location"] == f"{B}/containers/{made.pk}/"
    assert (made.parent, made.row, made.column) == (tree["rack"], 9, 1)
    assert made.temperature_class == "LN_vapour"  # the tank's, through the rack
    assert ContainerEvent.objects.filter(container=made, kind="create").exists()


def test_the_create_form_offers_only_places_that_hold_containers(tech, tree):
    html = tech.get(f"{B}/containers/new/?parent={tree['rack'].pk}").content.decode()
    assert f'<option value="{tree["rack"].pk}" selected>Site A/Room 1/Tank 2/Rack 3' in html
    assert "Rack 3/Box 1</option>" not in html


def test_a_taken_rack_slot_is_refused_with_the_field_named(tech, tree):
    box_type = tree["box1"].type
    answer = tech.post(
        f"{B}/containers/new/",
        {"type": box_type.pk, "name": "Box 9", "parent": tree["rack"].pk, "position": "1-1"},
    )
    html = refused(answer, 409, "create", "position")
    assert "holds Box 1" in html
    assert not Container.objects.filter(name="Box 9").exists()


def test_a_box_inside_a_box_and_an_unknown_slot_are_refused(tech, tree):
    box_type = tree["box1"].type
    into_box = {"type": box_type.pk, "name": "Nested", "parent": tree["box1"].pk}
    refused(tech.post(f"{B}/containers/new/", into_box), 400, "create", "parent")
    bad_slot = {"type": box_type.pk, "name": "Box 9", "parent": tree["rack"].pk, "position": "11"}
    refused(tech.post(f"{B}/containers/new/", bad_slot), 400, "create", "position")
    refused(tech.post(f"{B}/containers/new/", {"type": "", "name": "X"}), 400, "create", "type")
    assert not Container.objects.filter(name__in=["Nested", "Box 9", "X"]).exists()


def test_two_sites_of_one_name_are_refused(tech, tree):
    site_type = tree["site"].type
    answer = tech.post(f"{B}/containers/new/", {"type": site_type.pk, "name": "Site A"})
    refused(answer, 409, "create", "name")
    assert Container.objects.filter(name="Site A").count() == 1


# Positions of a box


def test_a_free_cell_leads_to_the_hold_form_for_it(tech, tree):
    html = tech.get(f"{B}/containers/{tree['box1'].pk}/").content.decode()
    assert 'href="?position=A1#hold"' in html
    html = tech.get(f"{B}/containers/{tree['box1'].pk}/?position=C4").content.decode()
    assert 'id="hold-position" name="position" value="C4"' in html


def test_a_position_is_blocked_then_released(tech, tree):
    box = tree["box1"]
    answer = tech.post(f"{B}/containers/{box.pk}/holds/", {"position": "b2", "kind": "blocked"})
    assert answer.status_code == 302
    hold = PositionHold.objects.get(container=box)
    assert (hold.row, hold.column, hold.kind) == (2, 2, "blocked")
    assert "hold-blocked" in tech.get(f"{B}/containers/{box.pk}/").content.decode()
    answer = tech.post(f"{B}/containers/{box.pk}/holds/", {"position": "B2", "kind": "free"})
    assert answer.status_code == 302 and not PositionHold.objects.exists()


def test_a_filled_or_unknown_position_cannot_be_held(tech, users, tree, line):
    bank_of(users["bank_technician"], line, [tree["box1"]], count=1)
    box = tree["box1"]
    answer = tech.post(f"{B}/containers/{box.pk}/holds/", {"position": "A1", "kind": "reserved"})
    refused(answer, 409, "hold", "position")
    answer = tech.post(f"{B}/containers/{box.pk}/holds/", {"position": "Z99", "kind": "blocked"})
    refused(answer, 400, "hold", "position")
    answer = tech.post(f"{B}/containers/{box.pk}/holds/", {"position": "A2", "kind": "lost"})
    refused(answer, 400, "hold", "kind")
    assert not PositionHold.objects.exists()


def test_a_curator_may_not_hold_a_position(client_for, tree):
    answer = client_for("curator").post(
        f"{B}/containers/{tree['box1'].pk}/holds/", {"position": "A1", "kind": "blocked"}
    )
    assert answer.status_code == 403 and not PositionHold.objects.exists()


def test_a_move_into_a_taken_slot_shows_on_the_move_form(tech, tree):
    box2 = tree["box2"]
    answer = tech.post(
        f"{B}/containers/{box2.pk}/move/", {"parent": tree["rack"].pk, "position": "1-1"}
    )
    refused(answer, 409, "move", "position")
    answer = tech.post(f"{B}/containers/{box2.pk}/move/", {"parent": tree["box1"].pk})
    refused(answer, 400, "move", "parent")
    box2.refresh_from_db()
    assert (box2.parent_id, box2.row) == (tree["rack"].pk, 2)


# Vials


@pytest.fixture
def vials(users, tree, line):
    return list(bank_of(users["bank_technician"], line, [tree["box1"]], count=3).vials.all())


def test_a_vial_is_checked_out_and_returned_through_the_page(tech, vials, tree):
    vial = vials[0]
    home = (vial.container_id, vial.row, vial.column)
    assert tech.post(f"{B}/vials/{vial.barcode}/check-out/", {"reason": "count"}).status_code == 302
    vial.refresh_from_db()
    assert vial.container is None and vial.checked_out_to.username == "bank_technician"
    html = tech.get(f"{B}/vials/{vial.barcode}/").content.decode()
    box1 = tree["box1"]
    # Back where it came from: the first free position of its box is offered first.
    assert f'<option value="{box1.pk}:{box1.type.label(home[1], home[2])}" selected>' in html
    taken = Vial.objects.exclude(pk=vial.pk).first()
    label = tree["box1"].type.label(taken.row, taken.column)
    assert f'value="{box1.pk}:{label}"' not in html  # a taken position is not offered
    answer = tech.post(
        f"{B}/vials/{vial.barcode}/return/", {"container": tree["box1"].pk, "position": label}
    )
    refused(answer, 409, "return", "position")
    answer = tech.post(
        f"{B}/vials/{vial.barcode}/return/", {"container": tree["box1"].pk, "position": ""}
    )
    refused(answer, 400, "return", "position")
    answer = tech.post(
        f"{B}/vials/{vial.barcode}/return/", {"container": tree["box1"].pk, "position": "I9"}
    )
    assert answer.status_code == 302
    vial.refresh_from_db()
    assert (vial.container_id, vial.row, vial.column) == (home[0], 9, 9)
    kinds = [e.kind for e in vial.events.all()]
    assert kinds == ["create", "check_out", "return"]


def test_a_second_check_out_is_refused_on_the_page(tech, vials):
    vial = vials[0]
    tech.post(f"{B}/vials/{vial.barcode}/check-out/", {})
    answer = tech.post(f"{B}/vials/{vial.barcode}/check-out/", {})
    assert answer.status_code == 409
    assert "is checked out to" in refused(answer, 409, "check_out", "vial")


def test_a_vial_is_thawed_for_qc(tech, vials):
    vial = vials[0]
    answer = tech.post(f"{B}/vials/{vial.barcode}/thaw/", {"purpose": "qc", "reason": "sterility"})
    assert answer.status_code == 302
    vial.refresh_from_db()
    assert (vial.status, vial.container) == ("used_for_qc", None)
    refused(
        tech.post(f"{B}/vials/{vials[1].barcode}/thaw/", {"purpose": "x"}), 400, "thaw", "purpose"
    )
    html = tech.get(f"{B}/vials/{vial.barcode}/").content.decode()
    assert 'id="thaw"' not in html  # a thawed vial offers no more actions


def test_disposal_needs_a_reason(tech, vials):
    vial = vials[0]
    refused(
        tech.post(f"{B}/vials/{vial.barcode}/dispose/", {"reason": " "}), 400, "dispose", "reason"
    )
    vial.refresh_from_db()
    assert vial.status == "available" and vial.container_id is not None
    assert tech.post(f"{B}/vials/{vial.barcode}/dispose/", {"reason": "cracked"}).status_code == 302
    vial.refresh_from_db()
    assert (vial.status, vial.container) == ("destroyed", None)


def test_a_quarantine_is_imposed_by_the_technician_and_lifted_only_by_qa(tech, client_for, vials):
    vial = vials[0]
    quarantine = {"status": "quarantined", "reason": "tank alarm"}
    assert tech.post(f"{B}/vials/{vial.barcode}/status/", quarantine).status_code == 302
    vial.refresh_from_db()
    assert vial.status == "quarantined" and vial.container_id is not None
    lift = {"status": "available", "reason": "excursion assessed"}
    assert tech.post(f"{B}/vials/{vial.barcode}/status/", lift).status_code == 403
    qa = client_for("qa_manager")
    answer = qa.post(f"{B}/vials/{vial.barcode}/status/", {"status": "available", "reason": ""})
    refused(answer, 400, "status", "reason")
    assert qa.post(f"{B}/vials/{vial.barcode}/status/", lift).status_code == 302
    vial.refresh_from_db()
    assert vial.status == "available"
    assert [e.to_status for e in vial.events.filter(kind="status")] == ["quarantined", "available"]


def test_another_institution_cannot_act_on_the_vial(client_for, vials):
    other = client_for("other_technician")
    assert other.post(f"{B}/vials/{vials[0].barcode}/check-out/", {}).status_code == 404
