"""The quality and distribution demos, loaded by `stemhub demo` on top of the biobank's: lots
released with certificates, a failed lot with its open nonconformity, and requests of several
researchers for several lines in every state of the workflow, so that every queue shows
something; a second load of each changes nothing."""

import io

import pytest
from django.core.management import call_command

from stemhub.biobank.models import VialStatus
from stemhub.distribution import demo as distribution_demo
from stemhub.distribution.models import DistributionRequest, RequestStatus
from stemhub.quality import demo as quality_demo
from stemhub.quality.models import Certificate, Nonconformity, QcResult
from stemhub.quality.selectors import bank_readiness, released_banks


@pytest.mark.django_db
def test_the_demo_releases_lots_keeps_a_failure_and_has_requests_in_every_state():
    """One test, as the demo takes a while to load: each part checks one promise."""
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "Skipped" not in out.getvalue()
    _released_lots_have_certificates()
    _a_failed_mycoplasma_leaves_an_open_nonconformity()
    _requests_in_every_state()
    _every_distribution_queue_shows_something()
    _a_second_load_changes_nothing()


def _released_lots_have_certificates() -> None:
    released = released_banks().filter(tier="distribution", institution__provider_code="NSRB")
    assert released.count() >= 1
    for bank in released:
        assert Certificate.objects.filter(release__bank=bank).exists()
        assert bank_readiness(bank).ready


def _a_failed_mycoplasma_leaves_an_open_nonconformity() -> None:
    opened = Nonconformity.objects.filter(status=Nonconformity.Status.OPEN)
    assert opened.count() == 1
    nc = opened.select_related("result__test", "bank").get()
    assert nc.result.test.code == "mycoplasma" and not nc.result.passed
    assert not released_banks().filter(pk=nc.bank_id).exists()
    assert not nc.bank.vials.filter(status=VialStatus.AVAILABLE).exists()


def _requests_in_every_state() -> None:
    requests = DistributionRequest.objects.all()
    assert set(requests.values_list("status", flat=True)) == set(RequestStatus.values)
    assert {r.provider.provider_code for r in requests} == {"NSRB"}
    assert requests.values("researcher").distinct().count() >= 3
    assert requests.values("line").distinct().count() >= 5
    mine = requests.filter(researcher__username="researcher")
    allocated = mine.get(status=RequestStatus.ALLOCATED)
    assert allocated.allocations.count() == allocated.vials_requested
    reported = mine.get(status=RequestStatus.REPORTED)
    assert reported.shipment and reported.receipt and reported.thaw_report
    assert mine.filter(status=RequestStatus.RECEIVED).exists()
    waiting = requests.filter(status=RequestStatus.AWAITING_COMMITTEE)
    assert waiting.count() == 2 and all(r.line.managed_access for r in waiting)
    rejected = requests.get(status=RequestStatus.REJECTED)
    assert rejected.events.filter(kind="rejected").exclude(note="").exists()


def _every_distribution_queue_shows_something() -> None:
    from stemhub.accounts.models import User
    from stemhub.distribution import navigation

    def user(name: str) -> User:
        return User.objects.get(username=name)

    assert navigation.my_requests(user("researcher")).count >= 3
    assert navigation.reports_due(user("researcher")).count >= 2
    assert navigation.to_review(user("curator")).count == 2
    assert navigation.committee_pending(user("committee")).count == 2
    shipping = navigation.to_ship(user("technician"))
    assert {row.badge for row in shipping.rows} == {"Approved", "Vials allocated"}


def _a_second_load_changes_nothing() -> None:
    before = (QcResult.objects.count(), DistributionRequest.objects.count())
    for module in (quality_demo, distribution_demo):
        out = io.StringIO()
        module.load(stdout=out)
        assert "nothing to do" in out.getvalue()
    assert (QcResult.objects.count(), DistributionRequest.objects.count()) == before
