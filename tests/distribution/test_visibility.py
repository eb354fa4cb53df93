"""A researcher never sees another researcher's requests; a curator sees only their
institution's; the line page offers the request button."""

import pytest

from stemhub.accounts.models import Institution, Role
from stemhub.distribution.selectors import visible_requests
from tests.conftest import make_user
from tests.distribution.setups import available_line, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_requests(users, line, other_bank):
    other_line = available_line(users, "NSCBi002-A")
    other_line.institution = other_bank
    other_line.save(update_fields=["institution"])
    colleague = make_user("colleague", None, Role.RESEARCHER)
    users["colleague"] = colleague
    mine = make_request(users, line)
    theirs = make_request(users, other_line, who="colleague")
    return mine, theirs


def test_a_researcher_sees_only_their_own_requests(users, two_requests, client_for):
    mine, theirs = two_requests
    assert list(visible_requests(users["researcher"])) == [mine]
    client = client_for("researcher")
    assert client.get(f"/distribution/requests/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/distribution/requests/{theirs.pk}").status_code == 404
    listed = client.get("/api/v1/distribution/requests").json()
    assert [r["id"] for r in listed] == [mine.pk]


def test_a_curator_sees_only_their_institutions_requests(users, two_requests):
    mine, theirs = two_requests
    assert list(visible_requests(users["curator"])) == [mine]
    assert list(visible_requests(users["other_curator"])) == [theirs]
    assert set(visible_requests(users["platform_admin"])) == {mine, theirs}


def test_the_line_page_offers_the_request(users, line, client_for):
    page = client_for(None).get(f"/lines/{line.name}/")
    assert "Log in to request this line" in page.content.decode()
    page = client_for("researcher").get(f"/lines/{line.name}/")
    assert f"/distribution/lines/{line.name}/request/" in page.content.decode()


def test_a_recalled_line_page_says_why_it_cannot_be_requested(users, line, client_for):
    from stemhub.registry import services as registry

    registry.cell_line_set_availability(
        actor=users["curator"], line=line, availability="recalled", reason="Mycoplasma"
    )
    page = client_for("researcher").get(f"/lines/{line.name}/").content.decode()
    assert "cannot be requested" in page
    assert "/request/" not in page
    assert Institution.objects.count() == 2
