"""A CAPA names the record that raised it in words of the reader's language and links to its
page: an audit finding to its audit, an internal QC run to the control material's runs around
it, a proficiency round to the proficiency page; each link leads to a page showing the record.
The stored reference stays as raised; a reference typed by hand says it opens nothing."""

import datetime

import pytest
from django.utils import timezone

from stemhub.qms.capa_sources import source_links
from stemhub.qms.models import Capa, ControlRun
from tests.history import history_rewritable
from tests.qms.audit_setups import FINDING_ID, in_progress
from tests.qms.capa_setups import open_capa
from tests.qms.iqc_setups import LEVEL1, ROUND, RUN, a_material_with_a_run, a_round

pytestmark = pytest.mark.django_db


def _pages(client, capa: Capa) -> tuple[str, str]:
    detail = client.get(f"/qms/capa/{capa.pk}/").content.decode()
    listed = client.get("/qms/capa/").content.decode()
    return detail, listed


def test_an_audit_finding_links_to_its_audit_at_the_finding(users, client_for):
    audit = in_progress(users)
    capa = open_capa(
        users, source="audit_finding", source_id=FINDING_ID, source_label=f"{audit.number}/F1"
    )
    client = client_for("bank_technician")
    detail, listed = _pages(client, capa)
    link = f'href="/qms/audits/{audit.pk}/#f-{FINDING_ID}">Finding 1 of audit {audit.number}</a>'
    assert link in detail and link in listed
    assert f'id="f-{FINDING_ID}"' in client.get(f"/qms/audits/{audit.pk}/").content.decode()
    assert Capa.objects.get(pk=capa.pk).source_label == f"{audit.number}/F1"


def test_an_internal_qc_run_links_to_the_runs_around_it(users, client_for):
    a_material_with_a_run(users)
    capa = open_capa(users, source="internal_qc", source_id=RUN, source_label=f"IQC-{RUN}")
    client = client_for("bank_technician")
    detail, listed = _pages(client, capa)
    today = timezone.localdate()
    day = today - datetime.timedelta(days=1)
    start = day - datetime.timedelta(days=30)
    period = f"start={start:%Y-%m-%d}&end={today:%Y-%m-%d}&all=1"
    url = f"/qms/iqc/materials/{LEVEL1}/?{period}#run-{RUN}"
    words = f"Internal QC run {RUN} on {day:%Y-%m-%d}"
    assert f'href="{url.replace("&", "&amp;")}">{words}</a>' in detail
    assert words in listed and f"IQC-{RUN}" not in listed
    assert f'id="run-{RUN}"' in client.get(url.split("#")[0]).content.decode()


def test_an_old_run_is_shown_in_its_own_period(users, client_for):
    a_material_with_a_run(users)
    long_ago = timezone.now() - datetime.timedelta(days=500)
    with history_rewritable():
        ControlRun.objects.filter(pk=RUN).update(run_at=long_ago)
    capa = open_capa(users, source="internal_qc", source_id=RUN)
    link = source_links([capa])[capa.pk]
    day = timezone.localtime(long_ago).date()
    assert f"end={day + datetime.timedelta(days=30):%Y-%m-%d}" in link.url
    page = client_for("bank_technician").get(link.url.split("#")[0]).content.decode()
    assert f'id="run-{RUN}"' in page


def test_a_proficiency_round_links_to_its_round(users, client_for):
    a_round(users)
    capa = open_capa(users, source="proficiency", source_id=ROUND, source_label="PT 2026-1")
    client = client_for("bank_technician")
    detail, _listed = _pages(client, capa)
    assert (
        f'href="/qms/proficiency/#round-{ROUND}">Proficiency round 2026-1 of Cell viability EQA'
        in detail
    )
    assert f'id="round-{ROUND}"' in client.get("/qms/proficiency/").content.decode()


def test_the_source_reads_in_chinese(users, client_for):
    a_round(users)
    capa = open_capa(users, source="proficiency", source_id=ROUND, source_label="PT 2026-1")
    page = client_for("bank_technician").get(f"/qms/capa/{capa.pk}/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    text = page.content.decode()
    assert f'href="/qms/proficiency/#round-{ROUND}"' in text
    assert "Proficiency round" not in text and "2026-1" in text


def test_a_reference_typed_by_hand_opens_nothing_and_says_so(users, client_for):
    capa = open_capa(users, source="deviation", source_label="DEV-2026-014")
    detail, listed = _pages(client_for("bank_technician"), capa)
    assert "DEV-2026-014" in detail and "no record here to open" in detail
    assert "DEV-2026-014" in listed


def test_a_record_gone_gives_no_link(users):
    capa = open_capa(users, source="internal_qc", source_id=424242, source_label="IQC-424242")
    assert source_links([capa]) == {}


def test_a_list_of_sources_costs_one_query_per_kind(users, django_assert_num_queries):
    a_material_with_a_run(users)
    a_round(users)
    capas = [
        open_capa(users, source="internal_qc", source_id=RUN, title="Run"),
        open_capa(users, source="proficiency", source_id=ROUND, title="Round"),
        open_capa(users, source="deviation", title="By hand"),
    ]
    with django_assert_num_queries(2):
        links = source_links(capas)
    assert set(links) == {capas[0].pk, capas[1].pk}
