"""The request list every role uses: several statuses at once, a line, a researcher, only one's
own; counts per status as tabs; states in words; what happens next for the one looking."""

import pytest

from stemhub.distribution import services
from stemhub.distribution.models import RequestStatus
from tests.conftest import make_user
from tests.distribution.setups import approved, available_line, distribution_lot, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests(users, line):
    """One request in each of submitted, approved, allocated; a second line's submitted one by a
    second researcher."""
    distribution_lot(users, line, count=4)
    colleague = make_user("colleague", users["researcher"].institution, "researcher")
    users["colleague"] = colleague
    other_line = available_line(users, "NSCBi002-A")
    submitted = make_request(users, line, project_title="Submitted one")
    kept = approved(users, line, project_title="Approved one")
    allocated = approved(users, line, project_title="Allocated one", vials_requested=1)
    services.distribution_allocate(actor=users["bank_technician"], request=allocated)
    theirs = make_request(users, other_line, who="colleague", project_title="Colleague's")
    return {"submitted": submitted, "approved": kept, "allocated": allocated, "theirs": theirs}


def listed(client, query: str = "", path: str = "") -> list[str]:
    page = client.get(f"/distribution/requests/{path}?{query}")
    assert page.status_code == 200
    return [row["req"].project_title for row in page.context["rows"]]


def test_several_statuses_at_once_keep_allocated_requests_in_the_shipping_queue(
    client_for, requests
):
    technician = client_for("bank_technician")
    assert listed(technician, "status=approved&status=allocated") == [
        "Approved one",
        "Allocated one",
    ]  # longest waiting first


def test_filters_by_line_researcher_and_own(client_for, requests):
    curator = client_for("curator")
    assert listed(curator, "line=NSCBi002") == ["Colleague's"]
    assert listed(curator, "researcher=colleague") == ["Colleague's"]
    assert listed(curator, "researcher=Researcher Tester&status=submitted") == ["Submitted one"]
    assert listed(curator, "mine=1") == []
    assert sorted(listed(client_for("researcher"))) == [
        "Allocated one",
        "Approved one",
        "Submitted one",
    ]


def test_the_tabs_count_each_status_of_the_filtered_requests(client_for, requests):
    page = client_for("curator").get("/distribution/requests/?researcher=researcher")
    tabs = {tab["status"]: tab["count"] for tab in page.context["tabs"]}
    assert tabs == {"submitted": 1, "approved": 1, "allocated": 1}
    assert page.context["total"] == 3
    html = page.content.decode()
    assert "Vials allocated" in html and ">allocated<" not in html


def test_the_researcher_reads_what_to_do_next(client_for, users, requests):
    found = requests["allocated"]
    services.distribution_ship(
        actor=users["bank_technician"],
        request=found,
        courier="World Courier",
        tracking_number="WC-1",
        dry_shipper="DS-1",
        temperature_logger="TL-1",
        shipped_on=found.submitted_at.date(),
    )
    page = client_for("researcher").get("/distribution/requests/")
    steps = {row["req"].project_title: row["next"] for row in page.context["rows"]}
    assert steps["Allocated one"].yours
    assert str(steps["Allocated one"].text) == "Confirm receipt when the package arrives."
    assert not steps["Submitted one"].yours
    assert "Wait for the provider" in str(steps["Submitted one"].text)
    staff = client_for("curator").get("/distribution/requests/?status=submitted")
    assert all(row["next"].yours for row in staff.context["rows"])


def test_an_unknown_status_is_ignored_not_a_500(client_for, requests):
    assert len(listed(client_for("curator"), "status=exploded")) == 4


def test_the_empty_list_says_what_to_do(client_for, users):
    page = client_for("researcher").get("/distribution/requests/").content.decode()
    assert "You have not requested a line yet" in page and "/lines/" in page


def test_the_list_takes_a_fixed_number_of_queries(
    client_for, requests, django_assert_max_num_queries
):
    client = client_for("curator")
    client.get("/distribution/requests/")
    with django_assert_max_num_queries(12):
        client.get("/distribution/requests/?status=submitted&status=approved&status=allocated")


def test_the_named_lists_of_the_menu(client_for, requests):
    technician = client_for("bank_technician")
    work = technician.get("/work/").content.decode()
    assert 'href="/distribution/requests/to-ship/"' in work
    assert str(RequestStatus.ALLOCATED.label) in work
    assert listed(technician, "", path="to-ship/") == ["Approved one", "Allocated one"]
    assert listed(client_for("curator"), "", path="to-review/") == [
        "Submitted one",
        "Colleague's",
    ]
    mine = listed(client_for("researcher"), "", path="mine/")
    assert sorted(mine) == ["Allocated one", "Approved one", "Submitted one"]
    assert client_for("curator").get("/distribution/requests/nowhere/").status_code == 404
