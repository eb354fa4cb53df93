"""The CAPA demo's hand-opened CAPAs cite only records that exist: a source with a page of its
own is never cited without its record, and a CAPA that cites no record says so in its words."""

import pytest

from stemhub.accounts.demo import create_institutions, create_users
from stemhub.qms import demo_capa
from stemhub.qms.capa_sources import source_links
from stemhub.qms.models import Capa, CapaSource

pytestmark = pytest.mark.django_db

# The sources whose record has a page: a CAPA of these must name its record.
WITH_A_PAGE = {
    CapaSource.NONCONFORMITY,
    CapaSource.EXCURSION,
    CapaSource.COMPLAINT,
    CapaSource.AUDIT_FINDING,
    CapaSource.INTERNAL_QC,
    CapaSource.PROFICIENCY,
}


def test_every_demo_capa_citing_a_record_with_a_page_links_to_it():
    create_users(create_institutions())
    demo_capa.load()
    capas = list(Capa.objects.order_by("pk"))
    links = source_links(capas)
    for capa in capas:
        if capa.source in WITH_A_PAGE:
            assert capa.pk in links, f"{capa.number} cites {capa.source_label!r}, no record"
    no_record = [c for c in capas if c.source_id is None and not c.source_label]
    assert no_record and all("no record here" in c.description for c in no_record)
