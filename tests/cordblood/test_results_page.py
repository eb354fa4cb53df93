"""Search results a coordinator reads at a glance: per locus a tone and a word (match, potential,
mismatch, not typed) with the grade and confidence on hover, DPB1 permissiveness, doses per kg
with the unit's totals, flags and ABO as words — never a raw code."""

import re

import pytest
from django.test import Client

from stemhub.cordblood import display, services
from stemhub.cordblood.models import SavedSearch
from stemhub.cordblood.search import SearchRequest
from tests.cordblood.conftest import unit_row, upload
from tests.cordblood.test_search import make_patient

pytestmark = pytest.mark.django_db

CODES = (
    "double_unit_eligible",
    "single_unit_adequate",
    "hla_c_mismatch",
    "no_attached_segment",
    "too_many_mismatches",
    "below_non_malignant_threshold",
    "p_group",
    "non_permissive",
    "bidirectional",
)


def test_a_fully_typed_allele_match_is_green_and_says_so():
    cell = display.locus_cell(
        "A", {"count": 2, "grades": ["gdna", "protein"], "confidences": ["definite", "exact"]}
    )
    assert (cell.tone, cell.label, cell.count, cell.grades) == ("match", "Match", "2/2", "allele")
    assert "position 1: the same allele to the full name (genomic DNA); definite" in cell.title


def test_a_serology_or_ambiguous_match_is_amber():
    serology = display.locus_cell(
        "B", {"count": 2, "grades": ["split", "split"], "confidences": ["exact", "exact"]}
    )
    assert (serology.tone, serology.label, serology.grades) == (
        "potential",
        "Potential match",
        "serology",
    )
    ambiguous = display.locus_cell(
        "C", {"count": 2, "grades": ["p_group", "p_group"], "confidences": ["potential"] * 2}
    )
    assert (ambiguous.tone, ambiguous.grades) == ("potential", "P group")


def test_a_mismatch_is_red_and_an_untyped_locus_grey():
    mismatch = display.locus_cell(
        "DRB1", {"count": 1, "grades": ["protein", "mismatch"], "confidences": ["definite"] * 2}
    )
    assert (mismatch.tone, mismatch.label, mismatch.grades) == ("mismatch", "1 mismatch", "allele")
    untyped = display.locus_cell("DQB1", {"count": None, "grades": [], "confidences": []})
    assert (untyped.tone, untyped.label, untyped.count) == ("untyped", "Not typed", "–")


def test_dpb1_says_whether_its_mismatch_is_permissive():
    permissive = display.locus_cell(
        "DPB1",
        {"count": 1, "grades": ["protein", "mismatch"], "confidences": ["definite"] * 2,
         "dpb1": "permissive"},
    )  # fmt: skip
    assert (permissive.tone, permissive.label) == ("potential", "permissive")
    gvh = display.locus_cell(
        "DPB1",
        {"count": 0, "grades": ["mismatch"] * 2, "confidences": ["mismatch"] * 2,
         "dpb1": "non_permissive_gvh"},
    )  # fmt: skip
    assert (gvh.tone, gvh.label) == ("mismatch", "non-permissive (GvH)")
    assert "graft-versus-host direction" in gvh.title


def test_flags_are_words_with_their_reason_and_good_ones_first():
    flags = display.flags_of(
        {
            "single_unit_adequate": True,
            "double_unit_eligible": True,
            "hla_c_mismatch": True,
            "no_attached_segment": False,
        }
    )
    assert [(f.label, f.good) for f in flags] == [
        ("Single-unit dose", True),
        ("HLA-C mismatch", False),
    ]
    assert "HLA-C mismatches" in flags[1].title


def test_abo_is_written_plainly():
    assert display.abo_text("O", "+") == "O Rh+"
    assert display.abo_text("AB", "-") == "AB Rh−"
    assert display.abo_text("A", "") == "A" and display.abo_text("", "+") == ""
    assert display.abo_compatibility_words("minor")[0] == "ABO minor incompatible"


