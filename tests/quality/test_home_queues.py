"""The home page of a technician and of a QA manager, on the demo's data: what each queue
holds, and a number of queries that stays the same however many banks wait."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stemhub.accounts.models import User
from stemhub.biobank import services as biobank
from stemhub.biobank.models import BankTier, CellBank, Container
from stemhub.core.navigation import panels_for
from stemhub.quality.demo import _test

pytestmark = pytest.mark.django_db
# The whole home page, every app's queues included (22 and 16 when written, 35 and 40 once the
# quality system's queues joined): the bounds the demo-sized data must keep.
TECHNICIAN_QUERIES = 40
QA_QUERIES = 45


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    client.get("/work/")  # warm the session and the caches
    return client


def home(username: str) -> tuple[int, str]:
    """The number of queries of the user's home page, and the page."""
    client = signed_in(username)
    with CaptureQueriesContext(connection) as queries:
        answer = client.get("/work/")
    assert answer.status_code == 200
    return len(queries), answer.content.decode()


def more_banks(n: int) -> None:
    """n more master banks of a demo line in tank 2, each with two results in."""
    tech = User.objects.get(username="technician")
    wcb = CellBank.objects.filter(tier=BankTier.WCB).order_by("code").first()
    boxes = list(Container.objects.filter(name__in=["Box 2102", "Box 2103"]))
    for index in range(n):
        bank = biobank.cell_bank_create(
            actor=tech, line=wcb.line, tier="mcb", code=f"EXTRA-{index}", passage_number=5,
            freeze_date=timezone.localdate() - timedelta(days=30), vial_count=2, boxes=boxes,
        )  # fmt: skip
        _test(tech, bank, only=("sterility", "mycoplasma"))


def queue(user: str, key: str):
    return next(p.queue for p in panels_for(User.objects.get(username=user)) if p.key == key)


def test_the_demo_home_pages_show_the_work_in_bounded_queries(django_assert_max_num_queries):
    """One test, as the demo takes a while to load: each part checks one promise."""
    call_command("demo", stdout=io.StringIO())
    _the_technician_sees_banks_to_test_holds_excursions_and_calibrations()
    _qa_sees_the_release_queue_nonconformities_excursions_and_equipment()
    for username, most in (("technician", TECHNICIAN_QUERIES), ("qa", QA_QUERIES)):
        client = signed_in(username)
        with django_assert_max_num_queries(most):
            assert client.get("/work/").status_code == 200
    technician, qa = home("technician")[0], home("qa")[0]
    more_banks(5)
    assert queue("technician", "qc").count == 7 + 5 and queue("qa", "release").count == 4 + 5
    assert home("technician")[0] == technician
    assert home("qa")[0] == qa


def _the_technician_sees_banks_to_test_holds_excursions_and_calibrations() -> None:
    _, page = home("technician")
    for title in ("Banks to test", "Excursions awaiting a decision",
                  "Reserved and blocked positions", "Calibration and maintenance due"):  # fmt: skip
        assert title in page
    assert "Release queue" not in page
    to_test = queue("technician", "qc")
    assert to_test.count == 7
    first = to_test.rows[0]
    assert first.label == "NSRBe001-A-MCB-01" and "to test: Karyotype" in first.detail
    assert first.url.endswith("?test=karyotype#add-result")
    due = queue("technician", "equipment-due")
    assert {r.label: r.badge for r in due.rows} == {
        "Biosafety cabinet BSC-2": "Overdue",
        "Flow cytometer FC-1": "Due soon",
    }


def _qa_sees_the_release_queue_nonconformities_excursions_and_equipment() -> None:
    releases = queue("qa", "release")
    assert [(r.label, r.badge) for r in releases.rows] == [
        ("NSRBe001-A-WCB-01", "Ready to sign"),
        ("NSRBe003-A-DISTRIBUTION-01", "Blocked"),
        ("NSRBe001-A-MCB-01", "In testing"),
        ("NSRBe002-A-MCB-01", "In testing"),
    ]
    assert "failed: Mycoplasma (positive); open: NC-" in releases.rows[1].detail
    assert releases.rows[0].url.endswith("#release-form")
    ncs = queue("qa", "nonconformities")
    assert ncs.count == 1 and ncs.rows[0].badge == "Opened today"
    assert "#nc-" in ncs.rows[0].url
    excursions = queue("qa", "excursions")
    assert excursions.count == 1 and excursions.rows[0].badge == "80 vials quarantined"
    attention = queue("qa", "equipment-attention")
    assert [(r.label, r.badge) for r in attention.rows] == [
        ("Centrifuge C-3", "Quarantined"),
        ("Biosafety cabinet BSC-2", "Calibration overdue"),
    ]
    _, page = home("qa")
    assert "Banks to test" not in page
