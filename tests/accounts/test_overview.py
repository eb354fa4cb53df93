"""The platform admin's overview of the network on their home page: institutions with their
members and lines, people by role; an institution admin's members queue."""

import pytest

from stemhub.accounts import navigation
from stemhub.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_the_platform_admin_sees_every_institution_and_people_by_role(users, client_for):
    User.objects.filter(username="other_qa").update(is_active=False)
    institutions = navigation.institutions_queue(users["platform_admin"])
    assert institutions.count == 2
    assert [row.label for row in institutions.rows] == [
        "NSCB · National Stem Cell Bank",
        "OSB · Other Stem Cell Bank",
    ]
    assert institutions.rows[0].detail == f"{len(Role)} active members · 0 cell lines"
    people = navigation.people_queue(users["platform_admin"])
    assert people.count == len(Role) + 2  # the deactivated QA manager left out
    by_role = {row.label: row.badge for row in people.rows}
    assert by_role["Curator"] == "2 people" and by_role["QA manager"] == "1 person"

    panels = [p.key for p in client_for("platform_admin").get("/work/").context["panels"]]
    assert panels[:4] == ["institutions", "people", "lines-by-status", "requests-by-status"]
    assert "members" not in panels


def test_an_institution_admin_sees_their_members_who_never_logged_in_first(users, client_for):
    queue = navigation.members_queue(users["institution_admin"])
    assert queue.count == len(Role)  # one person per role
    assert queue.rows[0].detail.endswith("never logged in")
    assert queue.more_url == "/accounts/institutions/NSCB/members/"
    panels = [p.key for p in client_for("institution_admin").get("/work/").context["panels"]]
    assert "members" in panels and "institutions" not in panels
