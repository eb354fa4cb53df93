"""Judging results against a specification: limits inclusive and exclusive, qualitative words,
the default panel, and versions."""

from decimal import Decimal

import pytest

from stemhub.core.errors import Conflict, Forbidden, InvalidInput
from stemhub.quality import services
from stemhub.quality.evaluation import evaluate, within_limits
from stemhub.quality.models import QcTest
from tests.quality.setups import limits, qc_bank, qc_test, record


@pytest.mark.parametrize(
    ("value", "inclusive", "passes"),
    [("5", True, True), ("5", False, False), ("5.0001", True, False), ("4.9999", False, True)],
)
def test_an_upper_limit_holds_or_excludes_its_own_value(value, inclusive, passes):
    test = limits(upper_limit="5", upper_inclusive=inclusive)
    assert within_limits(test, Decimal(value)) is passes


@pytest.mark.parametrize(
    ("value", "inclusive", "passes"),
    [("70", True, True), ("70", False, False), ("69.99", True, False), ("70.01", False, True)],
)
def test_a_lower_limit_holds_or_excludes_its_own_value(value, inclusive, passes):
    test = limits(lower_limit="70", lower_inclusive=inclusive)
    assert within_limits(test, Decimal(value)) is passes


def test_a_range_checks_both_ends():
    test = limits(lower_limit="70", upper_limit="100", upper_inclusive=False)
    assert [evaluate(test, v).passed for v in ("69.9", "70", "99.99", "100")] == [
        False,
        True,
        True,
        False,
    ]


def test_endotoxin_passes_at_five_and_fails_above(db):
    endotoxin = QcTest.objects.get(code="endotoxin", current=True)
    assert endotoxin.specification == "≤ 5 EU/mL"
    assert evaluate(endotoxin, "5").passed
    assert evaluate(endotoxin, "5,00").passed
    assert not evaluate(endotoxin, "5.01").passed


@pytest.mark.parametrize(
    ("code", "at_the_limit", "just_outside"),
    [
        ("viability", "70", "69.99"),  # post-thaw viability ≥ 70 %
        ("recovery", "50", "49.99"),  # post-thaw recovery ≥ 50 %
        ("oct4", "70", "69.99"),  # each pluripotency marker ≥ 70 % positive
        ("nanog", "70", "69.99"),
        ("ssea4", "70", "69.99"),
        ("tra-1-60", "70", "69.99"),
    ],
)
def test_the_default_panel_passes_exactly_at_its_limits(db, code, at_the_limit, just_outside):
    test = QcTest.objects.get(code=code, current=True)
    assert evaluate(test, at_the_limit).passed
    assert not evaluate(test, just_outside).passed


def test_viability_passes_at_one_hundred_and_beyond_it_is_impossible(db):
    viability = QcTest.objects.get(code="viability", current=True)
    assert evaluate(viability, "100").passed
    with pytest.raises(InvalidInput, match="impossible"):
        evaluate(viability, "100.01")


def test_a_qualitative_result_passes_only_with_an_accepted_word(db):
    mycoplasma = QcTest.objects.get(code="mycoplasma", current=True)
    assert evaluate(mycoplasma, "Negative").passed
    verdict = evaluate(mycoplasma, "positive")
    assert not verdict.passed and "does not meet" in verdict.judgement
    with pytest.raises(InvalidInput, match="negative, positive"):
        evaluate(mycoplasma, "unclear")


def test_a_number_is_refused_when_it_is_not_one(db):
    with pytest.raises(InvalidInput, match="not a number"):
        evaluate(QcTest.objects.get(code="viability", current=True), "high")
    with pytest.raises(InvalidInput, match="not a number"):
        evaluate(QcTest.objects.get(code="viability", current=True), "NaN")


def test_the_default_release_panel_is_loaded(db):
    codes = set(QcTest.objects.filter(current=True).values_list("code", flat=True))
    assert {
        "sterility",
        "mycoplasma",
        "endotoxin",
        "hiv",
        "hbv",
        "hcv",
        "htlv",
        "cmv",
        "ebv",
        "str-identity",
        "karyotype",
        "oct4",
        "nanog",
        "ssea4",
        "tra-1-60",
        "germ-layers",
        "residual-vector",
        "viability",
        "recovery",
        "hla",
    } <= codes


def test_a_revision_supersedes_and_old_results_keep_their_version(users):
    bank = qc_bank(users)
    old = record(users["bank_technician"], bank, "viability", "72")
    assert old.passed
    new = services.qc_test_revise(
        actor=users["platform_admin"],
        test=qc_test("viability"),
        reason="Raised after the 2026 review",
        lower_limit=Decimal("75"),
    )
    assert (new.version, new.current) == (2, True)
    old.refresh_from_db()
    assert old.test.version == 1 and old.test.current is False and old.passed
    again = record(users["bank_technician"], bank, "viability", "72")
    assert again.test == new and not again.passed
    with pytest.raises(Conflict, match="superseded"):
        services.qc_result_record(
            actor=users["bank_technician"],
            bank=bank,
            test=old.test,
            value="90",
            tested_on=old.tested_on,
        )


def test_only_a_platform_admin_revises_the_shared_catalogue(users):
    with pytest.raises(Forbidden):
        services.qc_test_revise(
            actor=users["qa_manager"], test=qc_test("endotoxin"), reason="x", unit="EU/mL"
        )


def test_a_revision_needs_a_reason_and_a_coherent_spec(users):
    admin = users["platform_admin"]
    with pytest.raises(InvalidInput, match="why"):
        services.qc_test_revise(actor=admin, test=qc_test("endotoxin"), reason=" ")
    with pytest.raises(InvalidInput, match="among the possible"):
        services.qc_test_revise(
            actor=admin, test=qc_test("mycoplasma"), reason="typo", accepted_results=["absent"]
        )
