"""The homozygous lines and cord units that serve a cord blood patient with no host-versus-graft
mismatch at A, B and DRB1, and how likely when the patient's typing is ambiguous."""

import pytest

from tests.haplobank.support import ABDR, H1, H2, H3, PK, chn_set, gl, line, patient, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def holdings(users, bank):
    chn_set(users)
    line(users, "NSCBi001-A", gl(H1, H1), published=True)
    line(users, "NSCBi003-A", gl(H3, H3), published=True)
    unit(bank, "HOM2", gl(H2, H2))


def test_a_patient_is_served_by_the_lines_and_units_of_their_haplotypes(
    users, holdings, client_for
):
    patient(users["search_coordinator"].institution, gl(H1, H2))
    answer = client_for("search_coordinator").get(f"/api/v1/haplobank/patients/{PK}").json()
    assert [(m["holding"]["name"], m["carries"]) for m in answer["matches"]] == [
        ("NSCBi001-A", "yes"),
        ("NSCB/HOM2", "yes"),
    ]
    assert answer["matches"][0]["holding"]["homozygous_for"] == ABDR[H1]
    page = client_for("search_coordinator").get(f"/haplobank/patients/{PK}/").content.decode()
    assert "NSCBi001-A" in page and "NSCB/HOM2" in page and "NSCBi003-A" not in page


def test_an_ambiguous_patient_gets_the_imputed_probability(users, holdings, client_for):
    # Typed at A, B and DRB1 only, A and B ambiguous on one chromosome: {H1,H2} explains it with
    # weight 2·0.5·0.3 = 0.30 and {H3,H2} with 2·0.2·0.3 = 0.12, so the line of H1 serves with
    # P = 0.30 / 0.42 and that of H3 with 0.12 / 0.42; the unit of H2 serves for certain.
    typing = "A*02:07/A*11:01+A*33:03^B*46:01/B*40:01+B*58:01^DRB1*09:01+DRB1*03:01"
    patient(users["search_coordinator"].institution, typing)
    answer = client_for("search_coordinator").get(f"/api/v1/haplobank/patients/{PK}").json()
    found = {m["holding"]["name"]: (m["carries"], m["probability"]) for m in answer["matches"]}
    assert found == {
        "NSCB/HOM2": ("yes", None),
        "NSCBi001-A": ("maybe", pytest.approx(0.30 / 0.42)),
        "NSCBi003-A": ("maybe", pytest.approx(0.12 / 0.42)),
    }
    assert answer["matches"][0]["holding"]["name"] == "NSCB/HOM2"


def test_the_patient_page_links_to_the_holdings(users, holdings, client_for):
    patient(users["search_coordinator"].institution, gl(H1, H2))
    page = client_for("search_coordinator").get(f"/cord/patients/{PK}/").content.decode()
    assert f'href="/haplobank/patients/{PK}/"' in page


def test_another_centre_s_patient_is_not_found(users, holdings, other_bank, client_for):
    patient(other_bank, gl(H1, H2))
    answer = client_for("search_coordinator").get(f"/api/v1/haplobank/patients/{PK}")
    assert answer.status_code == 404
