"""An anonymous visitor uses the public catalogue in a real browser.

Set STEMHUB_SCREENSHOTS=/some/dir to keep screenshots of the catalogue at 1280 and 360 px.
"""

import csv
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_curator_publishes import screenshot
from tests.catalogue.lines import ALZHEIMER, PARKINSON, make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lines(users):
    curator = users["curator"]
    make(curator, "NSCBi001-A", disease=PARKINSON, synonyms=["PD-1"])
    make(curator, "NSCBi001-B", disease=PARKINSON, sex="male", vector="episomal")
    make(curator, "NSCBi002-A", disease=ALZHEIMER)
    make(
        curator,
        "NSCBi001-A-1",
        disease=PARKINSON,
        parent="NSCBi001-A",
        modifications=[{"gene": "SNCA", "hgvs": "NM_000345.4:c.209G>A", "kind": "variant"}],
    )
    make(curator, "NSCBi009-A", publish=False, disease=PARKINSON)


def result_names(page: Page) -> list[str]:
    return page.locator(".result h3 a").all_inner_texts()


def test_a_visitor_searches_with_two_facets_opens_a_line_and_downloads_the_csv(
    live_server, browser, lines, tmp_path
):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/lines/")
    expect(page.get_by_role("heading", name="4 lines")).to_be_visible()

    page.evaluate("window.notReloaded = true")
    facets = page.get_by_role("complementary", name="Refine")
    facets.get_by_role("link", name=re.compile(r"^Parkinson's disease 3")).click()
    expect(page).to_have_url(re.compile(r"disease=Parkinson"))
    expect(page.get_by_role("heading", name="3 lines")).to_be_visible()
    facets.get_by_role("link", name=re.compile(r"^Female 2")).click()
    expect(page.get_by_role("heading", name="2 lines")).to_be_visible()
    expect(page).to_have_url(re.compile(r"disease=Parkinson.*sex=female"))
    assert result_names(page) == ["NSCBi001-A", "NSCBi001-A-1"]
    assert page.evaluate("window.notReloaded"), "htmx swaps the results, the page stays"
    selected = facets.locator('a[aria-current="true"]')
    expect(selected).to_have_count(2)
    screenshot(page, "catalogue-1280")

    page.get_by_role("link", name="NSCBi001-A", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/lines/NSCBi001-A/")
    expect(page.get_by_role("heading", name="NSCBi001-A", exact=True)).to_be_visible()

    page.goto(f"{live_server.url}/lines/PD-1/")
    expect(page).to_have_url(f"{live_server.url}/lines/NSCBi001-A/")
    expect(page.locator("#general")).to_contain_text("PD-1")

    page.go_back()
    page.go_back()  # past the line to the filtered results, which htmx put in the history
    expect(page.get_by_role("heading", name="2 lines")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    saved = tmp_path / "catalogue.csv"
    download_info.value.save_as(saved)
    with saved.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:4] == ["name", "synonyms", "type", "species"]
    assert "NSCBi001-A" in [row[0] for row in rows[1:]]
    assert "NSCBi009-A" not in [row[0] for row in rows[1:]]


def test_a_first_time_visitor_finds_a_line_by_a_disease_in_two_clicks(live_server, browser, lines):
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/")
    page.get_by_label("Name, synonym, disease or gene").fill("Parkinson")
    page.get_by_role("button", name="Search").click()  # click 1
    expect(page.get_by_role("heading", name="3 lines for “Parkinson”")).to_be_visible()
    page.get_by_role("link", name="NSCBi001-B", exact=True).click()  # click 2
    expect(page).to_have_url(f"{live_server.url}/lines/NSCBi001-B/")
    expect(page.locator("#donor")).to_contain_text("Parkinson's disease")


def test_the_type_ahead_opens_a_line_or_searches_a_disease(live_server, browser, lines):
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/lines/")
    box = page.get_by_role("combobox", name="Name, synonym, disease or gene")
    box.press_sequentially("pd-")
    option = page.get_by_role("option", name=re.compile(r"NSCBi001-A \(pd-1\)"))
    expect(option).to_be_visible()
    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/lines/NSCBi001-A/")

    page.goto(f"{live_server.url}/")
    page.get_by_role("combobox", name="Name, synonym, disease or gene").press_sequentially("alz")
    page.get_by_role("option", name=re.compile("Alzheimer's disease")).click()
    expect(page.get_by_role("heading", name="1 line")).to_be_visible()
    assert result_names(page) == ["NSCBi002-A"]


def test_the_catalogue_fits_a_360_pixel_screen(live_server, browser, lines):
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    page.goto(f"{live_server.url}/lines/?q=parkinson&sex=female")
    expect(page.get_by_role("heading", name="2 lines for “parkinson”")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The results come before the facets, and the search button stays on screen.
    results = page.locator(".result-list").bounding_box()
    facets = page.locator("#facets").bounding_box()
    assert results and facets and results["y"] < facets["y"]
    button = page.get_by_role("button", name="Search").bounding_box()
    assert button and button["x"] + button["width"] <= 360
    screenshot(page, "catalogue-360")
