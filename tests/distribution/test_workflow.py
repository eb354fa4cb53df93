"""Review, committee, allocation, shipment and the researcher's reports: the state machine."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from stemhub.biobank.models import CustodyEvent, Vial, VialStatus
from stemhub.core.errors import Conflict, Forbidden, InvalidInput
from stemhub.distribution import reports, selectors, services
from stemhub.distribution.models import RequestStatus
from stemhub.registry import services as registry
from tests.distribution.setups import (
    approved,
    available_line,
    distribution_lot,
    make_request,
    ship,
    shipped,
)
from tests.jobs.queue import run_queued_tasks

pytestmark = pytest.mark.django_db


def test_the_curator_approves_and_the_researcher_is_mailed(
    users, line, django_capture_on_commit_callbacks
):
    found = make_request(users, line)
    with django_capture_on_commit_callbacks(execute=True):
        services.distribution_request_review(
            actor=users["curator"], request=found, approve=True, reason="Consent fits"
        )
    found.refresh_from_db()
    assert found.status == RequestStatus.APPROVED
    run_queued_tasks()  # the worker sends the queued mails
    to_researcher = [m for m in mail.outbox if m.to == ["researcher@example.org"]]
    assert len(to_researcher) == 1 and "approved" in to_researcher[0].subject
    assert "Consent fits" in to_researcher[0].body


def test_a_rejection_carries_its_reason_to_the_researcher(
    users, line, django_capture_on_commit_callbacks
):
    found = make_request(users, line)
    with django_capture_on_commit_callbacks(execute=True):
        services.distribution_request_review(
            actor=users["curator"],
            request=found,
            approve=False,
            reason="The donor's consent <excludes> this",
        )
    found.refresh_from_db()
    assert found.status == RequestStatus.REJECTED
    run_queued_tasks()  # the worker sends the queued mails
    assert "The donor's consent <excludes> this" in mail.outbox[-1].body


def test_a_decision_needs_a_reason(users, line):
    found = make_request(users, line)
    with pytest.raises(InvalidInput):
        services.distribution_request_review(
            actor=users["curator"], request=found, approve=True, reason=" "
        )


def test_another_institutions_curator_cannot_review(users, line):
    found = make_request(users, line)
    with pytest.raises(Forbidden):
        services.distribution_request_review(
            actor=users["other_curator"], request=found, approve=True, reason="ok"
        )


def test_a_curator_cannot_approve_their_own_request(users, line):
    found = make_request(users, line, who="curator")
    with pytest.raises(Forbidden):
        services.distribution_request_review(
            actor=users["curator"], request=found, approve=True, reason="mine"
        )


def test_approval_is_refused_when_the_line_was_recalled_meanwhile(users, line):
    found = make_request(users, line)
    registry.cell_line_set_availability(
        actor=users["curator"], line=line, availability="recalled", reason="Mycoplasma"
    )
    with pytest.raises(Conflict) as error:
        services.distribution_request_review(
            actor=users["curator"], request=found, approve=True, reason="ok"
        )
    assert "recalled" in error.value.message


def test_a_managed_access_line_needs_the_committee_after_the_curator(users):
    line = available_line(users, managed_access=True)
    found = make_request(users, line)
    services.distribution_request_review(
        actor=users["curator"], request=found, approve=True, reason="ok"
    )
    found.refresh_from_db()
    assert found.status == RequestStatus.AWAITING_COMMITTEE
    with pytest.raises(Forbidden):
        services.distribution_request_committee_review(
            actor=users["curator"], request=found, approve=True, reason="me again"
        )
    with pytest.raises(Conflict):
        services.distribution_allocate(actor=users["bank_technician"], request=found)
    services.distribution_request_committee_review(
        actor=users["platform_admin"], request=found, approve=True, reason="Committee agrees"
    )
    found.refresh_from_db()
    assert found.status == RequestStatus.APPROVED
    assert found.committee_by == users["platform_admin"]


def test_the_researcher_withdraws_before_allocation_only(users, line):
    distribution_lot(users, line)
    found = approved(users, line)
    with pytest.raises(Forbidden):
        services.distribution_request_withdraw(actor=users["curator"], request=found)
    services.distribution_allocate(actor=users["bank_technician"], request=found)
    with pytest.raises(Conflict):
        services.distribution_request_withdraw(actor=users["researcher"], request=found)


def test_allocation_takes_the_oldest_released_distribution_lot_first(users, line):
    newer = distribution_lot(users, line, count=3, freeze_date=date(2025, 5, 1))
    older = distribution_lot(users, line, count=1, freeze_date=date(2024, 11, 2))
    distribution_lot(users, line, count=5, freeze_date=date(2023, 1, 1), released=False)
    found = approved(users, line, vials_requested=3)
    allocations = services.distribution_allocate(actor=users["bank_technician"], request=found)
    banks = [a.bank_id for a in allocations]
    assert sorted(banks) == sorted([older.pk, newer.pk, newer.pk])
    for allocation in allocations:
        assert Vial.objects.get(pk=allocation.vial_id).status == VialStatus.RESERVED
        assert CustodyEvent.objects.filter(
            vial_id=allocation.vial_id, to_status=VialStatus.RESERVED
        ).exists()


def test_allocation_is_all_or_nothing(users, line):
    distribution_lot(users, line, count=2)
    found = approved(users, line, vials_requested=3)
    with pytest.raises(Conflict) as error:
        services.distribution_allocate(actor=users["bank_technician"], request=found)
    assert "Only 2" in error.value.message
    assert not Vial.objects.filter(status=VialStatus.RESERVED).exists()


def test_other_tiers_and_unreleased_lots_are_never_allocated(users, line):
    distribution_lot(users, line, count=5, released=False)
    distribution_lot(users, line, count=5, tier="wcb")
    found = approved(users, line)
    with pytest.raises(Conflict) as error:
        services.distribution_allocate(actor=users["bank_technician"], request=found)
    assert "no distribution lot released" in error.value.message


def test_the_pick_list_names_container_path_and_position(users, line):
    distribution_lot(users, line, count=2)
    found = approved(users, line)
    services.distribution_allocate(actor=users["bank_technician"], request=found)
    rows = selectors.pick_list(found)
    assert [r["position"] for r in rows] == ["A1", "A2"]
    assert all(r["container"].endswith("Room 1/Tank 2/Rack 3/Box 1") for r in rows)


def test_released_vials_go_back_and_the_request_can_be_allocated_again(users, line):
    distribution_lot(users, line, count=2)
    found = approved(users, line)
    tech = users["bank_technician"]
    services.distribution_allocate(actor=tech, request=found)
    services.distribution_allocation_release(actor=tech, request=found, reason="Cracked vial")
    assert Vial.objects.filter(status=VialStatus.AVAILABLE).count() == 2
    assert len(services.distribution_allocate(actor=tech, request=found)) == 2


def test_shipping_distributes_the_vials_and_freezes_the_pack(
    users, line, django_capture_on_commit_callbacks
):
    lot = distribution_lot(users, line, count=3, passage_number=21, cells_per_vial=1_500_000)
    found = approved(users, line)
    with django_capture_on_commit_callbacks(execute=True):
        found = shipped(users, found)
    assert found.status == RequestStatus.SHIPPED
    vials = Vial.objects.filter(allocation__request=found)
    assert {v.status for v in vials} == {VialStatus.DISTRIBUTED}
    assert all(v.container_id is None for v in vials)
    pack = found.shipment.pack
    assert pack["line"] == "NSCBi001-A"
    (lot_out,) = pack["lots"]
    assert lot_out["bank"] == lot.code
    assert lot_out["passage_number"] == 21
    assert lot_out["cells_per_vial"] == 1_500_000
    assert lot_out["certificates"][0]["number"] == f"COA-{lot.code}-1"
    assert pack["characterisation"]["markers"][0]["marker"] == "OCT4"
    run_queued_tasks()  # the worker sends the queued mails
    assert "WC-123" in mail.outbox[-1].body


def test_shipping_is_refused_once_the_lot_loses_its_release(users, line):
    lot = distribution_lot(users, line, count=2)
    found = approved(users, line)
    services.distribution_allocate(actor=users["bank_technician"], request=found)
    from django.utils import timezone

    lot.releases.update(invalidated_at=timezone.now(), invalidated_reason="OOS sterility")
    with pytest.raises(Conflict) as error:
        ship(users, found)
    assert "no longer released" in error.value.message


def test_the_researcher_confirms_receipt_reports_thaw_and_a_doi(users, line):
    distribution_lot(users, line, count=2)
    found = shipped(users, approved(users, line))
    researcher = users["researcher"]
    with pytest.raises(Forbidden):
        reports.distribution_receipt_confirm(
            actor=users["other_curator"], request=found, received_on=date(2025, 6, 3)
        )
    with pytest.raises(InvalidInput):
        reports.distribution_receipt_confirm(
            actor=researcher, request=found, received_on=date(2025, 6, 1)
        )
    reports.distribution_receipt_confirm(
        actor=researcher, request=found, received_on=date(2025, 6, 3), condition="Dry ice left"
    )
    reports.distribution_thaw_report(
        actor=researcher,
        request=found,
        thawed_on=date(2025, 6, 4),
        viability=Decimal("88.5"),
        recovery=Decimal("72"),
        attachment="good",
    )
    result = reports.distribution_result_report(
        actor=researcher, request=found, title="Neurons", doi="https://doi.org/10.1000/xyz123"
    )
    assert result.doi == "10.1000/xyz123"
    with pytest.raises(InvalidInput):
        reports.distribution_result_report(
            actor=researcher, request=found, title="x", doi="not-a-doi"
        )
    found.refresh_from_db()
    assert found.status == RequestStatus.REPORTED
    kinds = [e.kind for e in found.events.all()]
    assert kinds == [
        "submitted",
        "approved",
        "allocated",
        "shipped",
        "received",
        "thaw_reported",
        "result_reported",
    ]


def test_statistics_count_shipments_by_line_year_country_and_use(users, line):
    distribution_lot(users, line, count=5)
    shipped(users, approved(users, line, vials_requested=2))
    shipped(users, approved(users, line, vials_requested=1, recipient_country="cn"))
    rows = selectors.distribution_statistics(users["curator"], by="line")
    assert rows == [
        {"line": "NSCBi001-A", "year": 2025, "country": "CN", "intended_use": "basic_research",
         "requests": 1, "vials": 1},
        {"line": "NSCBi001-A", "year": 2025, "country": "DE", "intended_use": "basic_research",
         "requests": 1, "vials": 2},
    ]  # fmt: skip
    assert selectors.distribution_statistics(users["other_curator"], by="line") == []
