"""CAPA pages: the list (overdue first), a CAPA's page showing each workflow form only to who
may use it, forms that keep what was typed, and the quality records that open a CAPA."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from stemhub.qms.capa import capa_investigation_record, capa_open
from stemhub.qms.models import Capa, CapaAction
from tests.qms.capa_setups import (
    ACTION_ID,
    CAPA_ID,
    fixed_action,
    fixed_capa,
    found_effective,
    investigated,
)

pytestmark = pytest.mark.django_db
PAGE = f"/qms/capa/{CAPA_ID}/"


def test_the_owner_sees_the_investigation_form_and_a_curator_only_reads(users, client_for):
    fixed_capa(users)
    owner = client_for("bank_technician").get(PAGE).content.decode()
    assert 'id="investigation-form"' in owner
    reader = client_for("curator").get(PAGE).content.decode()
    assert "Thaw recorded after the shipment left" in reader
    assert 'id="investigation-form"' not in reader
    assert f'action="{PAGE}' not in reader


def test_only_qa_sees_the_closure_form_once_found_effective(users, client_for):
    found_effective(users)
    assert 'id="close-form"' in client_for("qa_manager").get(PAGE).content.decode()
    assert 'id="close-form"' not in client_for("bank_technician").get(PAGE).content.decode()


def test_the_action_form_appears_once_the_root_cause_is_recorded(users, client_for):
    capa = fixed_capa(users)
    assert 'id="action-form"' not in client_for("bank_technician").get(PAGE).content.decode()
    capa_investigation_record(
        actor=users["bank_technician"], capa=capa, problem_statement="p", root_cause="r"
    )
    assert 'id="action-form"' in client_for("bank_technician").get(PAGE).content.decode()


def test_a_refused_investigation_keeps_what_was_typed_and_marks_the_field(users, client_for):
    fixed_capa(users)
    answer = client_for("bank_technician").post(
        f"{PAGE}investigation/",
        {"problem_statement": "Late thaw entry", "why_1": "Forgot", "why_3": "No reminder"},
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Late thaw entry" in page and 'value="No reminder"' in page
    assert 'fieldset class="group has-error"' in page


def test_an_evidence_file_that_is_not_a_pdf_is_refused_on_its_field(users, client_for):
    fixed_action(users)
    fake = SimpleUploadedFile("evidence.pdf", b"not a pdf", "application/pdf")
    answer = client_for("bank_technician").post(
        f"/qms/capa/actions/{ACTION_ID}/done/", {"done_note": "Done", "evidence_file": fake}
    )
    assert answer.status_code == 400
    assert "content does not match the file name" in answer.content.decode()
    assert not CapaAction.objects.get(pk=ACTION_ID).is_done


def test_a_step_out_of_order_on_the_page_is_409_naming_the_state(users, client_for):
    fixed_capa(users)
    answer = client_for("qa_manager").post(
        f"{PAGE}effectiveness/", {"result": "effective", "note": "x"}
    )
    assert answer.status_code == 409
    assert "Open" in answer.content.decode()


def test_the_list_shows_overdue_capas_first(users, client_for):
    tech = users["bank_technician"]
    capa_open(actor=tech, institution_id=tech.institution_id, source="deviation",
              title="Due later", description="d")  # fmt: skip
    late = capa_open(actor=tech, institution_id=tech.institution_id, source="other",
                     title="Long overdue", description="d")  # fmt: skip
    Capa.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=5))
    page = client_for("curator").get("/qms/capa/").content.decode()
    assert page.index("Long overdue") < page.index("Due later")
    only = client_for("curator").get("/qms/capa/?overdue=1").content.decode()
    assert "Long overdue" in only and "Due later" not in only


def test_raising_a_capa_by_hand_keeps_the_form_on_error(users, client_for):
    answer = client_for("bank_technician").post(
        "/qms/capa/new/", {"source": "deviation", "title": "", "description": "Typed text"}
    )
    assert answer.status_code == 400
    assert "Typed text" in answer.content.decode()
    made = client_for("bank_technician").post(
        "/qms/capa/new/", {"source": "deviation", "title": "Late thaw", "description": "d"}
    )
    assert made.status_code == 302
    assert Capa.objects.get(title="Late thaw").source == "deviation"


def test_a_nonconformity_opens_its_capa_once_and_its_page_links_it(users, client_for):
    from tests.quality.permission_cases import NC, with_records

    with_records(users)
    tech = client_for("bank_technician")
    bank_page = tech.get("/quality/banks/9101/").content.decode()
    assert f"/quality/nonconformities/{NC}/capa/" in bank_page
    first = tech.post(f"/quality/nonconformities/{NC}/capa/")
    capa = Capa.objects.get(source="nonconformity", source_id=NC)
    assert first.status_code == 302 and first["location"] == f"/qms/capa/{capa.pk}/"
    assert tech.post(f"/quality/nonconformities/{NC}/capa/")["location"] == first["location"]
    assert Capa.objects.filter(source="nonconformity").count() == 1
    linked = tech.get("/quality/banks/9101/").content.decode()
    assert f'href="/qms/capa/{capa.pk}/"' in linked
    assert f"/quality/banks/9101/#nc-{NC}" in tech.get(f"/qms/capa/{capa.pk}/").content.decode()


def test_a_curator_sees_no_open_capa_button_on_a_nonconformity(users, client_for):
    from tests.quality.permission_cases import NC, with_records

    with_records(users)
    page = client_for("curator").get("/quality/banks/9101/").content.decode()
    assert f"/quality/nonconformities/{NC}/capa/" not in page


def test_an_excursion_opens_its_capa(users, client_for):
    from tests.quality.permission_cases import EXCURSION, with_excursion

    with_excursion(users)
    tech = client_for("bank_technician")
    assert (
        f"/quality/excursions/{EXCURSION}/capa/"
        in tech.get(f"/quality/excursions/{EXCURSION}/").content.decode()
    )
    answer = tech.post(f"/quality/excursions/{EXCURSION}/capa/")
    capa = Capa.objects.get(source="excursion", source_id=EXCURSION)
    assert answer["location"] == f"/qms/capa/{capa.pk}/"
    assert "Tank 1" in capa.title


def test_an_empty_action_form_names_every_missing_field_at_once(users, client_for):
    investigated(users)
    answer = client_for("bank_technician").post(f"{PAGE}actions/", {})
    assert answer.status_code == 400
    page = answer.content.decode()
    for said in ("its kind", "what is to be done", "its owner", "a due date, today or later"):
        assert said in page
    assert not CapaAction.objects.exists()


def test_an_action_due_after_its_capa_is_added_with_a_warning(users, client_for):
    capa = investigated(users)
    later = capa.due_on + timedelta(days=10)
    client = client_for("bank_technician")
    answer = client.post(
        f"{PAGE}actions/",
        {"kind": "corrective", "description": "Add the step", "owner": "bank_technician",
         "due_on": later.isoformat()},
        follow=True,
    )  # fmt: skip
    page = answer.content.decode()
    assert CapaAction.objects.get().due_on == later
    assert "The action is due after the CAPA itself" in page
