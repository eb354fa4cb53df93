"""Banks create and place their vials; every custody step writes its event; status rules."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from stemhub.biobank import services
from stemhub.biobank.labels import label_sheet
from stemhub.biobank.models import CustodyEvent, Vial
from stemhub.biobank.selectors import vial_history, vials_in_container_during
from stemhub.core.errors import Conflict, Forbidden, InvalidInput
from tests.biobank.storage import bank_of

pytestmark = pytest.mark.django_db


def test_a_bank_fills_its_boxes_in_fill_order_and_overflows(users, tree, line):
    bank = bank_of(users["bank_technician"], line, [tree["box1"], tree["box2"]], count=83)
    assert bank.code == "NSCBi001-A-MCB-01"
    placed = sorted((v.container.name, v.row, v.column) for v in bank.vials.all())
    assert placed[0] == ("Box 1", 1, 1) and placed[80] == ("Box 1", 9, 9)
    assert placed[81:] == [("Box 2", 1, 1), ("Box 2", 1, 2)]
    events = CustodyEvent.objects.filter(vial__bank=bank, kind="create")
    assert events.count() == 83
    assert events.filter(to_place="Site A/Room 1/Tank 2/Rack 3/Box 1/A1").count() == 1


def test_a_bank_that_does_not_fit_writes_nothing(users, tree, line):
    with pytest.raises(Conflict, match="81 free positions"):
        bank_of(users["bank_technician"], line, [tree["box1"]], count=82)
    assert not Vial.objects.exists()


def test_a_bank_needs_exactly_one_line_or_product_also_in_the_database(users, tree, line):
    bank = bank_of(users["bank_technician"], line, [tree["box1"]], count=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(bank).objects.filter(pk=bank.pk).update(line=None)


def test_a_working_bank_follows_its_master_bank(users, tree, line):
    tech = users["bank_technician"]
    master = bank_of(tech, line, [tree["box1"]], count=2)
    working = bank_of(tech, line, [tree["box1"]], count=2, tier="wcb", parent=master)
    assert working.parent == master
    with pytest.raises(InvalidInput, match="cannot come from"):
        bank_of(tech, line, [tree["box1"]], count=1, tier="seed", parent=working)


def test_only_the_institutions_technicians_create_banks(users, tree, line):
    with pytest.raises(Forbidden):
        bank_of(users["curator"], line, [tree["box1"]], count=1)
    with pytest.raises(Forbidden):
        bank_of(users["other_technician"], line, [tree["box1"]], count=1)


def test_the_database_refuses_two_vials_in_one_position(users, tree, line):
    vial = bank_of(users["bank_technician"], line, [tree["box1"]], count=2).vials.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Vial.objects.filter(pk=vial.pk).update(row=1, column=1 if vial.column == 2 else 2)


def test_custody_steps_each_write_an_event(users, tree, line):
    tech = users["bank_technician"]
    vial = bank_of(tech, line, [tree["box1"]], count=1).vials.get()
    services.vial_move(actor=tech, vial=vial, container=tree["box2"], row=2, column=3, reason="x")
    services.vial_check_out(actor=tech, vial=vial, reason="QC sample")
    with pytest.raises(Conflict, match="checked out to"):
        services.vial_check_out(actor=tech, vial=vial)
    services.vial_return(actor=tech, vial=vial, container=tree["box1"], row=1, column=1)
    services.vial_thaw(actor=tech, vial=vial, purpose="qc", reason="mycoplasma")
    kinds = [e.kind for e in vial_history(vial)]
    assert kinds == ["create", "move", "check_out", "return", "thaw"]
    history = vial_history(vial)
    assert history[1].to_place == "Site A/Room 1/Tank 2/Rack 3/Box 2/B3"
    vial.refresh_from_db()
    assert vial.status == "used_for_qc" and vial.container is None
    with pytest.raises(Conflict, match="used for qc"):
        services.vial_check_out(actor=tech, vial=vial)


def test_a_vial_cannot_move_onto_another(users, tree, line):
    tech = users["bank_technician"]
    _first, second = bank_of(tech, line, [tree["box1"]], count=2).vials.order_by("column")
    with pytest.raises(Conflict, match="holds another vial"):
        services.vial_move(actor=tech, vial=second, container=tree["box1"], row=1, column=1)


def test_disposal_needs_a_reason(users, tree, line):
    tech = users["bank_technician"]
    vial = bank_of(tech, line, [tree["box1"]], count=1).vials.get()
    with pytest.raises(InvalidInput):
        services.vial_dispose(actor=tech, vial=vial, reason=" ")
    services.vial_dispose(actor=tech, vial=vial, reason="cracked tube")
    assert Vial.objects.get(pk=vial.pk).status == "destroyed"


def test_moving_a_box_writes_one_event_per_vial(users, tree, line):
    tech = users["bank_technician"]
    bank_of(tech, line, [tree["box1"]], count=5)
    services.container_move(
        actor=tech, container=tree["box1"], parent=tree["rack4"], row=3, column=1, reason="reorg"
    )
    moves = CustodyEvent.objects.filter(kind="move", moved_container=tree["box1"])
    assert moves.count() == 5
    assert {m.to_place for m in moves} >= {"Site A/Room 1/Tank 2/Rack 4/Box 1/A1"}
    assert {m.from_place for m in moves} >= {"Site A/Room 1/Tank 2/Rack 3/Box 1/A1"}


def test_quarantine_is_lifted_only_by_quality_assurance(users, tree, line):
    tech, qa = users["bank_technician"], users["qa_manager"]
    vials = list(bank_of(tech, line, [tree["box1"]], count=3).vials.all())
    services.vials_set_status(actor=qa, vials=vials, status="quarantined", reason="excursion")
    assert set(Vial.objects.values_list("status", flat=True)) == {"quarantined"}
    with pytest.raises(Forbidden):
        services.vial_set_status(actor=tech, vial=vials[0], status="available", reason="ok")
    services.vial_set_status(actor=qa, vial=vials[0], status="available", reason="QC passed")
    assert CustodyEvent.objects.filter(kind="status").count() == 4


def test_vials_under_a_tank_during_a_window(users, tree, line):
    tech = users["bank_technician"]
    before = timezone.now()
    inside = bank_of(tech, line, [tree["box1"]], count=2)
    moved_out = inside.vials.first()
    services.vial_check_out(actor=tech, vial=moved_out)
    after = timezone.now() + timedelta(seconds=1)
    found = set(vials_in_container_during(container=tree["tank"], start=before, end=after))
    assert found == set(inside.vials.all())
    later = set(
        vials_in_container_during(
            container=tree["tank"], start=after, end=after + timedelta(hours=1)
        )
    )
    assert later == set(inside.vials.exclude(pk=moved_out.pk))
    assert not vials_in_container_during(container=tree["rack4"], start=before, end=after)


def test_the_label_sheet_is_a_pdf(users, tree, line):
    bank = bank_of(users["bank_technician"], line, [tree["box1"]], count=50)
    pdf = label_sheet(bank, list(bank.vials.all()))
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page>") >= 1
