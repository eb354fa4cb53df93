"""A temperature excursion is handled: QA writes the impact assessment, decides for all vials
or vial by vial (release from quarantine, keep quarantined, destroy) and signs with the
password; the vials change with a custody event each, the banks get a QC event, and until the
decision a bank's release leaves the excursion's vials quarantined."""

import json

import pytest

from stemhub.biobank.models import CustodyEvent, Vial, VialStatus
from stemhub.core.errors import Conflict, Forbidden, InvalidInput
from stemhub.quality import dispositions, selectors, services
from stemhub.quality.models import ExcursionReview, ExcursionVialDecision, QcEvent, Signature
from tests.conftest import PASSWORD
from tests.equipment.setups import tank
from tests.quality.setups import excursion_in, pass_everything, qc_bank

pytestmark = pytest.mark.django_db
ASSESSMENT = "Vapour phase reached -121 °C for 30 minutes; below the glass transition throughout."


@pytest.fixture
def cell_bank(users):
    return qc_bank(users, vials=4)


@pytest.fixture
def excursion(users, cell_bank):
    vials = list(cell_bank.vials.order_by("barcode"))
    return excursion_in(tank(users), vials, users["bank_technician"])


def decide(users, excursion, who="qa_manager", **given):
    values = {"impact_assessment": ASSESSMENT, "password": PASSWORD, **given}
    return dispositions.excursion_decide(actor=users[who], excursion=excursion, **values)


def statuses(bank) -> dict[str, str]:
    return dict(bank.vials.values_list("barcode", "status"))


def test_qa_releases_every_vial_with_a_signed_review(users, cell_bank, excursion):
    review = decide(users, excursion, decision="release")
    assert set(statuses(cell_bank).values()) == {VialStatus.AVAILABLE}
    assert review.impact_assessment == ASSESSMENT
    signature = review.signature
    assert (signature.meaning, signature.printed_name) == (
        Signature.Meaning.EXCURSION,
        "Qa Tester",
    )
    assert selectors.record_hash(json.loads(signature.record)) == signature.record_hash
    assert {d.decision for d in ExcursionVialDecision.objects.filter(review=review)} == {"release"}
    lifted = CustodyEvent.objects.filter(vial__bank=cell_bank, kind="status", to_status="available")
    assert lifted.count() == 4 and all("Disposition of the excursion" in e.note for e in lifted)
    event = QcEvent.objects.get(bank=cell_bank, kind=QcEvent.Kind.EXCURSION)
    assert "Release from quarantine: 4 vial(s)" in event.note
    assert not selectors.open_excursions(users["qa_manager"]).exists()


def test_a_vial_decided_otherwise_is_destroyed_and_leaves_its_position(users, cell_bank, excursion):
    first, second, *rest = cell_bank.vials.order_by("barcode")
    decide(
        users,
        excursion,
        decision="release",
        decisions={first.barcode: "destroy", second.barcode: "keep"},
    )
    now = statuses(cell_bank)
    assert now[first.barcode] == VialStatus.DESTROYED
    assert Vial.objects.get(pk=first.pk).container_id is None
    assert now[second.barcode] == VialStatus.QUARANTINED
    assert {now[v.barcode] for v in rest} == {VialStatus.AVAILABLE}


def test_every_vial_in_stock_needs_a_decision(users, cell_bank, excursion):
    first = cell_bank.vials.order_by("barcode").first()
    with pytest.raises(InvalidInput) as refused:
        decide(users, excursion, decisions={first.barcode: "release"})
    assert len(refused.value.fields) == 3
    assert all(key.startswith("decisions[") for key in refused.value.fields)
    assert f"decisions[{first.barcode}]" not in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        decide(users, excursion, decision="thaw")
    assert "decision" in refused.value.fields
    assert set(statuses(cell_bank).values()) == {VialStatus.QUARANTINED}
    assert not ExcursionReview.objects.exists()


def test_a_vial_gone_before_the_decision_needs_none(users, cell_bank, excursion):
    gone = cell_bank.vials.order_by("barcode").first()
    Vial.objects.filter(pk=gone.pk).update(status=VialStatus.USED_FOR_QC, container=None, row=None,
                                           column=None)  # fmt: skip
    review = decide(users, excursion, decision="keep")
    decision = ExcursionVialDecision.objects.get(review=review, flagged__vial=gone)
    assert (decision.decision, decision.status_after) == ("", VialStatus.USED_FOR_QC)


