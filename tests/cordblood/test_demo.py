"""The cord blood demo shows everything a user should meet: three banks of different sizes, their
operators, low-resolution and DPB1 typings, a refused upload, reservations in every state and
enough follow-up for 1- and 3-year survival; and the examples the pages offer find something."""

import datetime as dt

import pytest

from stemhub.accounts.demo import create_institutions, create_users
from stemhub.accounts.models import Institution, Role, User
from stemhub.cordblood import demo, selectors
from stemhub.cordblood.demo_data import BANKS
from stemhub.cordblood.forms import EXAMPLE_GL
from stemhub.cordblood.models import Reservation, Transplant, Unit, UnitUpload
from stemhub.cordblood.search import preliminary_counts
from stemhub.populations import demo as populations_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, cord_engine):
    """The demo's institutions and people, then the cord blood demo, once for this module."""
    with django_db_blocker.unblock():
        create_users(create_institutions())
        populations_demo.load()  # the units' populations come first, as in `stemhub demo`
        demo.load()
        yield
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


def test_three_banks_of_different_sizes_each_with_an_operator(loaded):
    counts = {
        code: Unit.objects.filter(bank__provider_code=code).count()
        for code in ("NCBB", "EPCB", "WRCB")
    }
    assert counts == {"NCBB": 300, "EPCB": 220, "WRCB": 90}
    medians = {code: selectors.bank_stats(code)["tnc_median"] for code in counts}
    assert len(set(medians.values())) == 3
    for username, code in (("epcb-tech", "EPCB"), ("wrcb-tech", "WRCB")):
        bank = Institution.objects.get(provider_code=code)
        assert bank.kind == Institution.Kind.CORD_BLOOD_BANK
        operator = User.objects.get(username=username)
        assert (operator.institution, set(operator.roles)) == (bank, {Role.BANK_TECHNICIAN})


def test_typings_of_every_resolution(loaded):
    resolutions = {
        selectors.resolution_of(text) for text in Unit.objects.values_list("hla_a", flat=True)
    }
    assert {"high", "first field", "serology"} <= resolutions
    assert Unit.objects.exclude(hla_dpb1="").count() > 100
    assert Unit.objects.filter(hla_c="").exists()


def test_reservations_in_every_state_and_a_refused_upload(loaded):
    states = set(Reservation.objects.values_list("state", flat=True))
    assert states == {"active", "released", "expired", "shipped"}
    assert Reservation.objects.filter(confirmatory_typing_requested_at__isnull=False).exists()
    assert Reservation.objects.filter(state="active", unit__bank__provider_code="NCBB").exists()
    refused = UnitUpload.objects.get(applied=False)
    assert refused.problem_count == 3


def test_follow_up_long_enough_for_one_and_three_year_survival(loaded):
    assert Transplant.objects.count() >= 50
    overall = selectors.dashboard()["overall"]
    by_day = {e.day: e for e in overall["estimates"]}
    assert by_day[365].value is not None and by_day[1096].value is not None
    assert by_day[1096].at_risk >= 5


def test_the_examples_on_the_pages_find_something(loaded):
    counts = preliminary_counts(EXAMPLE_GL)["counts"]["cord"]
    assert sum(counts.values()) > 0
    for code in ("NCBB", "EPCB", "WRCB"):
        bank = Institution.objects.get(provider_code=code)
        for example in selectors.search_examples(bank):
            found = selectors.bank_units(bank, selectors.UnitFilters(q=example))
            assert found["units"].exists(), (code, example)


def test_the_inventories_are_the_same_every_time():
    today = dt.date(2026, 1, 1)
    for spec in BANKS:
        assert demo.inventory(spec, today) == demo.inventory(spec, today)
