"""The staff STR search page: who may use it, the results table (scores derived by hand from
Tanabe's formula), errors that name the bad token or parameter, and the per-process index that
is rebuilt when the profiles change."""

import re

import pytest

from stemhub.accounts.models import Institution
from stemhub.exchange.models import StrReference
from stemhub.quality import views_public
from stemhub.registry import services as registry
from stemhub.registry.models import CellLine
from tests.quality.public_cases import PROFILE
from tests.registry.lines import publishable

pytestmark = pytest.mark.urls("tests.quality.public_cases")

TD = r"<td[^>]*>(.*?)</td>"
QUERY = ";".join(f"{locus}:{','.join(alleles)}" for locus, alleles in PROFILE.items())


@pytest.fixture(autouse=True)
def fresh_index(monkeypatch):
    monkeypatch.setattr(views_public, "_cached", None)


def library(accession: str, name: str, profile: dict[str, list[str]], **alternatives) -> None:
    loci = {locus: [alleles] for locus, alleles in profile.items()}
    for locus, variants in alternatives.items():
        loci[locus] = variants
    StrReference.objects.create(
        accession=accession,
        name=name,
        species="Homo sapiens",
        category="Induced pluripotent stem cell",
        profile=loci,
    )


def with_change(locus: str, alleles: list[str]) -> dict[str, list[str]]:
    return {**PROFILE, locus: alleles}


def search(client, **data):
    return client.post("/str/", {"profile": QUERY, **data})


@pytest.fixture
def profiles(users):
    # Identical: 16 of 16 alleles shared on 8 STR loci → Tanabe 2·16/(16+16) = 100.00.
    library("CVCL_AA01", "Same-1", PROFILE)
    # One allele differs (CSF1PO 11,12 → 11,13): 2·15/(16+16) = 93.75.
    library("CVCL_AA02", "Close-2", with_change("CSF1PO", ["11", "13"]))
    # Five loci differ by one allele each: 2·11/32 = 68.75, above the 60 % filter, "different".
    far = PROFILE
    for locus in ("CSF1PO", "D13S317", "D16S539", "D5S818", "D7S820"):
        far = {**far, locus: [far[locus][0], "99"]}
    library("CVCL_AA03", "Far-3", far)
    # Sources disagree at TH01: [6,9.3] scores 100.00, [7,9.3] scores 2·15/32 = 93.75.
    library("CVCL_AA04", "Split-4", PROFILE, TH01=[["6", "9.3"], ["7", "9.3"]])
    # Another institution's draft line with the same profile as the query.
    line = registry.cell_line_create(actor=users["other_curator"], data=publishable("OSBi001-A"))
    assert line.institution == Institution.objects.get(provider_code="OSB")
    CellLine.objects.filter(pk=line.pk).update(str_profile=PROFILE)


def cells(page: str) -> list[list[str]]:
    """The results table as rows of cell texts."""
    body = page.split('id="str-results"', 1)[1].split("<tbody>", 1)[1].split("</tbody>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        ]
        for r in rows
    ]


