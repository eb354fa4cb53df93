"""Container grids tell the truth: a rack's or tank's slot shows the container standing in it
with how full it is, a box's position shows its vial (line, bank, passage, status in words,
coloured by bank), and a free slot is never one that holds something."""

import pytest

from stemhub.biobank import grids, services
from stemhub.biobank.models import Container, PositionHold
from tests.biobank.storage import bank_of, container_types

pytestmark = pytest.mark.django_db
B = "/biobank"


@pytest.fixture
def tech(client_for):
    return client_for("bank_technician")


def slot_at(grid: grids.Grid, label: str) -> grids.Slot:
    return next(slot for slot in grid.slots if slot.label == label)


def test_an_occupied_rack_slot_is_never_shown_as_free(users, tree, line):
    bank_of(users["bank_technician"], line, [tree["box1"]], count=5)
    grid = grids.container_grid(tree["rack"])
    taken = slot_at(grid, "1-1")
    assert taken.child == tree["box1"] and not taken.free
    assert (taken.fill.used, taken.fill.capacity) == (5, 81)
    assert slot_at(grid, "2-1").child == tree["box2"] and not slot_at(grid, "2-1").free
    assert slot_at(grid, "3-1").free
    assert (grid.used, grid.free) == (2, 8)


def test_the_rack_page_names_the_box_in_each_slot_with_its_fill(tech, users, tree, line):
    bank_of(users["bank_technician"], line, [tree["box1"]], count=61)
    html = tech.get(f"{B}/containers/{tree['rack'].pk}/").content.decode()
    box1 = tree["box1"]
    assert f'<a class="child-name" href="{B}/containers/{box1.pk}/">Box 1</a>' in html
    assert "61/81 vials" in html and "0/81 vials" in html
    assert "Free position 1-1" not in html and "Free position 2-1" not in html
    assert "Free position 3-1" in html
    assert "2 of 10 used · 0 held · 8 free" in html


def test_a_tank_shows_its_racks_with_the_vials_below_them(tech, users, tree, line):
    bank_of(users["bank_technician"], line, [tree["box1"], tree["box2"]], count=90)
    fill = grids.fills([tree["tank"]])[tree["tank"].pk]
    assert (fill.used, fill.capacity, fill.boxes) == (90, 162, 2)
    html = tech.get(f"{B}/containers/{tree['tank'].pk}/").content.decode()
    assert "90/162 vials" in html  # Rack 3, in the table of a tank without numbered slots
    assert "0/0 vials" not in html and "no vial positions" in html  # the empty Rack 4


def test_a_blocked_rack_slot_says_so_and_takes_no_box(tech, users, tree):
    rack = tree["rack"]
    services.position_hold(
        actor=users["bank_technician"],
        container=rack,
        row=5,
        column=1,
        kind="blocked",
        note="Bent rail",
    )
    html = tech.get(f"{B}/containers/{rack.pk}/").content.decode()
    assert "Blocked position 5-1: release or change" in html and "Bent rail" in html
    box_type = tree["box1"].type
    answer = tech.post(
        f"{B}/containers/new/",
        {"type": box_type.pk, "name": "Box 5", "parent": rack.pk, "position": "5-1"},
    )
    assert answer.status_code == 409 and b"is blocked" in answer.content
    assert not Container.objects.filter(name="Box 5").exists()


def test_a_rack_slot_holding_a_box_cannot_be_held(tech, tree):
    rack = tree["rack"]
    answer = tech.post(f"{B}/containers/{rack.pk}/holds/", {"position": "1-1", "kind": "reserved"})
    assert answer.status_code == 409 and b"holds Box 1" in answer.content
    answer = tech.post(f"{B}/containers/{rack.pk}/holds/", {"position": "4-1", "kind": "reserved"})
    assert answer.status_code == 302
    assert PositionHold.objects.get(container=rack).kind == "reserved"
    assert "Reserved position 4-1" in tech.get(f"{B}/containers/{rack.pk}/").content.decode()


def test_a_box_colours_its_vials_by_bank_and_names_their_status(tech, users, tree, line):
    technician = users["bank_technician"]
    first = bank_of(technician, line, [tree["box1"]], count=3, code="B-ONE")
    second = bank_of(
        technician, line, [tree["box1"]], count=2, code="B-TWO", tier="wcb", passage_number=15
    )
    quarantined = second.vials.order_by("pk").first()
    services.vial_set_status(
        actor=technician, vial=quarantined, status="quarantined", reason="label"
    )
    grid = grids.container_grid(tree["box1"])
    assert [(k.bank.code, k.count) for k in grid.legend] == [("B-ONE", 3), ("B-TWO", 2)]
    colours = {slot.vial.bank.code: slot.colour for slot in grid.slots if slot.vial}
    assert colours["B-ONE"] != colours["B-TWO"]
    html = tech.get(f"{B}/containers/{tree['box1'].pk}/").content.decode()
    assert 'id="bank-legend"' in html and "B-ONE" in html and "B-TWO" in html
    assert html.count("MCB · p12") == 3 and html.count("WCB · p15") == 2
    label = tree["box1"].type.label(quarantined.row, quarantined.column)
    cell = html[html.index(f'data-position="{label}"') :]
    cell = cell[: cell.index("</td>")]
    assert "status-quarantined" in html and "Quarantined" in cell
    assert quarantined.barcode in cell and f"B-TWO · {line.name} · passage 15" in cell
    assert html.count(">free<") == 81 - 5
    assert first.vials.count() == 3


def test_the_api_lists_what_stands_in_each_rack_slot(client_for, tree):
    answer = client_for("bank_technician").get(f"/api/v1/biobank/containers/{tree['rack'].pk}")
    positions = {p["position"]: p for p in answer.json()["positions"]}
    assert positions["1-1"]["container_name"] == "Box 1" and positions["1-1"]["free"] is False
    assert positions["1-1"]["capacity"] == 81
    assert positions["3-1"]["free"] is True and positions["3-1"]["container"] is None


def test_a_room_without_slots_lists_its_contents(tech, tree):
    html = tech.get(f"{B}/containers/{tree['room'].pk}/").content.decode()
    assert 'id="contents"' in html and "Tank 2" in html
    assert 'id="grid"' not in html
    assert container_types(None)["Room"].rows is None
