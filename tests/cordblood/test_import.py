"""Uploads: every bad row reported by line, field and reason; all or nothing; modes."""

import pytest

from stemhub.cordblood import index as search_index
from stemhub.cordblood.models import EventKind, Unit, UnitEvent, UnitStatus
from stemhub.cordblood.upload_rows import template_csv
from stemhub.cordblood.uploads import units_import
from stemhub.core.errors import Forbidden
from tests.cordblood.conftest import din, unit_row, upload

pytestmark = pytest.mark.django_db


def errors_of(report):
    return {(e["line"], e["field"]) for e in report["errors"]}


def test_a_clean_upload_creates_units_with_normalised_hla_and_events(people, cord_bank):
    report = upload(people["tech"], cord_bank, [unit_row("U1", 1), unit_row("U2", 2)])
    assert report["applied"] and report["created"] == 2 and report["errors"] == []
    unit = Unit.objects.get(local_id="U1")
    assert unit.hla_a == "A*01:01+A*02:01" or unit.hla_a.startswith("A*")
    assert unit.hla_gl.startswith("A*") and "^DQB1*" in unit.hla_gl
    assert unit.status == UnitStatus.AVAILABLE
    assert UnitEvent.objects.filter(unit=unit, kind=EventKind.IMPORTED).count() == 1


def test_a_bad_din_structure_and_a_bad_check_character_are_reported(people, cord_bank):
    number, check = din(3)
    wrong = "A" if check != "A" else "B"
    report = upload(
        people["tech"],
        cord_bank,
        [
            unit_row("U1", 1, din="O123421000001"),
            unit_row("U2", 2, din=number, din_check=wrong),
            unit_row("U3", 4),
        ],
    )
    assert not report["applied"]
    assert errors_of(report) == {(1, "din"), (2, "din_check")}
    assert Unit.objects.count() == 0


def test_the_worked_example_of_the_check_character_passes(people, cord_bank):
    report = upload(
        people["tech"], cord_bank, [unit_row("U1", 1, din="G123498654321", din_check="H")]
    )
    assert report["applied"], report["errors"]


def test_a_bad_hla_typing_is_reported_with_its_token_and_nothing_is_stored(people, cord_bank):
    report = upload(
        people["tech"],
        cord_bank,
        [unit_row("U1", 1), unit_row("U2", 2, hla_b="B*08:01+B*99:99"), unit_row("U3", 3)],
    )
    assert not report["applied"]
    (error,) = report["errors"]
    assert (error["line"], error["field"]) == (2, "hla_b")
    assert "B*99:99" in error["reason"]
    assert Unit.objects.count() == 0


def test_a_typing_of_the_wrong_locus_is_refused(people, cord_bank):
    report = upload(people["tech"], cord_bank, [unit_row("U1", 1, hla_a="B*08:01+B*44:02")])
    assert errors_of(report) == {(1, "hla_a")}
    assert "expected HLA-A" in report["errors"][0]["reason"]


def test_a_missing_tnc_is_reported(people, cord_bank):
    report = upload(people["tech"], cord_bank, [unit_row("U1", 1, tnc="")])
    assert errors_of(report) == {(1, "tnc")}


def test_duplicate_ids_in_the_file_are_reported_on_the_later_line(people, cord_bank):
    report = upload(
        people["tech"], cord_bank, [unit_row("U1", 1), unit_row("U1", 2), unit_row("U3", 1)]
    )
    assert errors_of(report) == {(2, "local_id"), (3, "din")}
    assert "line 1" in report["errors"][0]["reason"]


def test_skip_invalid_applies_the_good_rows(people, cord_bank):
    report = upload(
        people["tech"],
        cord_bank,
        [unit_row("U1", 1), unit_row("U2", 2, tnc="lots")],
        skip_invalid=True,
    )
    assert report["applied"] and report["created"] == 1 and report["skipped"] == 1
    assert list(Unit.objects.values_list("local_id", flat=True)) == ["U1"]


