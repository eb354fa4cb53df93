"""Finding a vial by its barcode from the storage pages, choosing where a vial or a box goes
from a list of free positions, and barcodes printed without a `*` check character."""

import pytest

from stemhub.biobank import barcodes, selectors
from tests.biobank.storage import bank_of

pytestmark = pytest.mark.django_db
B = "/biobank"


@pytest.fixture
def vials(users, tree, line):
    return list(bank_of(users["bank_technician"], line, [tree["box1"]], count=3).vials.all())


def test_a_scanned_barcode_opens_the_vial(client_for, vials):
    tech = client_for("bank_technician")
    vial = vials[0]
    for typed in (vial.barcode, f"  {vial.barcode.lower()} ", vial.barcode[:-1]):
        answer = tech.get(f"{B}/", {"barcode": typed})
        assert answer.status_code == 302, typed
        assert answer["location"] == f"{B}/vials/{vial.barcode}/"


def test_an_unknown_barcode_says_so_and_keeps_what_was_typed(client_for, vials):
    answer = client_for("bank_technician").get(f"{B}/", {"barcode": "V000000000X"})
    assert answer.status_code == 404
    page = answer.content.decode()
    assert "No vial with barcode “V000000000X” that you may see" in page
    assert 'value="V000000000X"' in page


def test_another_institutions_vial_is_not_found(client_for, vials):
    answer = client_for("other_technician").get(f"{B}/", {"barcode": vials[0].barcode})
    assert answer.status_code == 404


def test_the_finder_is_on_the_container_pages(client_for, tree):
    page = client_for("bank_technician").get(f"{B}/containers/{tree['rack'].pk}/")
    assert 'id="vial-barcode"' in page.content.decode()


def test_free_places_leave_out_taken_and_held_positions(users, tree, vials):
    box1 = tree["box1"]
    places = selectors.free_places(users["bank_technician"], boxes=True)
    offered = {p.value for p in places if p.container_id == box1.pk}
    taken = {f"{box1.pk}:{box1.type.label(v.row, v.column)}" for v in vials}
    assert len(offered) == 81 - 3 and not offered & taken
    slots = selectors.free_places(users["bank_technician"], boxes=False, exclude=box1.pk)
    assert all(p.container_id != box1.pk for p in slots)
    rack = [p.label for p in slots if p.container_id == tree["rack"].pk]
    assert "1-1" not in rack and "2-1" not in rack  # Box 1 and Box 2 stand there


def test_a_box_moves_to_a_free_slot_chosen_from_the_list(client_for, tree):
    tech = client_for("bank_technician")
    box2 = tree["box2"]
    page = tech.get(f"{B}/containers/{box2.pk}/").content.decode()
    target = f"{tree['rack4'].pk}:3-1"
    assert f'<option value="{target}">' in page
    answer = tech.post(f"{B}/containers/{box2.pk}/move/", {"place": target, "reason": "defrost"})
    assert answer.status_code == 302
    box2.refresh_from_db()
    assert (box2.parent_id, box2.row, box2.column) == (tree["rack4"].pk, 3, 1)


def test_new_barcodes_never_end_in_a_star(monkeypatch):
    # The first body drawn has `*` as its check character; the next one is taken instead.
    star_body = next(f"V{n:09d}" for n in range(1000) if barcodes.mod37_2(f"V{n:09d}") == "*")
    drawn = iter(star_body[1:] + "000000001")
    monkeypatch.setattr(barcodes.secrets, "choice", lambda _: next(drawn))
    code = barcodes.new_barcode()
    assert code == "V000000001" + barcodes.mod37_2("V000000001")
    assert not code.endswith("*") and barcodes.is_generated(code)
