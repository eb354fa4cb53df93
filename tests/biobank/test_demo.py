"""The biobank demo, on top of the registry demo: NSRB's equipment, storage, banks of its published
lines sharing boxes, vials placed with their histories, held positions, and a recent temperature
excursion whose vials await QA's decision; loaded once."""

import io
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from stemhub.biobank import demo
from stemhub.biobank.models import (
    CellBank,
    Container,
    CustodyEvent,
    PositionHold,
    Vial,
    VialStatus,
)
from stemhub.biobank.selectors import container_path
from stemhub.equipment.models import Equipment, Excursion
from stemhub.equipment.selectors import equipment_due
from stemhub.qms import demo as qms_demo
from stemhub.registry.demo.loader import demo_load
from stemhub.registry.models import CellLine, Status


def load() -> str:
    """The biobank's demo after the quality system's, as `stemhub demo` runs them (its banks
    cite the freezing SOP in force)."""
    out = io.StringIO()
    qms_demo.load()
    demo.load(stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_builds_storage_banks_and_vials_for_published_lines_once():
    """One test, as the registry demo takes a while to load: each part checks one promise."""
    demo_load()
    load()
    _storage_tree_down_to_boxes()
    _banks_of_published_lines_of_nsrb()
    _every_vial_placed_with_its_history()
    _boxes_hold_several_banks_and_positions_are_held()
    _equipment_due_overdue_and_an_excursion_awaiting_a_decision()
    _a_second_load_changes_nothing()


def _storage_tree_down_to_boxes() -> None:
    boxes = Container.objects.filter(type__holds_vials=True)
    assert boxes.count() == 16  # 2 tanks × 2 racks × 4 boxes
    paths = {container_path(b) for b in boxes}
    assert "Biobank/Cryo room B2/Tank 1/Rack 1/Box 1101" in paths
    assert "Biobank/Cryo room B2/Tank 2/Rack 2/Box 2204" in paths
    assert {b.temperature_class for b in boxes} == {"LN_vapour"}
    assert {b.institution.provider_code for b in boxes} == {"NSRB"}


def _banks_of_published_lines_of_nsrb() -> None:
    first_four = list(
        CellLine.objects.filter(institution__provider_code="NSRB", status=Status.PUBLISHED)
        .order_by("name")
        .values_list("name", flat=True)[:4]
    )
    banks = CellBank.objects.select_related("line", "parent")
    assert banks.count() == 8
    assert {b.line.name for b in banks} == set(first_four)
    assert all(b.line.status == Status.PUBLISHED for b in banks)
    for bank in banks.filter(tier="wcb"):
        assert bank.parent is not None and bank.parent.tier == "mcb"
        assert bank.parent.line_id == bank.line_id


def _every_vial_placed_with_its_history() -> None:
    assert Vial.objects.count() == 4 * (40 + 60)
    assert Vial.objects.filter(status=VialStatus.USED_FOR_QC, container=None).count() == 4
    # One vial held for its smudged label, and the 80 vials of tank 2 after its excursion.
    assert Vial.objects.filter(status=VialStatus.QUARANTINED).count() == 1 + 80
    stored = Vial.objects.exclude(container=None)
    assert stored.count() == 400 - 4
    assert CustodyEvent.objects.filter(kind="create").count() == 400
    thawed = Vial.objects.filter(status=VialStatus.USED_FOR_QC).first()
    assert [e.kind for e in thawed.events.all()] == ["create", "check_out", "thaw"]
    created = thawed.events.get(kind="create")
    assert timezone.localdate(created.at) == thawed.bank.freeze_date  # the inventory's past


def _boxes_hold_several_banks_and_positions_are_held() -> None:
    pairs = set(Vial.objects.exclude(container=None).values_list("container_id", "bank_id"))
    banks_per_box = Counter(box for box, _ in pairs)
    assert sum(1 for n in banks_per_box.values() if n >= 2) >= 4
    holds = {(h.container.name, h.kind) for h in PositionHold.objects.select_related("container")}
    assert {("Box 1101", "blocked"), ("Box 1102", "reserved"), ("Rack 1", "blocked")} <= holds
    tank = Container.objects.get(name="Tank 1")
    assert tank.equipment is not None and tank.equipment.name == "LN2 tank 1"


def _equipment_due_overdue_and_an_excursion_awaiting_a_decision() -> None:
    today = timezone.localdate()
    due = equipment_due(Equipment.objects.all(), today=today)
    assert any(item.overdue and item.what == "calibration" for item in due)
    assert any(not item.overdue and item.what == "calibration" for item in due)
    assert Equipment.objects.filter(status="quarantined").count() == 1
    excursion = Excursion.objects.get()
    assert excursion.equipment.name == "LN2 tank 2"
    assert today - timedelta(days=3) <= timezone.localdate(excursion.start) < today
    flagged = excursion.flagged.select_related("vial__bank")
    assert flagged.count() == 80 and all(f.quarantined for f in flagged)
    assert {f.vial.bank.tier for f in flagged} == {"mcb"}
    assert not hasattr(excursion, "review")


def _a_second_load_changes_nothing() -> None:
    before = (Container.objects.count(), CellBank.objects.count(), Vial.objects.count())
    assert "already loaded" in load()
    assert (Container.objects.count(), CellBank.objects.count(), Vial.objects.count()) == before


@pytest.mark.django_db
def test_without_the_core_demo_it_says_what_to_load_first():
    with pytest.raises(RuntimeError, match="stemhub demo"):
        demo.load()
