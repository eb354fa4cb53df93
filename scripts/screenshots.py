"""`make screenshots`: every page of every demo login's menu, as a reviewer would click it.

Starts the platform as `make run` does (a fresh demo database in a temporary folder), logs in as
each demo user through the login form, opens their home page and every link of their menu, and
writes full-page screenshots to var/screenshots/<language>/<user>/, with
var/screenshots/index.html showing them all on one page. Anonymous visitors' pages go to
var/screenshots/<language>/anonymous/. The browser asks for each language in turn (English and
Simplified Chinese; SCREENSHOT_LANGUAGES=zh-hans for one), as a visitor's browser would.
"""

import html
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.demo_site import DEMO_PASSWORD, demo_site, menu_links  # noqa: E402

OUT = ROOT / "var" / "screenshots"
# The interface language -> the browser locale that asks for it (Accept-Language).
LOCALES = {"en": "en-GB", "zh-hans": "zh-CN"}


def _slug(text: str, url: str) -> str:
    """A file name for a page: its menu label, or (a Chinese label has no Latin letters) its
    address."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or re.sub(r"[^a-z0-9]+", "-", url.split("://")[-1].split("/", 1)[-1]).strip("-")


def _shoot(page: Page, folder: Path, number: int, label: str, url: str) -> dict[str, str]:
    answer = page.goto(url)
    path = folder / f"{number:02d}-{_slug(label, url) or 'home'}.png"
    page.screenshot(path=str(path), full_page=True)
    status = answer.status if answer else 0
    return {"label": label, "url": url, "file": str(path.relative_to(OUT)), "status": str(status)}


def _walk(page: Page, base: str, who: str, start: str) -> list[dict[str, str]]:
    folder = OUT / who
    folder.mkdir(parents=True, exist_ok=True)
    shots = [_shoot(page, folder, 0, "home", base + start)]
    for number, (label, href) in enumerate(menu_links(page.content()), start=1):
        shots.append(_shoot(page, folder, number, label, base + href))
    return shots


def _index(taken: dict[str, list[dict[str, str]]]) -> str:
    parts = [
        "<!doctype html><meta charset=utf-8><title>stemhub screenshots</title>",
        "<style>body{font-family:sans-serif}figure{display:inline-block;margin:6px;"
        "width:320px;vertical-align:top}img{width:320px;border:1px solid #ccc}"
        "figcaption{font-size:12px}.bad{color:#a00;font-weight:bold}</style>",
    ]
    for who, shots in taken.items():
        parts.append(f"<h2>{html.escape(who)}</h2>")
        for shot in shots:
            bad = "" if shot["status"] == "200" else " class=bad"
            parts.append(
                f'<figure><a href="{shot["file"]}"><img src="{shot["file"]}" loading=lazy></a>'
                f"<figcaption{bad}>{html.escape(shot['label'])} · {html.escape(shot['url'])} · "
                f"{shot['status']}</figcaption></figure>"
            )
    return "\n".join(parts)


def main() -> int:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    taken: dict[str, list[dict[str, str]]] = {}
    with (
        tempfile.TemporaryDirectory() as folder,
        demo_site(Path(folder)) as site,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        languages = os.environ.get("SCREENSHOT_LANGUAGES", ",".join(LOCALES)).split(",")
        for language in languages:

            def new_page(language: str = language) -> Page:
                context = browser.new_context(
                    viewport={"width": 1280, "height": 900}, locale=LOCALES[language]
                )
                return context.new_page()

            page = new_page()
            taken[f"{language}/anonymous"] = _walk(page, site.url, f"{language}/anonymous", "/")
            for username in site.usernames:
                page = new_page()
                page.goto(f"{site.url}/accounts/login/")
                page.locator("#id_username").fill(username)
                page.locator("#id_password").fill(DEMO_PASSWORD)
                page.locator("#main form [type=submit]").click()
                page.wait_for_url(f"{site.url}/work/")
                who = f"{language}/{username}"
                taken[who] = _walk(page, site.url, who, "/work/")
                print(f"{who}: {len(taken[who])} pages")
        browser.close()
    (OUT / "index.html").write_text(_index(taken), encoding="utf-8")
    failed = [s for shots in taken.values() for s in shots if s["status"] != "200"]
    print(f"{sum(map(len, taken.values()))} screenshots in {OUT}; open {OUT / 'index.html'}")
    for shot in failed:
        print(f"  answered {shot['status']}: {shot['url']} ({shot['label']})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
