"""The public catalogue's search page at /lines/ and the public line page's URLs and cost."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from stemhub.catalogue import views
from stemhub.catalogue.models import Facet
from tests.catalogue.lines import PARKINSON, make

SLASHED = "090727 LQT3/BrS g1"


def listed(answer) -> list[str]:
    return [item["entry"].name for item in answer.context["entries"]]


def facet_values(answer, name: str) -> dict[str, dict]:
    group = next(g for g in answer.context["facets"] if g["name"] == name)
    return {v["value"]: v for v in group["shown"] + group["more"]}


def counts(answer, name: str) -> dict[str, int]:
    return {value: v["count"] for value, v in facet_values(answer, name).items()}


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_the_page_lists_published_lines_with_every_facet_counted(lines):
    answer = Client().get("/lines/")
    assert answer.status_code == 200
    assert sorted(listed(answer)) == [
        "NSCBe003-A",
        "NSCBi001-A",
        "NSCBi001-A-1",
        "NSCBi001-B",
        "NSCBi002-A",
    ]
    assert [g["name"] for g in answer.context["facets"]] == list(Facet.values)
    assert counts(answer, "type") == {"hiPSC": 4, "hESC": 1}
    assert counts(answer, "sex") == {"female": 4, "male": 1}
    page = answer.content.decode()
    assert "5 lines" in page
    assert '<h3 id="facet-disease">Disease</h3>' in page
    assert 'href="/lines/NSCBi001-A-1/"' in page
    assert 'href="/catalogue.csv"' in page and 'href="/catalogue.json"' in page


def test_two_facets_narrow_the_results(lines):
    answer = Client().get("/lines/", {"disease": "Parkinson's disease", "sex": "female"})
    assert answer.status_code == 200
    assert listed(answer) == ["NSCBi001-A", "NSCBi001-A-1"]
    assert facet_values(answer, "sex")["female"]["selected"]
    assert not facet_values(answer, "sex")["male"]["selected"]
    assert 'aria-current="true"' in answer.content.decode()


def test_a_facet_link_toggles_its_value_and_keeps_the_other_parameters(lines):
    answer = Client().get(
        "/lines/", {"q": "parkinson", "sex": "female", "sort": "name", "page": "1"}
    )
    male = query_of(facet_values(answer, "sex")["male"]["url"])
    assert male == {"q": ["parkinson"], "sex": ["female", "male"], "sort": ["name"]}
    female = query_of(facet_values(answer, "sex")["female"]["url"])
    assert female == {"q": ["parkinson"], "sort": ["name"]}
    modified = query_of(facet_values(answer, "modified")["yes"]["url"])
    assert modified == {
        "q": ["parkinson"],
        "sex": ["female"],
        "sort": ["name"],
        "modified": ["yes"],
    }


def test_selected_filters_are_listed_and_each_can_be_removed(lines):
    answer = Client().get("/lines/", {"disease": "Parkinson's disease", "sex": "female"})
    chips = {a["label"]: query_of(a["url"]) for a in answer.context["active"]}
    assert chips == {
        "Parkinson's disease": {"sex": ["female"]},
        "Female": {"disease": ["Parkinson's disease"]},
    }
    assert query_of(answer.context["clear_url"]) == {}


def test_sorting_and_paging(lines, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    first = Client().get("/lines/", {"sort": "name"})
    assert listed(first) == ["NSCBe003-A", "NSCBi001-A"]
    assert first.context["pages"] == 3
    assert query_of(first.context["next_url"]) == {"sort": ["name"], "page": ["2"]}
    second = Client().get(first.context["next_url"])
    assert listed(second) == ["NSCBi001-A-1", "NSCBi001-B"]
    assert query_of(second.context["previous_url"]) == {"sort": ["name"]}
    by_type = Client().get("/lines/", {"sort": "type"})
    assert listed(by_type)[0] == "NSCBe003-A"  # hESC sorts before hiPSC
    sorts = {s["label"]: s for s in by_type.context["sorts"]}
    assert sorts["Type"]["current"] and not sorts["Name"]["current"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"type": "hXSC"}, "type"),
        ({"sort": "colour"}, "sort"),
        ({"page": "-1"}, "page"),
        ({"page": "two"}, "page"),
        ({"clinical": "maybe"}, "clinical"),
    ],
)
def test_a_bad_parameter_is_a_400_that_names_it(lines, params, parameter):
    answer = Client().get("/lines/", params)
    assert answer.status_code == 400
    page = answer.content.decode()
    assert f"<code>{parameter}</code>" in page
    assert "This search cannot be run" in page


@pytest.mark.parametrize("q", ["NSCBi001-B", "nscbi001-b", "PD-1", " pd-1 "])
def test_an_exact_name_or_synonym_goes_to_the_line(lines, q):
    answer = Client().get("/lines/", {"q": q})
    assert answer.status_code == 302
    assert answer["Location"] == (
        "/lines/NSCBi001-A/" if "pd" in q.lower() else "/lines/NSCBi001-B/"
    )


def test_an_exact_name_with_a_filter_set_stays_a_search(lines):
    answer = Client().get("/lines/", {"q": "PD-1", "sex": "female"})
    assert answer.status_code == 200
    assert listed(answer) == ["NSCBi001-A"]


def test_a_disease_name_lists_its_lines(lines):
    answer = Client().get("/lines/", {"q": "parkinson"})
    assert answer.status_code == 200
    assert sorted(listed(answer)) == ["NSCBi001-A", "NSCBi001-A-1", "NSCBi001-B"]
    page = answer.content.decode()
    assert "3 lines for “parkinson”" in page
    assert "Parkinson&#x27;s disease" in page
    assert "NSCBi009-A" not in page  # not published


def test_text_that_matches_nothing_says_so(lines):
    answer = Client().get("/lines/", {"q": "xyzzy"})
    assert answer.status_code == 200
    assert "No cell line is known as &#x27;xyzzy&#x27;" in answer.content.decode()
    filtered = Client().get("/lines/", {"q": "xyzzy", "sex": "male"})
    assert filtered.status_code == 200
    assert "No published line matches" in filtered.content.decode()


def test_the_page_costs_the_same_queries_whatever_the_catalogue_holds(users, lines):
    def queries(params: dict[str, str]) -> int:
        Client().get("/lines/")  # loads this process's facet index once
        with CaptureQueriesContext(connection) as captured:
            assert Client().get("/lines/", params).status_code == 200
        return len(captured)

    params = {"q": "parkinson", "disease": "Parkinson's disease", "sex": "female"}
    few = (queries({}), queries(params))
    for number in range(10, 16):
        make(users["curator"], f"NSCBi0{number}-A", disease=PARKINSON)
    assert (queries({}), queries(params)) == few
    # The state token, the text match and the page of entries; facets are counted in memory.
    assert few[1] <= 3


def test_htmx_gets_only_the_results_region(lines):
    answer = Client().get(
        "/lines/",
        {"sex": "male"},
        headers={"HX-Request": "true", "HX-Target": "catalogue-results"},
    )
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "<html" not in page
    assert 'id="catalogue-results"' in page
    assert 'id="results-status"' in page and 'hx-swap-oob="true"' in page
    assert listed(answer) == ["NSCBi001-B"]


def test_htmx_is_sent_to_the_line_when_the_text_names_one(lines):
    answer = Client().get(
        "/lines/", {"q": "PD-1"}, headers={"HX-Request": "true", "HX-Target": "catalogue-results"}
    )
    assert answer["HX-Redirect"] == "/lines/NSCBi001-A/"


def test_a_bad_parameter_in_an_htmx_request_is_shown_in_the_region(lines):
    answer = Client().get(
        "/lines/",
        {"sort": "colour"},
        headers={"HX-Request": "true", "HX-Target": "catalogue-results"},
    )
    assert answer.status_code == 400
    assert "<code>sort</code>" in answer.content.decode()
    assert "<html" not in answer.content.decode()


def test_the_home_page_searches_the_catalogue(lines):
    home = Client().get("/").content.decode()
    assert 'action="/lines/"' in home
    assert 'class="typeahead"' in home
    assert 'data-suggest-url="/api/v1/catalogue/suggest"' in home


# The public line page.


def test_a_name_with_a_slash_and_spaces_has_a_working_page_and_link(users):
    make(
        users["curator"],
        SLASHED,
        source="cellosaurus",
        external_accession="CVCL_ZZ99",
        disease=PARKINSON,
    )
    results = Client().get("/lines/", {"q": "parkinson"}).content.decode()
    assert 'href="/lines/090727%20LQT3/BrS%20g1/"' in results
    answer = Client().get("/lines/090727%20LQT3/BrS%20g1/")
    assert answer.status_code == 200
    assert f"<h1>{SLASHED}</h1>" in answer.content.decode()
    assert Client().get("/lines/090727%20lqt3/brs%20G1/")["Location"] == (
        "/lines/090727%20LQT3/BrS%20g1/"
    )


# Beside the record itself: the line's certificates of analysis.
PAGE_EXTRAS = 1


def test_the_public_page_fetches_only_the_related_rows_a_line_has(users, lines):
    def queries(name: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(f"/lines/{name}/").status_code == 200
        return len(captured)

    # The line with its institution, donor and parent, then one query per kind of row it has:
    # providers, markers, differentiations, and karyotypes...
    assert queries("NSCBe003-A") == 5 + PAGE_EXTRAS
    # ...or donor diseases and modifications (with their isogenic controls)...
    assert queries("NSCBi001-A-1") == 6 + PAGE_EXTRAS
    # ...or synonyms, donor diseases and subclones. Kinds a line lacks cost nothing.
    assert queries("NSCBi001-A") == 7 + PAGE_EXTRAS


def test_the_public_page_shows_every_related_row(users):
    make(
        users["curator"],
        "NSCBi001-A",
        disease=PARKINSON,
        synonyms=["PD-1"],
        karyotypes=[{"karyotype": "46,XY", "method": "G-banding"}],
        xrefs=[{"database": "Cellosaurus", "accession": "CVCL_9773"}],
        publications=[{"pmid": "12345678", "title": "A line"}],
    )
    make(users["curator"], "NSCBi001-A-1", parent="NSCBi001-A")
    page = Client().get("/lines/NSCBi001-A/").content.decode()
    for shown in (
        "PD-1",
        "46,XY",
        "CVCL_9773",
        "PMID 12345678",
        "Parkinson&#x27;s disease",
        'href="/lines/NSCBi001-A-1/"',
        "OCT4",
        "National Stem Cell Bank (generator)",
    ):
        assert shown in page, shown


def test_every_bad_parameter_is_named_at_once(lines):
    answer = Client().get("/lines/", {"type": "hXSC", "page": "0"})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "<code>type</code>" in page and "<code>page</code>" in page


def test_a_very_long_search_is_refused_with_a_message_not_cut(lines):
    answer = Client().get("/lines/", {"q": "parkinson " * 40})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Your search is 399 characters long; use at most 200" in page
    assert "Parameter" not in page


def test_the_placeholder_suggests_searches_that_find_lines(lines):
    page = Client().get("/lines/").content.decode()
    examples = Client().get("/lines/").context["examples"]
    assert "PD-1" in examples and "Parkinson's disease" in examples
    assert f'placeholder="e.g. {", ".join(examples)}"'.replace("'", "&#x27;") in page
    for example in examples:
        answer = Client().get("/lines/", {"q": example})
        assert answer.status_code == 302 or answer.context["count"] > 0, example


def test_a_search_that_finds_nothing_links_searches_that_do(lines):
    page = Client().get("/lines/", {"q": "xyzzy"}).content.decode()
    assert 'href="/lines/?q=PD-1"' in page
    assert "browse all lines" in page


def test_the_home_page_search_suggests_searches_that_find_lines(lines):
    page = Client().get("/").content.decode()
    assert "Name, synonym, disease or gene, e.g. " in page
    assert "PD-1" in page and "H9" not in page