@pytest.fixture
def results(people, cord_bank):
    upload(
        people["tech"],
        cord_bank,
        [
            unit_row("SAME", 1, tnc=150, cd34=5, abo="O", rh="+"),
            unit_row(
                "SERO",
                2,
                tnc=90,
                cd34="",
                abo="A",
                rh="-",
                hla_a="A2+A1",
                hla_c="",
                attached_segment="no",
            ),
        ],
    )
    patient = make_patient(people, abo="A", rh="+")
    saved, _ = services.search_run(
        actor=people["coordinator"], patient=patient, request=SearchRequest()
    )
    client = Client()
    client.force_login(people["coordinator"])
    return client.get(f"/cord/patients/searches/{saved.pk}/")


def test_the_results_page_reads_as_words_and_units(results):
    body = results.content.decode()
    assert results.status_code == 200
    for code in CODES:
        assert code not in body, code
    # SAME: TNC 150 × 10^7 for 20 kg = 7.50 × 10^7/kg, 150 × 10^7 in all; CD34+ 5 × 10^6 → 2.50.
    same = re.search(r'<tr id="result-\d+">(.*?)</tr>', body, re.S).group(1)
    assert "7.50" in same and "150.0 × 10⁷" in same and "2.50" in same and "5.0 × 10⁶" in same
    assert "O Rh+" in same and "ABO minor incompatible" in same
    assert same.count("tone-match") == 5 and "Not typed" in same  # A..DQB1; DPB1 untyped
    assert 'title="TNC and CD34+ per kg reach' in same


def test_a_low_resolution_unit_shows_amber_grey_and_its_flags(results):
    body = results.content.decode()
    rows = re.findall(r'<tr id="result-\d+">(.*?)</tr>', body, re.S)
    sero = rows[1]
    assert 'data-locus="A"><span class="hla tone-potential"' in sero  # A2+A1: serology
    assert 'data-locus="C"><span class="hla tone-untyped"' in sero  # C not typed
    assert "No attached segment" in sero and "A Rh−" in sero and "ABO identical" in sero
    doses = re.findall(r'<td class="dose"[^>]*>(.*?)</td>', sero, re.S)
    assert doses[0].startswith("4.50") and doses[1] == "–"  # 90 × 10^7 / 20 kg; CD34+ unknown


def test_saved_search_keeps_the_counts_it_found(people, results):
    saved = SavedSearch.objects.get()
    # SERO is not typed at C: its two C positions are not counted as matched.
    assert saved.counts == {"cord": {"8/8": 1, "6/8": 1}}
    assert saved.best_match() == ("8/8", 1)


def test_an_untyped_locus_never_counts_toward_the_match_grade(results):
    body = results.content.decode()
    same, sero = re.findall(r'<tr id="result-\d+">(.*?)</tr>', body, re.S)
    grade = re.compile(r'<td class="match-total"[^>]*>(.*?)</td>', re.S)
    assert grade.search(same).group(1) == "8/8"
    assert grade.search(sero).group(1) == '6/8<span class="untyped">C not typed</span>'
    assert "Potential matches: 8/8: 1 · 6/8: 1" in body


def test_adult_donors_show_age_sex_and_cmv_in_words(people, cord_bank):
    upload(
        people["tech"],
        cord_bank,
        [
            unit_row("CB1", 1),
            unit_row(
                "AD1", 0, kind="adult", din="", din_check="", tnc="", age=30, sex="M", cmv="neg"
            ),
        ],
    )
    patient = make_patient(people)
    saved, _ = services.search_run(
        actor=people["coordinator"], patient=patient, request=SearchRequest(donor_type="both")
    )
    client = Client()
    client.force_login(people["coordinator"])
    body = client.get(f"/cord/patients/searches/{saved.pk}/").content.decode()
    adult = body[body.index('id="results-adult"') :]
    assert "Adult volunteer donors" in adult and "AD1" in adult
    assert "30 years" in adult and "Male · CMV negative" in adult
