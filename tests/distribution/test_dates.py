"""Dates a researcher or technician types are checked: nothing ships, arrives or is thawed in
the future, and nothing is written when a date is refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stemhub.core.errors import InvalidInput
from stemhub.distribution import reports, services
from stemhub.distribution.models import RequestStatus
from tests.distribution.setups import approved, distribution_lot, shipped

pytestmark = pytest.mark.django_db


def tomorrow():
    """Computed when a test runs: a module-level date goes stale when a run passes midnight."""
    return timezone.localdate() + timedelta(days=1)


def test_a_shipment_dated_tomorrow_is_refused(users, line):
    distribution_lot(users, line, count=2)
    found = approved(users, line, vials_requested=1)
    services.distribution_allocate(actor=users["bank_technician"], request=found)
    with pytest.raises(InvalidInput) as raised:
        services.distribution_ship(
            actor=users["bank_technician"],
            request=found,
            courier="World Courier",
            tracking_number="WC-9",
            dry_shipper="DS-9",
            temperature_logger="TL-9",
            shipped_on=tomorrow(),
        )
    assert raised.value.fields == {"shipped_on": ["future"]}
    found.refresh_from_db()
    assert found.status == RequestStatus.ALLOCATED


def test_a_thaw_dated_tomorrow_is_refused(users, line):
    distribution_lot(users, line, count=2)
    found = shipped(users, approved(users, line, vials_requested=1))
    researcher = users["researcher"]
    reports.distribution_receipt_confirm(
        actor=researcher, request=found, received_on=timezone.localdate()
    )
    with pytest.raises(InvalidInput) as raised:
        reports.distribution_thaw_report(
            actor=researcher,
            request=found,
            thawed_on=tomorrow(),
            viability=90,
            recovery=70,
            attachment="good",
        )
    assert raised.value.fields == {"thawed_on": ["future"]}
    found.refresh_from_db()
    assert found.status == RequestStatus.RECEIVED
