"""The home-page queues of distribution: the researcher's requests and the reports they owe,
the committee's pending decisions with the project and how long they waited, the technicians'
allocate-and-ship queue (allocated requests included), and the platform admin's counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stemhub.distribution import navigation, reports, services
from stemhub.distribution.models import RequestEvent, RequestStatus
from tests.distribution.setups import (
    approved,
    available_line,
    distribution_lot,
    make_request,
    shipped,
)
from tests.history import history_rewritable

pytestmark = pytest.mark.django_db


def test_the_committee_sees_the_line_the_project_and_how_long_it_waited(users):
    line = available_line(users, managed_access=True)
    found = approved(users, line, project_title="Retinal organoids")
    assert found.status == RequestStatus.AWAITING_COMMITTEE
    with history_rewritable():
        RequestEvent.objects.filter(request=found, to_status=found.status).update(
            at=timezone.now() - timedelta(days=3)
        )
    queue = navigation.committee_pending(users["access_committee"])
    (row,) = queue.rows
    assert queue.count == 1
    assert row.label == f"{found.reference} · NSCBi001-A"
    assert "Retinal organoids" in row.detail and "waiting 3\xa0days" in row.detail
    assert queue.more_url == "/distribution/requests/committee/"


def test_the_shipping_queue_holds_allocated_requests_and_its_link_lists_them(users, line):
    distribution_lot(users, line, count=4)
    first = approved(users, line, project_title="First", vials_requested=1)
    second = approved(users, line, project_title="Second", vials_requested=1)
    services.distribution_allocate(actor=users["bank_technician"], request=second)
    queue = navigation.to_ship(users["bank_technician"])
    assert queue.count == 2
    assert [r.badge for r in queue.rows] == ["Approved", "Vials allocated"]
    assert queue.more_url == "/distribution/requests/to-ship/"
    assert first.reference in queue.rows[0].label


def test_the_researchers_requests_by_state_with_their_next_step(users, line):
    distribution_lot(users, line, count=4)
    make_request(users, line, project_title="Waiting")
    shipped(users, approved(users, line, project_title="On its way", vials_requested=1))
    queue = navigation.my_requests(users["researcher"])
    assert [r.detail for r in queue.rows] == [
        "Waiting · Wait for the provider's curator to review it.",
        "On its way · Confirm receipt when the package arrives.",
    ]


def test_reports_due_are_receipts_thaw_reports_then_results(users, line):
    distribution_lot(users, line, count=4)
    researcher = users["researcher"]
    arrived = shipped(users, approved(users, line, project_title="Arrived", vials_requested=1))
    reports.distribution_receipt_confirm(
        actor=researcher, request=arrived, received_on=timezone.localdate()
    )
    shipped(users, approved(users, line, project_title="Travelling", vials_requested=1))
    queue = navigation.reports_due(researcher)
    assert [r.detail.split(" · ")[0] for r in queue.rows] == [
        "Confirm receipt",
        "Report the post-thaw results",
    ]
    assert queue.tone == "warn"

    reports.distribution_thaw_report(
        actor=researcher,
        request=arrived,
        thawed_on=timezone.localdate(),
        viability=90,
        recovery=70,
        attachment="good",
    )
    queue = navigation.reports_due(researcher)
    assert "Share publications or results" in queue.rows[-1].detail
    reports.distribution_result_report(actor=researcher, request=arrived, title="A paper")
    assert navigation.reports_due(researcher).count == 1


def test_the_platform_admin_counts_requests_per_status(users, line):
    make_request(users, line)
    approved(users, line)
    queue = navigation.requests_by_status(users["platform_admin"])
    assert queue.count == 2
    assert {(r.label, r.badge) for r in queue.rows} == {
        ("Submitted", "1 request"),
        ("Approved", "1 request"),
    }
    assert queue.rows[0].url == "/distribution/requests/?status=submitted"
