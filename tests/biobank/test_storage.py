"""The storage tree: layouts and labels, what fits where, and what the database refuses."""

import pytest
from django.db import IntegrityError, transaction

from stemhub.biobank import layout, services
from stemhub.biobank.barcodes import is_acceptable, is_generated, mod37_2, new_barcode
from stemhub.biobank.models import Container, ContainerEvent, PositionHold, Vial
from stemhub.biobank.selectors import container_path, free_space
from stemhub.core.errors import Conflict, Forbidden, InvalidInput
from tests.biobank.storage import bank_of, container_types

pytestmark = pytest.mark.django_db


def test_labels_run_a1_to_i9_and_parse_back():
    labels = [layout.position_label(r, c, "letters", "numbers") for r, c in [(1, 1), (9, 9)]]
    assert labels == ["A1", "I9"]
    assert layout.parse_position("i9", rows=9, columns=9, row_scheme="letters",
                                 column_scheme="numbers") == (9, 9)  # fmt: skip
    assert layout.position_label(4, 12, "roman", "numbers") == "IV-12"
    assert layout.parse_position("IV-12", rows=5, columns=12, row_scheme="roman",
                                 column_scheme="numbers") == (4, 12)  # fmt: skip
    assert layout.to_letters(27) == "AA" and layout.from_letters("AA") == 27
    with pytest.raises(ValueError):
        layout.parse_position("J1", rows=9, columns=9, row_scheme="letters",
                              column_scheme="numbers")  # fmt: skip


def test_fill_orders():
    assert list(layout.positions_in_order(2, 2, "row_major")) == [(1, 1), (1, 2), (2, 1), (2, 2)]
    assert list(layout.positions_in_order(2, 2, "column_major")) == [
        (1, 1), (2, 1), (1, 2), (2, 2)
    ]  # fmt: skip


def test_barcodes_carry_an_iso7064_check_character():
    assert mod37_2("G123498654321") == "H"
    code = new_barcode()
    assert is_generated(code) and code.startswith("V") and len(code) == 11
    typo = code[:-2] + ("0" if code[-2] != "0" else "1") + code[-1]
    assert not is_acceptable(typo)
    assert is_acceptable("LEGACY-0042")


def test_the_tree_has_paths_and_inherits_temperature(tree):
    assert container_path(tree["box1"]) == "Site A/Room 1/Tank 2/Rack 3/Box 1"
    assert tree["box1"].temperature_class == "LN_vapour"
    assert tree["site"].temperature_class == ""
    assert ContainerEvent.objects.filter(container=tree["box1"], kind="create").count() == 1


def test_it_refuses_a_box_in_a_vial_position(users, tree):
    kinds = container_types(users["bank_technician"])
    with pytest.raises(InvalidInput, match="holds vials"):
        services.container_create(
            actor=users["bank_technician"], type=kinds["Box 9×9"], name="Inner",
            parent=tree["box1"], row=1, column=1,
        )  # fmt: skip


def test_it_refuses_two_boxes_in_one_rack_slot(users, tree):
    kinds = container_types(users["bank_technician"])
    with pytest.raises(Conflict, match="holds Box 1"):
        services.container_create(
            actor=users["bank_technician"], type=kinds["Box 9×9"], name="Box 99",
            parent=tree["rack"], row=1, column=1,
        )  # fmt: skip


