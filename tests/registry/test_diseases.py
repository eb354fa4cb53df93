"""Disease spellings folded to one ontology term: "Parkinson disease", "Parkinson's disease"
and "parkinsons" are one disease with one id, and the catalogue's disease facet one value."""

import json

import pytest

from stemhub.catalogue.models import FacetValue
from stemhub.registry import services
from stemhub.registry.diseases import disease_key, find_term, fold_disease
from stemhub.registry.models import DonorDisease
from tests.catalogue.lines import make
from tests.registry.lines import publishable

pytestmark = pytest.mark.django_db

SPELLINGS = ["Parkinson disease", "Parkinson's disease", "parkinsons", "PARKINSON’S DISEASE",
             "Parkinsons disease"]  # fmt: skip


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_names_one_term(spelling):
    term = find_term(label=spelling)
    assert (term.label, term.ontology, term.term_id) == (
        "Parkinson's disease",
        "DOID",
        "DOID:14330",
    )


def test_ids_of_other_ontologies_name_the_same_term():
    assert find_term(term_id="C26845").term_id == "DOID:14330"  # NCIt, as Cellosaurus gives it
    assert find_term(term_id="efo_0000249").label == "Alzheimer's disease"
    assert find_term(label="Melanoma") is None


def test_normalisation_ignores_case_punctuation_and_british_spelling():
    assert disease_key("Sickle-cell  anaemia") == disease_key("sickle cell anemia")
    assert find_term(label="Age related macular degeneration").term_id == "DOID:10871"


def test_a_row_without_an_id_gets_the_terms_id_and_a_given_id_is_kept():
    assert fold_disease({"label": "parkinsons"}) == {
        "label": "Parkinson's disease",
        "ontology": "DOID",
        "term_id": "DOID:14330",
    }
    kept = fold_disease({"ontology": "NCIt", "term_id": "C26845", "label": "Parkinson disease"})
    assert (kept["ontology"], kept["term_id"], kept["label"]) == (
        "NCIt",
        "C26845",
        "Parkinson's disease",
    )
    unknown = {"ontology": "NCIt", "term_id": "C3224", "label": "Melanoma"}
    assert fold_disease(unknown) == unknown


def test_three_spellings_make_one_facet_value_with_its_id(users):
    curator = users["curator"]
    for n, spelling in enumerate(["Parkinson disease", "Parkinson's disease", "parkinsons"]):
        make(curator, f"NSCBi00{n + 1}-A", disease={"label": spelling})
    stored = set(DonorDisease.objects.values_list("ontology", "term_id", "label"))
    assert stored == {("DOID", "DOID:14330", "Parkinson's disease")}
    values = set(FacetValue.objects.filter(facet="disease").values_list("value", flat=True))
    assert values == {"Parkinson's disease"}


def test_two_spellings_on_one_donor_are_one_row(users):
    donor = {"code": "D-9", "diseases": [{"label": "parkinsons"}, {"label": "Parkinson disease"}]}
    line = services.cell_line_create(actor=users["curator"], data=publishable(donor=donor))
    assert line.donor.diseases.count() == 1


def test_an_unknown_disease_without_an_id_is_refused_naming_the_field(client_for):
    data = publishable(donor={"code": "D-1", "diseases": [{"label": "Dragon pox"}]})
    answer = client_for("curator").post(
        "/api/v1/cell-lines", json.dumps(data), content_type="application/json"
    )
    assert answer.status_code == 400
    assert "donor.diseases[0].term_id" in answer.json()["error"]["fields"]
