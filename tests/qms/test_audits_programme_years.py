"""The programme page lists every audit planned from last year on, the years ahead included,
so each one is reached by a click."""

import datetime

import pytest
from django.utils import timezone

from tests.qms.audit_setups import AUDIT_ID, planned

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_an_audit_planned_for_next_year_is_listed_with_its_link(users, client_for):
    planned(users, planned_on=datetime.date(TODAY.year + 1, 1, 16), title="Cryostorage audit")
    page = client_for("curator").get("/qms/audits/").content.decode()
    assert f'<a href="/qms/audits/{AUDIT_ID}/">' in page and "Cryostorage audit" in page
    assert f"Programme {TODAY.year + 1}" in page
    # This year still comes first, and last year's programme is still shown.
    assert page.index(f"Programme {TODAY.year}<") < page.index(f"Programme {TODAY.year + 1}")
    assert f"No audit planned for {TODAY.year - 1}" in page


def test_the_years_up_to_the_latest_planned_are_shown_even_when_empty(users, client_for):
    planned(users, planned_on=datetime.date(TODAY.year + 2, 6, 1))
    page = client_for("curator").get("/qms/audits/").content.decode()
    assert f"No audit planned for {TODAY.year + 1}" in page
    assert f'<a href="/qms/audits/{AUDIT_ID}/">' in page
