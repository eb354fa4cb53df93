"""Three journeys of a person who reads only Chinese, on the demo as `make run` serves it, with
a browser that asks for Chinese: a visitor searches the public catalogue by a line's Chinese
name, a researcher requests a line and signs the licence, a coordinator searches cord blood for
a patient and reserves a unit.

Every label the test clicks is looked up in the Chinese catalogue (`zh`), which fails when the
word has no translation, so the test reads the page as the Chinese reader does.

Set STEMHUB_SCREENSHOTS=/some/dir to keep a screenshot of each journey's last page.
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.demo_site import DEMO_PASSWORD
from tests.browser.test_curator_publishes import screenshot

pytestmark = pytest.mark.browser


def zh(english: str, context: str | None = None) -> str:
    """The Chinese the interface shows for `english`; fails when it has none."""
    with translation.override("zh-hans"):
        chinese = (
            translation.pgettext(context, english) if context else translation.gettext(english)
        )
    assert chinese != english, f"{english!r} has no Chinese translation"
    return chinese


def chinese_page(browser, demo):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{demo.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    return page


def log_in(page, username: str) -> None:
    page.get_by_role("link", name=zh("Log in")).click()
    page.get_by_label(zh("Username")).fill(username)
    page.get_by_label(zh("Password")).fill(DEMO_PASSWORD)
    page.locator("#main").get_by_role("button", name=zh("Log in")).click()
    expect(page.get_by_role("navigation", name=zh("Main"))).to_be_visible()


def menu(page):
    return page.get_by_role("navigation", name=zh("Main"))


def test_a_visitor_finds_a_line_by_part_of_its_chinese_name(browser, demo):
    line, chinese_name = (
        demo.command(
            "shell",
            "-c",
            "from stemhub.registry.models import CellLine; "
            "line = CellLine.objects.filter(status='published').exclude(name_zh='')"
            ".order_by('name').last(); print(line.name, line.name_zh)",
        )
        .splitlines()[-1]
        .split(" ", 1)
    )
    part = chinese_name[2:6]  # any part of the name finds it
    page = chinese_page(browser, demo)
    page.get_by_role("navigation", name=zh("Main")).get_by_role(
        "link", name=zh("Cell lines")
    ).click()
    page.get_by_label(zh("Name, synonym, disease or gene")).fill(part)
    page.keyboard.press("Enter")
    results = page.locator(".result")
    expect(results.filter(has_text=line)).to_have_count(1)
    expect(results.filter(has_text=line)).to_contain_text(chinese_name)
    results.filter(has_text=line).get_by_role("link", name=line).first.click()
    expect(page.get_by_role("heading", name=line)).to_be_visible()
    expect(page.locator("main")).to_contain_text(chinese_name)
    screenshot(page, "zh-catalogue-line")


def test_a_researcher_requests_a_line_in_chinese(browser, demo):
    line = "NSRBe010-A"  # requestable, with no request yet in the demo
    page = chinese_page(browser, demo)
    log_in(page, "researcher")
    menu(page).get_by_role("link", name=zh("Cell lines")).click()
    page.get_by_label(zh("Name, synonym, disease or gene")).fill(line)
    page.keyboard.press("Enter")  # an exact name opens the line
    expect(page.get_by_role("heading", name=line, exact=True)).to_be_visible()
    page.get_by_role("link", name=zh("Request this line")).click()

    page.get_by_label(zh("Project title")).fill("共培养中星形胶质细胞的反应性")
    page.get_by_label(zh("Project summary")).fill("由该细胞系分化的星形胶质细胞与神经元共培养。")
    page.get_by_label(zh("Ethics approval reference")).fill("伦审 2026-077")
    page.get_by_label(zh("Number of vials")).fill("1")
    accept = zh("I accept the licence terms, version %(number)s, for this project")
    page.get_by_label(accept.split("%(number)s")[0].strip()).check()
    page.get_by_label(zh("Your password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=zh("Sign and submit request")).click()
    expect(page.locator("#request-status")).to_have_text(zh("Submitted"))

    menu(page).get_by_role("link", name=zh("My requests")).click()
    row = page.locator("tr", has_text="共培养中星形胶质细胞的反应性")
    expect(row).to_contain_text(line)
    expect(row).to_contain_text(zh("Submitted"))
    screenshot(page, "zh-my-requests")


def test_a_coordinator_searches_and_reserves_a_cord_unit_in_chinese(browser, demo):
    patient = "UH-2406"
    page = chinese_page(browser, demo)
    log_in(page, "coordinator")
    page.locator("#queue-cord_patients").get_by_role("link", name=patient).click()
    page.get_by_label(zh("At least this many matches")).select_option("6")
    page.locator("main").get_by_role(
        "button", name=zh("Search", "run a donor search"), exact=True
    ).click()

    best = page.locator("#results-cord tbody tr").first
    expect(best.locator(".match-total")).to_have_text("8/8")
    expect(best.locator(".dose:not(.odds)").first).to_contain_text("× 10⁷")
    expect(best.locator("td.odds")).to_contain_text("%")  # P(10/10) and P(8/8) beside it
    unit = best.locator(".unit-cell a").inner_text()
    best.locator("form button").first.click()
    expect(page.locator(".messages")).to_contain_text(patient)
    expect(page.locator("#patient-reservations")).to_contain_text(unit)
    assert not re.search(r"\b(reserved|Reserve|Search results)\b", page.inner_text("main"))
    screenshot(page, "zh-cord-reserved")
