"""The haplobank plan page, its CSV and API: the engine's figures, the network's homozygous
holdings as each viewer may see them, and bad parameters named."""

import csv
import io

import pytest

from stemhub.cordblood.models import Kind, UnitStatus
from stemhub.haplobank import selectors
from stemhub.hla.haplobank import haplobank_plan, set_frequencies
from stemhub.populations.selectors import engine_set
from tests.haplobank.support import ABDR, H1, H2, H3, chn_set, gl, line, unit

pytestmark = pytest.mark.django_db


def plan_for(user, **asked):
    request = selectors.plan_request(
        population=asked.get("population", "CHN"),
        loci=asked.get("loci"),
        resolution=asked.get("resolution"),
        top=asked.get("top"),
    )
    return selectors.plan(user, request)


def test_the_figures_are_the_engine_s_plan(users):
    loaded = chn_set(users)
    for loci, resolution in ((None, None), ("A,C,B,DRB1,DQB1", "set"), ("A,B", "first_field")):
        found = plan_for(users["curator"], loci=loci, resolution=resolution, top=2)
        wanted = haplobank_plan(
            set_frequencies(
                engine_set(loaded), (loci or "A,B,DRB1").split(","), resolution or "set"
            ),
            top=2,
        )
        assert [row.line for row in found.rows] == wanted
    # Worked by hand at A~B~DRB1: f = 0.5, 0.3, 0.2; the best two serve 1 − (1 − 0.8)² = 0.96.
    rows = plan_for(users["curator"], top=2).rows
    assert [r.line.haplotype for r in rows] == [ABDR[H1], ABDR[H2]]
    assert rows[-1].line.cumulative_coverage == pytest.approx(0.96)


def test_lines_are_held_as_each_viewer_may_see_them(users, bank, other_bank):
    chn_set(users)
    line(users, "NSCBi001-A", gl(H1, H1), published=True)
    line(users, "NSCBi002-A", gl(H2, H2), published=False)
    line(users, "OSBi001-A", gl(H3, H3), published=False, who="other_curator")

    def held(who):
        rows = plan_for(users[who]).rows
        return {r.line.haplotype: [h.label for h in r.lines] for r in rows if r.lines}

    assert held("curator") == {ABDR[H1]: ["NSCBi001-A"], ABDR[H2]: ["NSCBi002-A"]}
    assert held("other_curator") == {ABDR[H1]: ["NSCBi001-A"], ABDR[H3]: ["OSBi001-A"]}
    assert held("search_coordinator") == {ABDR[H1]: ["NSCBi001-A"]}
    assert len(held("platform_admin")) == 3
    found = plan_for(users["search_coordinator"])
    assert found.held_by_lines == pytest.approx(1 - 0.5**2)
    assert [r.line.haplotype for r in found.missing] == [ABDR[H2], ABDR[H3]]


def test_cord_units_in_the_network_are_held_and_ambiguous_ones_possibly(users, bank):
    chn_set(users)
    unit(bank, "HOM", gl(H2, H2))
    unit(bank, "GONE", gl(H1, H1), status=UnitStatus.WITHDRAWN)
    unit(bank, "INFUSED", gl(H1, H1), status=UnitStatus.INFUSED)
    unit(bank, "ADULT", gl(H1, H1), kind=Kind.ADULT)
    unit(bank, "HET", gl(H1, H2))
    unit(bank, "LOW", "A*02+A*02^B*46+B*46^DRB1*09:01+DRB1*09:01")
    found = plan_for(users["search_coordinator"])
    rows = {r.line.haplotype: r for r in found.rows}
    assert [h.label for h in rows[ABDR[H2]].units] == ["NSCB/HOM"]
    assert rows[ABDR[H1]].units == []
    assert [h.label for h in rows[ABDR[H1]].possibly] == ["NSCB/LOW"]
    assert rows[ABDR[H3]].possibly == []
    assert (found.held_by_lines, found.held_with_units) == (0, pytest.approx(1 - 0.7**2))


def test_the_page_shows_the_plan_holdings_curve_and_provenance(users, client_for):
    chn_set(users)
    line(users, "NSCBi001-A", gl(H1, H1), published=True)
    page = client_for("curator").get("/haplobank/?population=CHN&top=3")
    assert page.status_code == 200
    html = page.content.decode()
    assert ABDR[H1] in html and "NSCBi001-A" in html and "hand-made" in html
    assert '<svg class="coverage-chart"' in html and "<desc id=" in html
    assert "75.0 %" in html  # lines held: 1 − (1 − 0.5)²


def test_the_csv_is_the_plan_with_its_exact_header(users, client_for):
    chn_set(users)
    answer = client_for("curator").get("/haplobank/plan.csv?top=2")
    text = answer.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["rank", "haplotype", "frequency", "coverage", "cumulative_coverage"]
    assert rows[1:] == [
        ["1", ABDR[H1], "0.5", "0.75", "0.75"],
        ["2", ABDR[H2], "0.3", "0.51", "0.96"],
    ]


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("loci=A,DPB1", "loci", "give distinct loci of the set CHN v1"),
        ("loci=A,A", "loci", "give distinct loci"),
        ("top=0", "top", "from 1 to 500"),
        ("top=501", "top", "from 1 to 500"),
        ("top=many", "top", "from 1 to 500"),
        ("resolution=g", "resolution", "one of set, first_field"),
    ],
)
def test_bad_parameters_are_named_with_a_400(users, client_for, query, field, words):
    chn_set(users)
    answer = client_for("curator").get(f"/api/v1/haplobank/plan?{query}")
    assert answer.status_code == 400
    error = answer.json()["error"]
    # the schema states the bounds of `top`: the API names the field in the schema's words
    assert field in error["fields"] and (words in error["message"] or field == "top")
    page = client_for("curator").get(f"/haplobank/?{query}")
    assert page.status_code == 400 and words in page.content.decode()


def test_an_unknown_population_is_not_found_and_named(users, client_for):
    chn_set(users)
    answer = client_for("curator").get("/api/v1/haplobank/plan?population=XYZ")
    assert answer.status_code == 404
    assert "no population XYZ (known: CHN)" in answer.json()["error"]["message"]
    page = client_for("curator").get("/haplobank/?population=XYZ")
    assert page.status_code == 404 and "no population XYZ" in page.content.decode()


def test_the_api_answers_the_plan_with_its_set_and_holdings(users, client_for):
    loaded = chn_set(users)
    line(users, "NSCBi001-A", gl(H1, H1), published=True)
    answer = client_for("curator").get("/api/v1/haplobank/plan?population=chn&top=1").json()
    assert answer["frequency_set"]["id"] == loaded.pk and answer["loci"] == ["A", "B", "DRB1"]
    assert answer["coverage"] == pytest.approx(0.75)
    [first] = answer["lines"]
    assert first["haplotype"] == ABDR[H1]
    assert [h["name"] for h in first["lines"]] == ["NSCBi001-A"]


def test_without_a_set_the_page_says_who_loads_one(users, client_for):
    from stemhub.populations.services import population_create

    population_create(actor=users["platform_admin"], code="EUR", name="European")
    page = client_for("curator").get("/haplobank/").content.decode()
    assert "has no haplotype frequency set loaded yet" in page
    assert "A platform admin loads one under Haplotype frequencies" in page
    assert client_for("curator").get("/api/v1/haplobank/plan").status_code == 404
    empty = client_for("curator").get("/haplobank/")
    assert empty.status_code == 200
