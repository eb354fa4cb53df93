"""The registry's home-page queues: the curator's review queue (in review, then submitted, each
oldest first, with the wait) and the lines back with their editors; the editor's drafts and
returned lines with the curator's comment; the platform admin's lines by status."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stemhub.registry import navigation, services
from stemhub.registry.models import CurationEvent
from tests.history import history_rewritable
from tests.registry.lines import publishable

pytestmark = pytest.mark.django_db


def line(users, name: str, *steps: str, days_ago: int = 0):
    curator = users["curator"]
    found = services.cell_line_create(actor=curator, data=publishable(name, synonyms=[]))
    actions = {
        "submit": services.cell_line_submit,
        "review": services.cell_line_start_review,
        "return": lambda **kw: services.cell_line_return(comment="Add the karyotype", **kw),
    }
    for step in steps:
        found = actions[step](actor=curator, line=found)
    with history_rewritable():
        CurationEvent.objects.filter(line=found).update(
            at=timezone.now() - timedelta(days=days_ago)
        )
    return found


def test_review_queue_in_review_first_then_submitted_each_oldest_first(users):
    line(users, "NSCBi001-A", "submit", days_ago=9)
    line(users, "NSCBi002-A", "submit", "review", days_ago=1)
    line(users, "NSCBi003-A", "submit", "review", days_ago=4)
    line(users, "NSCBi004-A")  # a draft: not the curator's yet
    queue = navigation.review_queue(users["curator"])
    assert queue.count == 3
    assert [r.label for r in queue.rows] == ["NSCBi003-A", "NSCBi002-A", "NSCBi001-A"]
    assert [r.badge for r in queue.rows] == ["In review", "In review", "Submitted"]
    assert queue.rows[0].detail.endswith("waiting 4\xa0days")
    assert queue.rows[2].detail.endswith("waiting 1\xa0week")
    assert queue.more_url == "/staff/lines/?status=in_review&status=submitted"


def test_the_review_link_lists_both_states(users, client_for):
    line(users, "NSCBi001-A", "submit")
    line(users, "NSCBi002-A", "submit", "review")
    page = client_for("curator").get("/staff/lines/?status=in_review&status=submitted")
    assert [row.name for row in page.context["page"].object_list] == ["NSCBi001-A", "NSCBi002-A"]


def test_returned_lines_carry_the_curators_comment(users):
    line(users, "NSCBi001-A", "submit", "review", "return", days_ago=2)
    line(users, "NSCBi002-A")
    curator_queue = navigation.returned_queue(users["curator"])
    (returned,) = curator_queue.rows
    assert returned.label == "NSCBi001-A"
    assert returned.detail == "waiting 2\xa0days · “Add the karyotype”"

    editor_queue = navigation.drafts_queue(users["institution_admin"])
    assert [r.label for r in editor_queue.rows] == ["NSCBi001-A", "NSCBi002-A"]
    assert editor_queue.rows[0].detail == "Curator: “Add the karyotype”"
    assert editor_queue.rows[1].badge == "Draft"
    # A curator has the returned lines in their own queue, and only drafts among their drafts.
    assert [r.label for r in navigation.drafts_queue(users["curator"], returned=False).rows] == [
        "NSCBi002-A"
    ]


def test_a_curator_sees_a_returned_line_once_on_their_home_page(users, client_for):
    line(users, "NSCBi001-A", "submit", "review", "return")
    panels = client_for("curator").get("/work/").context["panels"]
    shown = [p.key for p in panels for row in p.queue.rows if row.label == "NSCBi001-A"]
    assert shown == ["returned"]


def test_another_institutions_lines_are_in_no_queue(users):
    line(users, "NSCBi001-A", "submit")
    assert navigation.review_queue(users["other_curator"]).count == 0


def test_the_platform_admin_counts_lines_per_status(users):
    line(users, "NSCBi001-A", "submit")
    line(users, "NSCBi002-A")
    line(users, "NSCBi003-A")
    queue = navigation.lines_by_status(users["platform_admin"])
    assert queue.count == 3
    assert [(r.label, r.badge) for r in queue.rows] == [
        ("Draft", "2 lines"),
        ("Submitted", "1 line"),
    ]
    assert queue.rows[0].url == "/staff/lines/?status=draft"