def test_the_assessment_the_password_and_the_role_are_required(users, cell_bank, excursion):
    with pytest.raises(InvalidInput) as refused:
        decide(users, excursion, decision="release", impact_assessment="  ")
    assert list(refused.value.fields) == ["impact_assessment"]
    with pytest.raises(Forbidden) as wrong:
        decide(users, excursion, decision="release", password="guess")
    assert "password" in wrong.value.fields
    with pytest.raises(Forbidden):
        decide(users, excursion, who="bank_technician", decision="release")
    with pytest.raises(Forbidden):
        decide(users, excursion, who="other_qa", decision="release")
    assert set(statuses(cell_bank).values()) == {VialStatus.QUARANTINED}
    assert not Signature.objects.exists()


def test_an_excursion_is_decided_once(users, excursion):
    decide(users, excursion, decision="keep")
    with pytest.raises(Conflict):
        decide(users, excursion, decision="release")


def test_a_release_leaves_the_excursions_vials_quarantined_until_qa_decides(
    users, cell_bank, excursion
):
    pass_everything(users["bank_technician"], cell_bank)
    assert selectors.vials_held_by_open_excursions(cell_bank) == 4
    services.bank_release(actor=users["qa_manager"], bank=cell_bank, password=PASSWORD)
    assert set(statuses(cell_bank).values()) == {VialStatus.QUARANTINED}
    decide(users, excursion, decision="release")
    assert set(statuses(cell_bank).values()) == {VialStatus.AVAILABLE}
    assert selectors.vials_held_by_open_excursions(cell_bank) == 0


def test_qa_decides_on_the_page_and_the_page_shows_the_signature(
    users, cell_bank, excursion, client_for
):
    qa = client_for("qa_manager")
    url = f"/quality/excursions/{excursion.pk}/"
    page = qa.get(url).content.decode()
    assert 'id="decide"' in page and "Awaiting decision" in page
    first = cell_bank.vials.order_by("barcode").first()
    answer = qa.post(
        f"{url}decide/",
        {"impact_assessment": "", "decision": "release", f"decision-{first.barcode}": "destroy",
         "password": PASSWORD},
    )  # fmt: skip
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "<strong>Impact assessment</strong>" in page and 'aria-invalid="true"' in page
    assert '<option value="destroy" selected>' in page  # the choices are kept
    answer = qa.post(
        f"{url}decide/",
        {"impact_assessment": ASSESSMENT, "decision": "release",
         f"decision-{first.barcode}": "destroy", "password": PASSWORD},
    )  # fmt: skip
    assert answer.status_code == 302 and answer["location"] == url
    page = qa.get(url).content.decode()
    assert "Decided" in page and ExcursionReview.objects.get().signature.record_hash in page
    assert 'id="decide"' not in page
    assert statuses(cell_bank)[first.barcode] == VialStatus.DESTROYED


def test_a_technician_sees_the_excursion_without_the_form(users, excursion, client_for):
    page = client_for("bank_technician").get(f"/quality/excursions/{excursion.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="decide"' not in html
    assert "A QA manager reviews this excursion" in html
    listed = client_for("bank_technician").get("/quality/excursions/").content.decode()
    assert f'href="/quality/excursions/{excursion.pk}/"' in listed and "Awaiting decision" in listed


def test_the_api_decides_and_names_a_missing_assessment(users, cell_bank, excursion, client_for):
    qa = client_for("qa_manager")
    url = f"/api/v1/quality/excursions/{excursion.pk}/decision"
    bad = qa.post(
        url,
        data=json.dumps({"impact_assessment": "", "password": PASSWORD, "decision": "keep"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and list(bad.json()["error"]["fields"]) == ["impact_assessment"]
    good = qa.post(
        url,
        data=json.dumps(
            {"impact_assessment": ASSESSMENT, "password": PASSWORD, "decision": "keep"}
        ),
        content_type="application/json",
    )
    assert good.status_code == 201
    body = good.json()
    assert body["decided"] and {v["decision"] for v in body["vials"]} == {"keep"}
    listed = qa.get("/api/v1/quality/excursions?awaiting=true").json()
    assert listed == []
