"""The public catalogue: ranked search, facet filters and counts, type-ahead."""

import pytest

from stemhub.catalogue.models import CatalogueEntry
from stemhub.catalogue.services import catalogue_rebuild
from stemhub.registry import services


def names(answer):
    return [item["name"] for item in answer.json()["items"]]


def facet(answer, name):
    return {c["value"]: c["count"] for c in answer.json()["facets"][name]}


def test_only_published_lines_are_in_the_catalogue(lines, client):
    answer = client.get("/api/v1/cell-lines", {"sort": "name"})
    assert answer.status_code == 200
    assert answer.json()["count"] == 5
    assert "NSCBi009-A" not in names(answer)


def test_a_disease_name_finds_its_lines_ranked_and_counted(lines, client):
    answer = client.get("/api/v1/cell-lines", {"q": "parkinson"})
    assert sorted(names(answer)) == ["NSCBi001-A", "NSCBi001-A-1", "NSCBi001-B"]
    assert facet(answer, "sex") == {"female": 2, "male": 1}
    assert facet(answer, "modified") == {"yes": 1, "no": 2}


def test_a_synonym_ranks_its_line_first(lines, client):
    answer = client.get("/api/v1/cell-lines", {"q": "PD-1"})
    assert names(answer)[0] == "NSCBi001-A"


def test_a_gene_finds_the_modified_subclone(lines, client):
    assert names(client.get("/api/v1/cell-lines", {"q": "snca"})) == ["NSCBi001-A-1"]


def test_two_facets_narrow_and_each_keeps_its_own_alternatives(lines, client):
    answer = client.get(
        "/api/v1/cell-lines", {"disease": "Parkinson's disease", "sex": "female", "sort": "name"}
    )
    assert names(answer) == ["NSCBi001-A", "NSCBi001-A-1"]
    # The selected sex facet still shows the male count within Parkinson's disease.
    assert facet(answer, "sex") == {"female": 2, "male": 1}
    # The disease facet is counted within female donors.
    assert facet(answer, "disease") == {
        "Parkinson's disease": 2,
        "Alzheimer's disease": 1,
        "Healthy donor": 1,
    }
    selected = [c for c in answer.json()["facets"]["sex"] if c["selected"]]
    assert [c["value"] for c in selected] == ["female"]


def test_values_of_one_facet_combine_with_or(lines, client):
    answer = client.get("/api/v1/cell-lines", {"type": ["hESC", "hiPSC"]})
    assert answer.json()["count"] == 5
    only_esc = client.get("/api/v1/cell-lines", {"type": "hESC"})
    assert names(only_esc) == ["NSCBe003-A"]


def test_data_facets_show_what_characterisation_exists(lines, client):
    answer = client.get("/api/v1/cell-lines")
    assert facet(answer, "data") == {"STR profile": 1, "Karyotype": 1}
    assert names(client.get("/api/v1/cell-lines", {"data": "STR profile"})) == ["NSCBi002-A"]


@pytest.mark.parametrize(
    ("params", "field", "status"),
    [
        ({"type": "hXSC"}, "type", 400),
        ({"sort": "colour"}, "sort", 400),
        # Bounds the schema declares: refused as not matching it.
        ({"limit": 0}, "limit", 400),
        ({"offset": -1}, "offset", 400),
    ],
)
def test_a_bad_query_is_named(lines, client, params, field, status):
    answer = client.get("/api/v1/cell-lines", params)
    assert answer.status_code == status
    assert field in answer.json()["error"]["fields"]


def test_paging_and_sorting(lines, client):
    first = client.get("/api/v1/cell-lines", {"sort": "name", "limit": 2})
    second = client.get("/api/v1/cell-lines", {"sort": "name", "limit": 2, "offset": 2})
    assert names(first) == ["NSCBe003-A", "NSCBi001-A"]
    assert names(second) == ["NSCBi001-A-1", "NSCBi001-B"]
    assert first.json()["count"] == second.json()["count"] == 5


def test_type_ahead_offers_names_synonyms_and_diseases(lines, client):
    by_name = client.get("/api/v1/catalogue/suggest", {"q": "nscbi00"}).json()
    assert [s["value"] for s in by_name][:2] == ["NSCBi001-A", "NSCBi001-A-1"]
    by_synonym = client.get("/api/v1/catalogue/suggest", {"q": "pd-"}).json()
    assert by_synonym[0] == {"kind": "line", "value": "NSCBi001-A", "label": "NSCBi001-A (pd-1)"}
    by_disease = client.get("/api/v1/catalogue/suggest", {"q": "alz"}).json()
    assert by_disease == [
        {"kind": "disease", "value": "Alzheimer's disease", "label": "Alzheimer's disease"}
    ]


def test_recall_updates_the_catalogue_at_once(lines, users, client):
    from stemhub.registry.models import CellLine

    line = CellLine.objects.get(name="NSCBi002-A")
    services.cell_line_set_availability(
        actor=users["qa_manager"], line=line, availability="recalled", reason="Contamination"
    )
    assert facet(client.get("/api/v1/cell-lines", {"q": "NSCBi002-A"}), "availability") == {
        "recalled": 1
    }


def test_a_rebuild_gives_the_same_index(lines):
    before = sorted(CatalogueEntry.objects.values_list("name", "search_text"))
    assert catalogue_rebuild() == 5
    assert sorted(CatalogueEntry.objects.values_list("name", "search_text")) == before


def test_a_search_costs_a_bounded_number_of_queries(lines, client, django_assert_max_num_queries):
    params = {"q": "parkinson", "disease": "Parkinson's disease", "sex": "female"}
    client.get("/api/v1/cell-lines")  # loads this process's facet index once
    # The state token, the text match, the page of entries; facets are counted in memory.
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/cell-lines", params).json()["count"] == 2


def test_the_whole_catalogue_downloads_as_csv_and_json(lines, client):
    import csv
    import io
    import json

    answer = client.get("/catalogue.csv")
    assert answer.status_code == 200
    assert answer.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))
    assert [r["name"] for r in rows] == [
        "NSCBe003-A",
        "NSCBi001-A",
        "NSCBi001-A-1",
        "NSCBi001-B",
        "NSCBi002-A",
    ]
    subclone = rows[2]
    assert subclone["modified_genes"] == "SNCA"
    assert subclone["diseases"] == "Parkinson's disease"
    assert subclone["genetically_modified"] == "yes"
    assert subclone["url"].endswith("/lines/NSCBi001-A-1/")

    as_json = client.get("/catalogue.json")
    records = json.loads(b"".join(as_json.streaming_content))
    assert [r["name"] for r in records] == [r["name"] for r in rows]
    assert records[1]["synonyms"] == ["PD-1"]
