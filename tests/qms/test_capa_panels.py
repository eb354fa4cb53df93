"""The home page's CAPA queues: an action's owner and a CAPA's owner see their actions overdue
or due soon; QA sees the CAPAs overdue; nobody sees another institution's."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stemhub.qms.models import Capa, CapaAction
from tests.qms.capa_setups import ACTION_ID, CAPA_ID, closed, fixed_action, fixed_capa

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
