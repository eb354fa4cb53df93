"""Complaints: the public form (anyone, anonymous allowed, CSRF-protected, limits on length
and on how often), what staff record, and a complaint's CAPA and closure."""

import pytest
from django.core.cache import cache
from django.test import Client

from stemhub.accounts.models import Institution
from stemhub.qms import complaints
from stemhub.qms.models import Capa, Complaint
from tests.distribution.setups import available_line, make_request
from tests.qms.capa_setups import COMPLAINT_ID, a_complaint

pytestmark = pytest.mark.django_db
FORM = "/complaints/"
GOOD = {
    "institution": "NSCB",
    "complainant_kind": "researcher",
    "description": "The vial of NSCBi001-A we received did not recover after thawing.",
    "related_reference": "NSCBi001-A",
}


@pytest.fixture(autouse=True)
def no_earlier_complaints():
    cache.clear()  # the per-address count of the public form
    yield
    cache.clear()


def test_anyone_files_an_anonymous_complaint_and_qa_finds_it(users, client_for):
    answer = Client().post(FORM, GOOD)
    assert answer.status_code == 302 and answer["location"] == "/complaints/sent/"
    complaint = Complaint.objects.get()
    assert complaint.channel == "web" and complaint.recorded_by is None
    assert complaint.complainant_name == "" and complaint.status == "received"
    qa_list = client_for("qa_manager").get("/qms/complaints/").content.decode()
    assert complaint.number in qa_list and "anonymous" in qa_list


def test_the_thanks_page_gives_the_reference(users):
    client = Client()
    client.post(FORM, {**GOOD, "complainant_name": "Dr Wang", "complainant_contact": "w@x.org"})
    page = client.get("/complaints/sent/").content.decode()
    assert Complaint.objects.get().number in page


def test_the_form_lists_the_biobanks_and_a_line_page_fills_it_in(users, other_bank):
    Institution.objects.create(
        name="Some University", kind="research_institution", provider_code="UNI"
    )
    page = Client().get(f"{FORM}?institution=OSB&related_reference=OSBi001-A").content.decode()
    assert 'value="NSCB"' in page and 'value="UNI"' not in page
    assert 'value="OSB" selected' in page and 'value="OSBi001-A"' in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"institution": ""}, "institution"),
        ({"institution": "UNI"}, "institution"),
        ({"complainant_kind": "robot"}, "complainant_kind"),
        ({"description": "too short"}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"complainant_name": "n" * 201}, "complainant_name"),
        ({"complainant_contact": "c" * 201}, "complainant_contact"),
        ({"related_reference": "r" * 121}, "related_reference"),
        ({"description": "Thawed vial\u202e did not grow at all, please check"}, "description"),
    ],
    ids=["no biobank", "not a biobank", "unknown kind", "short", "long", "long name",
         "long contact", "long reference", "bidi override"],
)  # fmt: skip
def test_bad_input_is_refused_on_its_field_keeping_what_was_typed(users, change, field):
    Institution.objects.create(
        name="Some University", kind="research_institution", provider_code="UNI"
    )
    answer = Client().post(FORM, {**GOOD, **change, "complainant_organisation": "Typed Org"})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'value="Typed Org"' in page
    assert f'name="{field}"' in page.split('has-error">')[1].split("</div>")[0]
    assert not Complaint.objects.exists()


def test_a_robot_filling_the_hidden_field_stores_nothing(users):
    answer = Client().post(FORM, {**GOOD, "website": "http://spam.example"})
    assert answer.status_code == 302
    assert not Complaint.objects.exists()


def test_one_address_files_at_most_five_an_hour(users):
    client = Client()
    for _ in range(complaints.PUBLIC_PER_HOUR):
        assert client.post(FORM, GOOD).status_code == 302
    refused = client.post(FORM, GOOD)
    assert refused.status_code == 429
    assert Complaint.objects.count() == complaints.PUBLIC_PER_HOUR


def test_the_form_needs_its_csrf_token(users):
    client = Client(enforce_csrf_checks=True)
    assert client.post(FORM, GOOD).status_code == 403
    page = client.get(FORM)
    token = page.cookies["csrftoken"].value
    assert client.post(FORM, {**GOOD, "csrfmiddlewaretoken": token}).status_code == 302