def test_the_database_refuses_two_containers_in_one_slot(tree):
    intruder = Container(
        institution=tree["rack"].institution, type=tree["box1"].type, parent=tree["rack"],
        row=1, column=1, name="Box 99",
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        intruder.save()


def test_the_database_refuses_a_container_its_own_parent(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        Container.objects.filter(pk=tree["rack"].pk).update(parent=tree["rack"])


def test_it_refuses_a_box_in_itself_or_below_itself(users, tree):
    kinds = container_types(users["bank_technician"])
    with pytest.raises(InvalidInput, match="cannot hold itself"):
        services.container_move(actor=users["bank_technician"], container=tree["room"],
                                parent=tree["tank"])  # fmt: skip
    assert Container.objects.get(pk=tree["room"].pk).parent_id == tree["site"].pk
    with pytest.raises(InvalidInput):
        services.container_move(actor=users["bank_technician"], container=tree["site"],
                                parent=tree["site"])  # fmt: skip
    assert kinds


def test_a_rack_slot_takes_only_what_the_type_allows(users, tree):
    kinds = container_types(users["bank_technician"])
    with pytest.raises(InvalidInput, match="holds Box"):
        services.container_create(
            actor=users["bank_technician"], type=kinds["Rack"], name="Rack in rack",
            parent=tree["rack"], row=5, column=1,
        )  # fmt: skip


def test_a_slot_outside_the_layout_is_refused(users, tree):
    kinds = container_types(users["bank_technician"])
    with pytest.raises(InvalidInput, match="no position"):
        services.container_create(
            actor=users["bank_technician"], type=kinds["Box 9×9"], name="Box 11",
            parent=tree["rack"], row=11, column=1,
        )  # fmt: skip


def test_another_institutions_staff_cannot_build_in_our_tree(users, tree):
    kinds = container_types(users["bank_technician"])
    with pytest.raises(Forbidden):
        services.container_create(
            actor=users["other_technician"], type=kinds["Box 9×9"], name="Box 5",
            parent=tree["rack"], row=5, column=1,
        )  # fmt: skip


def test_moving_a_rack_carries_temperature_down(users, tree):
    kinds = container_types(users["bank_technician"])
    tech = users["bank_technician"]
    freezer = services.container_create(
        actor=tech, type=kinds["−80 freezer"], name="Freezer 1", parent=tree["room"]
    )
    services.container_move(actor=tech, container=tree["rack"], parent=freezer)
    assert Container.objects.get(pk=tree["box1"].pk).temperature_class == "-60to-85"
    assert container_path(Container.objects.get(pk=tree["box1"].pk)) == (
        "Site A/Room 1/Freezer 1/Rack 3/Box 1"
    )


def test_blocked_and_reserved_positions(users, tree, line):
    tech = users["bank_technician"]
    box = tree["box1"]
    services.position_hold(actor=tech, container=box, row=1, column=1, kind="blocked")
    services.position_hold(actor=tech, container=box, row=1, column=2, kind="reserved")
    bank = bank_of(tech, line, [box], count=3)
    assert sorted(box.type.label(v.row, v.column) for v in bank.vials.all()) == ["A3", "A4", "A5"]
    with pytest.raises(Conflict, match="not free"):
        services.cell_bank_create(
            actor=tech, line=line, tier="wcb", passage_number=14,
            freeze_date=bank.freeze_date, vial_count=1, positions=[(box, 1, 1)],
        )  # fmt: skip
    explicit = services.cell_bank_create(
        actor=tech, line=line, tier="wcb", passage_number=14,
        freeze_date=bank.freeze_date, vial_count=1, positions=[(box, 1, 2)],
    )  # fmt: skip
    assert explicit.vials.get().column == 2
    with pytest.raises(Conflict, match="holds a vial"):
        services.position_hold(actor=tech, container=box, row=1, column=3, kind="blocked")
    services.position_release(actor=tech, container=box, row=1, column=1)
    assert not PositionHold.objects.filter(container=box, row=1, column=1).exists()


def test_a_blocked_box_takes_no_vials(users, tree, line):
    tech = users["bank_technician"]
    services.container_set_blocked(
        actor=tech, container=tree["box1"], blocked=True, reason="cracked"
    )
    with pytest.raises(Conflict, match="blocked"):
        bank_of(tech, line, [tree["box1"]], count=1)
    assert not Vial.objects.exists()


def test_free_space_finder_fills_partly_used_boxes_first(users, tree, line):
    tech = users["bank_technician"]
    bank_of(tech, line, [tree["box2"]], count=80)
    found = free_space(
        institution_id=tech.institution_id, box_type=tree["box1"].type,
        temperature_class="LN_vapour", n=3,
    )  # fmt: skip
    assert [(p.box.name, p.label) for p in found] == [
        ("Box 2", "I9"), ("Box 1", "A1"), ("Box 1", "A2")
    ]  # fmt: skip
    assert free_space(
        institution_id=tech.institution_id, box_type=tree["box1"].type,
        temperature_class="-60to-85", n=3,
    ) == []  # fmt: skip