def test_full_mode_withdraws_units_missing_from_the_file(people, cord_bank):
    upload(people["tech"], cord_bank, [unit_row("U1", 1), unit_row("U2", 2)])
    report = upload(people["tech"], cord_bank, [unit_row("U1", 1, tnc=160)], mode="full")
    assert (report["updated"], report["withdrawn"]) == (1, 1)
    assert Unit.objects.get(local_id="U2").status == UnitStatus.WITHDRAWN
    assert Unit.objects.get(local_id="U1").tnc == 160


def test_delta_mode_upserts_and_withdraws_by_id(people, cord_bank):
    upload(people["tech"], cord_bank, [unit_row("U1", 1), unit_row("U2", 2)])
    report = upload(
        people["tech"],
        cord_bank,
        [unit_row("U3", 3), {"local_id": "U1", "action": "withdraw"}],
        mode="delta",
    )
    assert (report["created"], report["withdrawn"]) == (1, 1)
    statuses = dict(Unit.objects.values_list("local_id", "status"))
    assert statuses == {"U1": "withdrawn", "U2": "available", "U3": "available"}


def test_the_search_index_sees_an_upload_at_once(people, cord_bank):
    upload(people["tech"], cord_bank, [unit_row("U1", 1)])
    assert len(search_index.current().donors["cord"]) == 1
    upload(people["tech"], cord_bank, [{"local_id": "U1", "action": "withdraw"}])
    assert len(search_index.current().donors["cord"]) == 0


def test_a_din_of_another_banks_unit_is_refused(people, cord_bank, other_bank, users):
    upload(people["tech"], cord_bank, [unit_row("U1", 1)])
    report = upload(
        users["bank_technician"], users["bank_technician"].institution, [unit_row("X", 1)]
    )
    assert errors_of(report) == {(1, "din")}
    assert "NCBB/U1" in report["errors"][0]["reason"]


def test_only_the_banks_own_staff_may_upload(people, cord_bank):
    with pytest.raises(Forbidden):
        upload(people["coordinator"], cord_bank, [unit_row("U1", 1)])


def test_the_csv_template_round_trips(people, cord_bank):
    report = units_import(
        actor=people["tech"], bank=cord_bank, filename="u.csv", content=template_csv().encode()
    )
    assert report["applied"], report["errors"]
    assert Unit.objects.get().local_id == "CB-000123"


def test_an_unknown_csv_column_is_reported_on_line_1(people, cord_bank):
    report = units_import(
        actor=people["tech"], bank=cord_bank, filename="u.csv", content=b"local_id,colour\nU1,red\n"
    )
    assert (1, "colour") in errors_of(report) and not report["applied"]


def test_the_check_character_agrees_with_stdnum():
    import random

    from stdnum.iso7064 import mod_37_2

    from stemhub.cordblood import hla_typing as hla

    rng = random.Random(11)
    for _ in range(2000):
        facility = rng.choice("ABCDEFGHIJKLMNPQRSTUVWXYZ") + f"{rng.randrange(10_000):04d}"
        number = f"{facility}{rng.randrange(100):02d}{rng.randrange(1_000_000):06d}"
        assert hla.din_problem(number, mod_37_2.calc_check_digit(number)) is None


def test_repeated_cells_get_the_same_verdicts_and_their_own_values(people, cord_bank):
    """Verdicts are memoised per distinct text: the same problems on every line, and no two
    units sharing a mutable value."""
    from stemhub.cordblood.upload_rows import RowChecker, clean_row

    checker = RowChecker()
    problems = []
    rows = [unit_row(f"U{n}", n, idm="HIV:neg", tnc="x", hla_b="B*99:99+B8") for n in (1, 2)]
    assert [clean_row(n, row, problems, checker) for n, row in enumerate(rows, 2)] == [None] * 2
    first = {(p.field, p.reason) for p in problems if p.line == 2}
    assert first == {(p.field, p.reason) for p in problems if p.line == 3}
    assert {field for field, _ in first} == {"tnc", "hla_b"}
    good = [unit_row(f"G{n}", n, idm="HIV:neg; HBV:neg") for n in (3, 4)]
    one, two = (clean_row(n, row, problems, checker) for n, row in enumerate(good, 4))
    assert one["idm"] == two["idm"] == {"HIV": "neg", "HBV": "neg"}
    assert one["idm"] is not two["idm"] and one["accreditation"] is not two["accreditation"]
