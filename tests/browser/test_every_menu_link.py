"""Every demo login, and an anonymous visitor, opens every link of their menu: none answers 403,
404 or 500, and every page they reach shows the same menu (so a link never leads to a dead end)."""

import pytest

from stemhub.accounts.demo import USERS
from tests.browser.demo_site import Visitor, menu_links

USERNAMES = [spec.username for spec in USERS]


def _walk(visitor: Visitor, start: str) -> dict[str, int]:
    status, html = visitor.get(start)
    assert status == 200, f"{start} answered {status}"
    links = menu_links(html)
    assert links, f"{start} shows no menu"
    answers = {}
    for label, href in links:
        status, page = visitor.get(href)
        answers[f"{label} ({href})"] = status
        if status == 200 and not href.startswith("/admin/"):  # Django's admin has its own
            assert menu_links(page) == links, f"{href} shows a different menu than {start}"
    return answers


@pytest.mark.browser
@pytest.mark.parametrize("username", USERNAMES)
def test_every_menu_link_of_a_demo_login_opens(demo, username):
    assert username in demo.usernames, "the demo no longer prints this login"
    answers = _walk(Visitor(demo, username), "/work/")
    failing = {link: status for link, status in answers.items() if status != 200}
    assert not failing, f"{username}: {failing}"


@pytest.mark.browser
def test_every_menu_link_of_an_anonymous_visitor_opens(demo):
    answers = _walk(Visitor(demo), "/")
    assert "Cell lines (/lines/)" in answers
    assert all(status == 200 for status in answers.values()), answers
