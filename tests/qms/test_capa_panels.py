"""The home page's CAPA queues: a CAPA's owner sees the CAPAs that wait for them (to
investigate, to plan or await the effectiveness check), and an action's owner and a CAPA's owner
the actions overdue or due soon; QA sees the CAPAs overdue; nobody sees another institution's."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stemhub.qms import capa as services
from stemhub.qms.models import Capa, CapaAction
from stemhub.qms.navigation import my_capa_work
from tests.qms.capa_setups import (
    ACTION_ID,
    CAPA_ID,
    actions_done,
    closed,
    fixed_action,
    fixed_capa,
    in_effectiveness,
    open_capa,
    soon,
)

pytestmark = pytest.mark.django_db


def _late(days: int = 3) -> None:
    CapaAction.objects.filter(pk=ACTION_ID).update(
        due_on=timezone.localdate() - timedelta(days=days)
    )


def _panel(page: str, key: str) -> str:
    start = page.find(f'id="queue-{key}"')
    return page[start : page.find("</section>", start)] if start >= 0 else ""


def test_the_action_owner_sees_the_overdue_action(users, client_for):
    fixed_action(users)
    _late()
    panel = _panel(client_for("bank_technician").get("/work/").content.decode(), "qms-capa-actions")
    assert "Overdue" in panel and f"/qms/capa/{CAPA_ID}/#action-{ACTION_ID}" in panel


def test_an_action_owned_by_another_person_shows_to_them_and_to_the_capa_owner(users, client_for):
    fixed_action(users)
    CapaAction.objects.filter(pk=ACTION_ID).update(owner=users["curator"])
    for who in ("curator", "bank_technician"):
        panel = _panel(client_for(who).get("/work/").content.decode(), "qms-capa-actions")
        assert f"#action-{ACTION_ID}" in panel, who


def test_someone_without_capa_work_gets_no_capa_actions_panel(users, client_for):
    fixed_action(users)
    page = client_for("search_coordinator").get("/work/").content.decode()
    assert 'id="queue-qms-capa-actions"' not in page


def test_qa_sees_the_capas_overdue(users, client_for):
    fixed_capa(users)
    Capa.objects.filter(pk=CAPA_ID).update(due_on=timezone.localdate() - timedelta(days=1))
    panel = _panel(client_for("qa_manager").get("/work/").content.decode(), "qms-capa-overdue")
    assert f"/qms/capa/{CAPA_ID}/" in panel


def test_a_capa_on_time_with_an_overdue_action_shows_to_qa(users, client_for):
    fixed_action(users)
    _late()
    panel = _panel(client_for("qa_manager").get("/work/").content.decode(), "qms-capa-overdue")
    assert "Action overdue" in panel


def test_qa_of_another_institution_does_not_see_it(users, client_for):
    fixed_capa(users)
    Capa.objects.filter(pk=CAPA_ID).update(due_on=timezone.localdate() - timedelta(days=1))
    panel = _panel(client_for("other_qa").get("/work/").content.decode(), "qms-capa-overdue")
    assert f"/qms/capa/{CAPA_ID}/" not in panel and "No CAPA is overdue" in panel


def test_a_closed_capa_is_never_overdue(users, client_for):
    closed(users)
    Capa.objects.filter(pk=CAPA_ID).update(due_on=timezone.localdate() - timedelta(days=1))
    panel = _panel(client_for("qa_manager").get("/work/").content.decode(), "qms-capa-overdue")
    assert f"/qms/capa/{CAPA_ID}/" not in panel


def test_the_technician_panel_is_not_shown_to_a_curator_without_actions(users, client_for):
    fixed_capa(users)
    assert 'id="queue-qms-capa-actions"' not in client_for("curator").get("/work/").content.decode()


# The CAPAs an owner must move on, besides the actions


def _days(n: int):
    return timezone.localdate() + timedelta(days=n)


def _home_panel(client_for, who: str = "bank_technician") -> str:
    return _panel(client_for(who).get("/work/").content.decode(), "qms-capa-actions")


def test_the_owner_sees_an_overdue_open_capa_without_actions_linked_to_its_investigation(
    users, client_for
):
    fixed_capa(users)
    Capa.objects.filter(pk=CAPA_ID).update(due_on=_days(-4))
    panel = _home_panel(client_for)
    assert "Your CAPAs and actions" in panel
    assert f'href="/qms/capa/{CAPA_ID}/#investigation"' in panel
    assert "Open: record the investigation" in panel and "Overdue" in panel


def test_the_owner_sees_each_step_that_waits_for_them_overdue_first(users):
    first = open_capa(users, title="Under investigation")
    services.capa_investigation_record(
        actor=users["bank_technician"], capa=first, problem_statement="Found late"
    )
    Capa.objects.filter(pk=first.pk).update(due_on=_days(-10))
    fixed_capa(users)  # open, due in 30 days
    queue = my_capa_work(users["bank_technician"])
    assert [row.url for row in queue.rows] == [
        f"/qms/capa/{first.pk}/#investigation",
        f"/qms/capa/{CAPA_ID}/#investigation",
    ]
    assert [row.badge for row in queue.rows] == ["Overdue", ""]
    assert "Investigation: find the root cause" in queue.rows[0].detail
    assert queue.tone == "bad" and queue.count == 2


def test_every_action_done_asks_the_owner_to_plan_the_effectiveness_check(users):
    actions_done(users)
    (row,) = my_capa_work(users["bank_technician"]).rows
    assert row.url == f"/qms/capa/{CAPA_ID}/#effectiveness"
    assert "plan the effectiveness check" in row.detail


def test_a_capa_awaiting_its_effectiveness_check_stays_on_the_owners_home(users):
    in_effectiveness(users)
    (row,) = my_capa_work(users["bank_technician"]).rows
    assert row.detail == f"Awaiting the effectiveness check of {soon(60):%Y-%m-%d}"


def test_a_capa_with_actions_under_way_shows_its_actions_not_itself(users):
    fixed_action(users)
    rows = my_capa_work(users["bank_technician"]).rows
    assert [row.url for row in rows] == [f"/qms/capa/{CAPA_ID}/#action-{ACTION_ID}"]


def test_closed_capas_and_other_peoples_capas_do_not_wait_for_the_owner(users):
    closed(users)
    other = open_capa(users, title="Someone else's")
    Capa.objects.filter(pk=other.pk).update(owner=users["curator"])
    assert my_capa_work(users["bank_technician"]).rows == []
    assert [row.label.split(" · ")[0] for row in my_capa_work(users["curator"]).rows] == [
        other.number
    ]


def test_the_empty_state_says_where_the_owners_capas_are(users, client_for):
    fixed_action(users)
    CapaAction.objects.filter(pk=ACTION_ID).update(due_on=_days(40))
    panel = _home_panel(client_for)
    assert "No CAPA of yours waits for you" in panel
    assert f"/qms/capa/?owner={users['bank_technician'].pk}&amp;status=open" in panel


def test_the_panel_shows_in_chinese(users, client_for):
    fixed_capa(users)
    page = client_for("bank_technician").get("/work/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    panel = _panel(page.content.decode(), "qms-capa-actions")
    assert "Open: record the investigation" not in panel and f"/qms/capa/{CAPA_ID}/" in panel