def test_staff_record_a_complaint_received_by_telephone(users, client_for):
    answer = client_for("bank_technician").post(
        "/qms/complaints/new/",
        {
            "complainant_kind": "hospital",
            "channel": "phone",
            "received_on": "2026-01-05",
            "description": "Cord unit CB-114 arrived above −150 °C",
            "complainant_name": "Dr Chen, Ruijin Hospital",
        },
    )
    assert answer.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.recorded_by == users["bank_technician"] and complaint.channel == "phone"


def test_a_complaint_received_in_the_future_is_refused(users, client_for):
    answer = client_for("bank_technician").post(
        "/qms/complaints/new/",
        {"complainant_kind": "hospital", "channel": "phone", "received_on": "2999-01-01",
         "description": "Warm unit"},
    )  # fmt: skip
    assert answer.status_code == 400
    assert "not in the future" in answer.content.decode()
    assert not Complaint.objects.exists()


def test_a_complaint_opens_one_capa_that_links_back(users, client_for):
    a_complaint(users)
    tech = client_for("bank_technician")
    answer = tech.post(f"/qms/complaints/{COMPLAINT_ID}/capa/", {})
    capa = Capa.objects.get(source="complaint", source_id=COMPLAINT_ID)
    assert answer["location"] == f"/qms/capa/{capa.pk}/"
    complaint = Complaint.objects.get(pk=COMPLAINT_ID)
    assert complaint.capa == capa and complaint.status == "in_review"
    assert f"/qms/complaints/{COMPLAINT_ID}/" in tech.get(f"/qms/capa/{capa.pk}/").content.decode()
    again = tech.post(f"/qms/complaints/{COMPLAINT_ID}/capa/", {})
    assert again.status_code == 302 and Capa.objects.filter(source="complaint").count() == 1


def test_closing_needs_an_outcome_and_is_final(users, client_for):
    a_complaint(users)
    qa = client_for("qa_manager")
    refused = qa.post(f"/qms/complaints/{COMPLAINT_ID}/close/", {"outcome": " "})
    assert refused.status_code == 400
    assert (
        qa.post(
            f"/qms/complaints/{COMPLAINT_ID}/close/", {"outcome": "Seal supplier changed"}
        ).status_code
        == 302
    )
    again = qa.post(f"/qms/complaints/{COMPLAINT_ID}/capa/", {})
    assert again.status_code == 409 and "closed" in again.content.decode()


def test_a_technician_cannot_close_a_complaint(users, client_for):
    a_complaint(users)
    answer = client_for("bank_technician").post(
        f"/qms/complaints/{COMPLAINT_ID}/close/", {"outcome": "Done"}
    )
    assert answer.status_code == 403
    assert Complaint.objects.get(pk=COMPLAINT_ID).status == "received"


def test_another_institution_does_not_see_the_complaint(users, client_for):
    a_complaint(users)
    assert client_for("other_qa").get(f"/qms/complaints/{COMPLAINT_ID}/").status_code == 404
    assert client_for("other_qa").get("/api/v1/qms/complaints").json() == []


def test_the_footer_links_the_complaint_form(users):
    assert f'href="{FORM}"' in Client().get("/").content.decode()


def test_the_complaint_page_links_the_item_it_names_where_the_reader_may_open_it(users, client_for):
    line = available_line(users)  # NSCBi001-A, published, at the bank
    request = make_request(users, line)
    complaint = a_complaint(users)
    page = f"/qms/complaints/{complaint.pk}/"
    request_link = f'href="/distribution/requests/{request.pk}/"'
    for who, reference, link in [
        ("platform_admin", f"Request {request.reference}", request_link),
        ("qa_manager", f"Request {request.reference}", None),  # may not open requests
        ("qa_manager", "NSCBi001-A, vial 3", 'href="/lines/NSCBi001-A/"'),
        ("qa_manager", "Shipment SHP-2026-0112", None),
    ]:
        Complaint.objects.filter(pk=complaint.pk).update(related_reference=reference)
        shown = client_for(who).get(page).content.decode()
        assert reference in shown
        assert (link in shown) if link else (f"{reference}</a>" not in shown)
    # The heading says what happened, not only who complained.
    assert "The cord unit arrived with a broken seal." in shown.split("</h1>")[0]
