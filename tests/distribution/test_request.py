"""A researcher requests a line under the licence; every refusal rule at request time."""

import pytest
from django.core import mail

from stemhub.core.errors import Conflict, Forbidden, InvalidInput
from stemhub.distribution import services
from stemhub.distribution.models import LicenceSignature, RequestEvent, RequestStatus
from stemhub.distribution.selectors import current_licence
from stemhub.registry import services as registry
from stemhub.registry.models import CellLine
from tests.distribution.setups import available_line, make_request
from tests.jobs.queue import run_queued_tasks

pytestmark = pytest.mark.django_db


def test_the_first_licence_says_the_terms_in_our_words():
    text = current_licence().text.lower()
    for term in ("no cost", "not transferable", "this project", "intellectual property", "shared"):
        assert term in text


def test_a_request_stores_the_licence_version_and_a_signature_over_it(users, line):
    found = make_request(users, line)
    assert found.status == RequestStatus.SUBMITTED
    assert found.licence == current_licence()
    signature = LicenceSignature.objects.get(request=found)
    assert signature.signer == users["researcher"]
    assert signature.meaning == "accepted the licence terms"
    assert signature.printed_name == "Researcher Tester"
    assert services.signature_holds(found)
    assert [e.kind for e in found.events.all()] == [RequestEvent.Kind.SUBMITTED]


def test_changing_the_request_after_signing_breaks_the_signature(users, line):
    found = make_request(users, line)
    found.vials_requested = 3
    assert not services.signature_holds(found)


def test_it_refuses_a_wrong_password(users, line):
    with pytest.raises(InvalidInput) as error:
        make_request(users, line, password="not my password")
    assert "password" in error.value.fields


def test_it_refuses_without_accepting_the_licence(users, line):
    with pytest.raises(InvalidInput) as error:
        make_request(users, line, accept_licence=False)
    assert "accept_licence" in error.value.fields


def test_it_refuses_a_licence_version_that_is_no_longer_current(users, line):
    shown = current_licence().number
    services.licence_version_publish(
        actor=users["platform_admin"], title="Licence", text="New wording of the terms."
    )
    with pytest.raises(Conflict) as error:
        make_request(users, line, licence_number=shown)
    assert "licence_number" in error.value.fields
    assert make_request(users, line, licence_number=shown + 1).licence.number == shown + 1


def test_only_platform_admins_publish_a_licence_wording(users):
    with pytest.raises(Forbidden):
        services.licence_version_publish(actor=users["curator"], title="x", text="y")


@pytest.mark.parametrize("availability", ["restricted", "recalled", "withdrawn", "not_available"])
def test_a_line_that_is_not_available_cannot_be_requested(users, line, availability):
    registry.cell_line_set_availability(
        actor=users["curator"], line=line, availability=availability, reason="QC finding"
    )
    with pytest.raises(Conflict) as error:
        make_request(users, line)
    assert "cannot be requested" in error.value.message
    assert "line" in error.value.fields


def test_an_unpublished_line_cannot_be_requested(users):
    from tests.registry.lines import publishable

    draft = registry.cell_line_create(actor=users["curator"], data=publishable("NSCBi002-A"))
    with pytest.raises(Conflict) as error:
        make_request(users, draft)
    assert "not published" in error.value.message


@pytest.mark.parametrize(
    ("use", "consent_field", "word"),
    [
        ("commercial", "use_commercial", "commercial"),
        ("clinical", "use_clinical", "clinical"),
        ("basic_research", "use_research", "research"),
    ],
)
def test_a_use_the_consent_forbids_is_refused_with_the_reason(users, use, consent_field, word):
    line = available_line(users, **{consent_field: False})
    with pytest.raises(Conflict) as error:
        make_request(users, line, intended_use=use)
    assert f"does not allow {word} use" in error.value.message
    assert "intended_use" in error.value.fields


def test_a_use_the_consent_does_not_mention_goes_to_the_curator_with_a_note(users, line):
    assert line.use_commercial is None
    found = make_request(users, line, intended_use="commercial")
    assert any("commercial use" in note for note in found.checks)


def test_a_managed_access_line_is_flagged_for_the_committee(users):
    line = available_line(users, managed_access=True)
    found = make_request(users, line)
    assert found.needs_committee
    assert any("managed access" in note for note in found.checks)


@pytest.mark.parametrize(
    ("field", "value"),
    [("vials_requested", 0), ("vials_requested", 21), ("recipient_country", "Germany")],
)
def test_it_refuses_bad_values_naming_the_field(users, line, field, value):
    with pytest.raises(InvalidInput) as error:
        make_request(users, line, **{field: value})
    assert field in error.value.fields


def test_submitting_mails_the_researcher_and_the_providers_reviewers(
    users, line, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        found = make_request(users, line)
    run_queued_tasks()  # the worker sends the queued mails
    recipients = sorted(address for m in mail.outbox for address in m.to)
    assert "researcher@example.org" in recipients
    assert "curator@example.org" in recipients
    assert "other_curator@example.org" not in recipients
    assert all(found.reference in m.subject for m in mail.outbox)


def test_nothing_is_written_when_a_request_is_refused(users, line):
    CellLine.objects.filter(pk=line.pk).update(use_commercial=False)
    with pytest.raises(Conflict):
        make_request(users, line, intended_use="commercial")
    assert not LicenceSignature.objects.exists()