def test_anonymous_visitors_are_sent_to_log_in(client):
    answer = client.get("/str/")
    assert answer.status_code == 302 and answer["location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["researcher", "curator", "institution_admin"])
def test_staff_without_quality_record_are_refused(role, client_for):
    assert client_for(role).get("/str/").status_code == 403


def test_the_form_shows_clastr_defaults(client_for):
    page = client_for("bank_technician").get("/str/").content.decode()
    assert 'name="min_markers" min="0" max="100" step="1" value="8"' in page
    assert 'name="score_filter" min="0" max="100" step="any" value="60"' in page
    assert 'name="max_results" min="1" max="10000" step="1" value="200"' in page
    assert '<option value="tanabe" selected>' in page


def test_results_come_best_first_with_hand_computed_scores(profiles, client_for):
    answer = search(client_for("bank_technician"))
    assert answer.status_code == 200
    rows = cells(answer.content.decode())
    assert rows == [
        ["CVCL_AA01", "Same-1", "8", "100.00 %", "one profile", "same line"],
        ["CVCL_AA04", "Split-4", "8", "100.00 %", "best of its sources", "same line"],
        ["CVCL_AA04", "Split-4", "8", "93.75 %", "worst of its sources", "same line"],
        [
            "hidden",
            "Unpublished line of another institution",
            "8",
            "100.00 %",
            "one profile",
            "same line",
        ],
        ["CVCL_AA02", "Close-2", "8", "93.75 %", "one profile", "same line"],
        ["CVCL_AA03", "Far-3", "8", "68.75 %", "one profile", "different line"],
    ]


def test_another_institutions_draft_line_is_named_to_its_own_staff_and_platform_admins(
    profiles, client_for
):
    for who in ("other_technician", "platform_admin"):
        page = search(client_for(who)).content.decode()
        assert "OSBi001-A" in page and "Unpublished line of another institution" not in page
    page = search(client_for("bank_technician")).content.decode()
    assert "OSBi001-A" not in page


def test_the_search_parameters_apply(profiles, client_for):
    tech = client_for("bank_technician")
    rows = cells(search(tech, score_filter="95", max_results="1").content.decode())
    assert [row[:2] for row in rows] == [["CVCL_AA01", "Same-1"]]
    # Masters vs query on CSF1PO 11,12 vs 11,13: 15 shared of 16 query alleles = 93.75.
    rows = cells(search(tech, algorithm="masters-query", score_filter="90").content.decode())
    assert ["CVCL_AA02", "Close-2", "8", "93.75 %", "one profile", "same line"] in rows
    # With Amelogenin (X against X) the identical profile scores on 9 markers.
    rows = cells(search(tech, include_amelogenin="on", score_filter="99").content.decode())
    assert rows[0] == ["CVCL_AA01", "Same-1", "9", "100.00 %", "one profile", "same line"]
    # 9 markers minimum: no reference has 9 STR loci (Amelogenin never counts).
    page = search(tech, min_markers="9").content.decode()
    assert "No reference reaches the lowest score shown." in page


def test_a_bad_profile_is_400_naming_the_token(client_for):
    answer = client_for("bank_technician").post("/str/", {"profile": "TH01:6,abc;TPOX:8"})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "&#x27;abc&#x27;" in page or "'abc'" in page
    assert "TH01:6,abc;TPOX:8" in page  # the input is kept for correction


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("score_filter", "150", "score filter"),
        ("min_markers", "eight", "min markers"),
        ("max_results", "0", "max results"),
        ("algorithm", "jaccard", "algorithm"),
        ("mode", "everything", "mode"),
    ],
)
def test_a_bad_parameter_is_400_naming_it(field, value, said, client_for):
    answer = search(client_for("bank_technician"), **{field: value})
    assert answer.status_code == 400
    assert said in answer.content.decode()


def test_the_index_is_built_once_and_rebuilt_when_profiles_change(
    profiles, client_for, monkeypatch
):
    builds = []
    real = views_public.str_index_from_database

    def counting():
        builds.append(1)
        return real()

    monkeypatch.setattr(views_public, "str_index_from_database", counting)
    tech = client_for("bank_technician")
    search(tech)
    search(tech)
    assert len(builds) == 1
    library("CVCL_AA05", "New-5", PROFILE)
    page = search(tech).content.decode()
    assert len(builds) == 2 and "CVCL_AA05" in page
    StrReference.objects.filter(accession="CVCL_AA05").delete()
    page = search(tech).content.decode()
    assert len(builds) == 3 and "CVCL_AA05" not in page


def test_the_page_explains_the_score_and_offers_an_example_that_finds_a_line(users, client_for):
    line = registry.cell_line_create(actor=users["curator"], data=publishable("NSCBi042-A"))
    CellLine.objects.filter(pk=line.pk).update(str_profile=PROFILE)
    client = client_for("bank_technician")
    page = client.get("/str/").content.decode()
    assert "90 % or more: the same line" in page and "Masters" in page
    assert "Example, the profile of NSCBi042-A" in page
    filled = client.get("/str/?example=1").content.decode()
    example = re.search(r'<textarea id="str-profile"[^>]*>(.*?)</textarea>', filled, re.S)[1]
    assert example
    rows = cells(client.post("/str/", {"profile": example}).content.decode())
    assert ["NSCBi042-A", "NSCBi042-A", "8", "100.00 %", "one profile", "same line"] in rows


def test_an_other_institutions_draft_line_is_never_the_example(users, client_for):
    line = registry.cell_line_create(actor=users["other_curator"], data=publishable("OSBi001-A"))
    CellLine.objects.filter(pk=line.pk).update(str_profile=PROFILE)
    page = client_for("bank_technician").get("/str/?example=1").content.decode()
    assert "OSBi001-A" not in page and 'id="str-example-link"' not in page
