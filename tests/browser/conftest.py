"""Playwright against Debian's chromium, in the same process as pytest-django's live server."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Sync Playwright runs an event loop in this thread; the ORM calls of the test itself are still
# synchronous, so Django's guard against ORM use inside a running loop must stand aside.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium "
            "for the browser tests."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Iterator[object]:
    """The platform as `make run` serves it: migrated, with the demo loaded, in a subprocess."""
    from tests.browser.demo_site import demo_site

    with demo_site(tmp_path_factory.mktemp("demo-site")) as site:
        yield site


@pytest.fixture
def signed_in(browser, demo):
    """`signed_in(username)`: a browser page logged in through the login form, on /work/."""

    def open_as(username: str):
        from playwright.sync_api import expect

        from tests.browser.demo_site import DEMO_PASSWORD

        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{demo.url}/")
        page.get_by_role("link", name="Log in").click()
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(f"{demo.url}/work/")
        return page

    return open_as
