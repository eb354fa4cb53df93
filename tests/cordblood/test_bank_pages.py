"""A cord blood bank's own pages: its units searched and filtered, one unit with its
reservations, every upload with its row report; and the dates of a unit checked in order."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from stemhub.accounts.models import Institution, Role
from stemhub.cordblood import services
from stemhub.cordblood.models import Unit, UnitStatus, UnitUpload
from stemhub.cordblood.search import SearchRequest
from tests.conftest import make_user
from tests.cordblood.conftest import din, unit_row, upload
from tests.cordblood.test_pages import csv_of, parse, rows_by_label
from tests.cordblood.test_search import make_patient
from tests.jobs.queue import upload_page

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def inventory(people, cord_bank):
    upload(
        people["tech"],
        cord_bank,
        [
            unit_row("A1", 1, abo="A", tnc=95, collection_date="2019-03-01"),
            unit_row("A2", 2, abo="O", tnc=160, collection_date="2021-06-01"),
            unit_row("A3", 3, abo="O", tnc=210, collection_date="2021-07-01", status="withdrawn"),
            unit_row("A4", 4, abo="B", tnc=130, hla_b="B*46:01+B*44:02"),
        ],
    )


def units_on(answer) -> list[str]:
    return list(rows_by_label(parse(answer).tables["units"]))


def label(local_id: str, sequence: int) -> str:
    number, check = din(sequence)
    return f"{local_id} {number[:5]} {number[5:7]} {number[7:]} {check}"


def test_the_units_page_filters_by_status_abo_tnc_band_and_year(people, inventory):
    tech = client_of(people["tech"])
    assert len(units_on(tech.get("/cord/units/"))) == 4
    assert units_on(tech.get("/cord/units/?abo=O")) == [label("A3", 3), label("A2", 2)]
    assert units_on(tech.get("/cord/units/?abo=O&status=available")) == [label("A2", 2)]
    assert units_on(tech.get("/cord/units/?tnc_band=150-199")) == [label("A2", 2)]
    assert units_on(tech.get("/cord/units/?year=2019")) == [label("A1", 1)]


def test_the_units_page_finds_a_din_a_local_id_or_an_allele(people, inventory):
    tech = client_of(people["tech"])
    number, check = din(2)
    spaced = f"{number[:5]} {number[5:7]} {number[7:]} {check}"
    assert units_on(tech.get("/cord/units/", {"q": spaced})) == [label("A2", 2)]
    assert units_on(tech.get("/cord/units/", {"q": "a4"})) == [label("A4", 4)]
    assert units_on(tech.get("/cord/units/", {"q": "B*46:01"})) == [label("A4", 4)]
    none = tech.get("/cord/units/", {"q": "nothing-like-this"})
    assert "No unit matches these filters" in none.content.decode()


def test_the_units_page_counts_units_by_status_under_the_other_filters(people, inventory):
    body = client_of(people["tech"]).get("/cord/units/?abo=O").content.decode()
    assert "Available: 1<" in body and "Withdrawn: 1<" in body and "Reserved: 0<" in body


def test_the_units_page_is_paginated_by_fifty(people, cord_bank):
    upload(people["tech"], cord_bank, [unit_row(f"U{n:03d}", n) for n in range(1, 56)])
    tech = client_of(people["tech"])
    first = tech.get("/cord/units/").content.decode()
    assert "55 units shown, page 1 of 2." in first
    assert len(units_on(tech.get("/cord/units/?page=2"))) == 5


def test_a_bank_sees_its_own_units_only(people, inventory):
    other = Institution.objects.create(
        name="Second Cord Bank", kind=Institution.Kind.CORD_BLOOD_BANK, provider_code="SCB"
    )
    tech2 = make_user("tech2", other, Role.BANK_TECHNICIAN)
    own = client_of(tech2).get("/cord/units/").content.decode()
    assert "No units yet" in own and "A2" not in own
    unit = Unit.objects.get(local_id="A2")
    assert client_of(tech2).get(f"/cord/units/{unit.pk}/").status_code == 404


def test_the_unit_page_releases_its_reservation_for_shipment(people, inventory):
    unit = Unit.objects.get(local_id="A2")
    patient = make_patient(people)
    reservation = services.unit_reserve(
        actor=people["coordinator"], unit_id=unit.pk, patient=patient
    )
    tech = client_of(people["tech"])
    waiting = tech.get(f"/cord/units/{unit.pk}/").content.decode()
    assert "UHTC/P1" in waiting and "Reserved" in waiting
    assert "Release for shipment" not in waiting
    assert "Ships once the centre records a confirmatory typing" in waiting
    # The coordinator asks for the typing and records its result on the same page.
    coordinator = client_of(people["coordinator"])
    asked = coordinator.get(f"/cord/units/{unit.pk}/").content.decode()
    assert "Request typing" in asked
    coordinator.post(f"/cord/reservations/{reservation.pk}/typing/")
    assert "Typing: match" in coordinator.get(f"/cord/units/{unit.pk}/").content.decode()
    coordinator.post(f"/cord/reservations/{reservation.pk}/typing-match/")
    page = tech.get(f"/cord/units/{unit.pk}/").content.decode()
    assert "Release for shipment" in page and "Match confirmed" in page
    answer = tech.post(
        f"/cord/reservations/{reservation.pk}/ship/", {"next": f"/cord/units/{unit.pk}/"}
    )
    assert answer["location"] == f"/cord/units/{unit.pk}/"
    assert Unit.objects.get(pk=unit.pk).status == UnitStatus.SHIPPED
    # The coordinator sees the unit but not the bank's buttons or history.
    seen = client_of(people["coordinator"]).get(f"/cord/units/{unit.pk}/").content.decode()
    assert "Release for shipment" not in seen and "History" not in seen


def test_every_upload_leaves_its_report(people, cord_bank):
    tech = client_of(people["tech"])
    bad = unit_row("U2", 2, processing_date="2020-04-30")  # collected 2020-05-01
    content = csv_of([unit_row("U1", 1, processing_date="2020-05-01"), bad])
    answer = upload_page(
        tech,
        "/cord/banks/NCBB/upload/",
        {"file": SimpleUploadedFile("units.csv", content), "mode": "delta"},
    )
    assert answer.status_code == 200 and not Unit.objects.exists()
    assert "nothing was applied" in answer.content.decode()
    record = UnitUpload.objects.get()
    assert (record.applied, record.rows, record.problem_count) == (False, 2, 1)
    assert record.problems == [
        {
            "line": 3,
            "field": "processing_date",
            "reason": "2020-04-30 is before the collection on 2020-05-01",
        }
    ]
    report = tech.get(f"/cord/banks/NCBB/upload/{record.pk}/")
    assert report.status_code == 200
    assert rows_by_label(parse(report).tables["upload-errors"]) == {
        "3": ["processing_date", "2020-04-30 is before the collection on 2020-05-01"]
    }
    listing = tech.get("/cord/banks/NCBB/upload/").content.decode()
    assert f"/cord/banks/NCBB/upload/{record.pk}/" in listing and "Not applied" in listing


def test_freezing_before_processing_is_refused_by_row(people, cord_bank):
    rows = [
        unit_row("U1", 1, processing_date="2020-05-02", freezing_date="2020-05-01"),
        unit_row("U2", 2, collection_date="2020-05-03", freezing_date="2020-05-02"),
        unit_row("U3", 3, processing_date="2020-05-01", freezing_date="2020-05-02"),
    ]
    report = upload(people["tech"], cord_bank, rows)
    assert not report["applied"]
    assert [(e["line"], e["field"]) for e in report["errors"]] == [
        (1, "freezing_date"),
        (2, "freezing_date"),
    ]
    assert "before the processing on 2020-05-02" in report["errors"][0]["reason"]
    assert "before the collection on 2020-05-03" in report["errors"][1]["reason"]


def test_another_banks_upload_report_is_not_found(people, cord_bank):
    upload(people["tech"], cord_bank, [unit_row("U1", 1)])
    record = UnitUpload.objects.get()
    other = Institution.objects.create(
        name="Second Cord Bank", kind=Institution.Kind.CORD_BLOOD_BANK, provider_code="SCB"
    )
    tech2 = make_user("tech2", other, Role.BANK_TECHNICIAN)
    assert client_of(tech2).get(f"/cord/banks/NCBB/upload/{record.pk}/").status_code == 404
    assert client_of(tech2).get(f"/cord/banks/SCB/upload/{record.pk}/").status_code == 404


def test_a_future_processing_date_is_refused(people, cord_bank):
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    report = upload(people["tech"], cord_bank, [unit_row("U1", 1, processing_date=tomorrow)])
    assert [(e["field"], e["reason"].split(" (")[0]) for e in report["errors"]] == [
        ("processing_date", f"{tomorrow} is in the future")
    ]


def test_an_uploaded_tnc_shows_with_the_same_magnitude_everywhere(people, cord_bank):
    """The upload's `tnc` column is × 10^7 cells; the units page, the unit page and a search's
    results say × 10^7 with the number as uploaded (never divided into × 10^8)."""
    content = csv_of([unit_row("T1", 1, tnc=152.5, cd34=4.8)])
    tech = client_of(people["tech"])
    sent = upload_page(
        tech,
        "/cord/banks/NCBB/upload/",
        {"file": SimpleUploadedFile("units.csv", content), "mode": "delta"},
    )
    assert sent.status_code == 200 and "Imported: 1 row" in sent.content.decode()
    template = tech.get("/cord/banks/NCBB/upload/").content.decode()
    assert "total nucleated cells in the unit, in × 10^7 cells" in template
    listed = tech.get("/cord/units/").content.decode()
    assert "TNC × 10⁷" in listed and ">152.5<" in listed and "10⁸" not in listed
    unit = Unit.objects.get(local_id="T1")
    page = tech.get(f"/cord/units/{unit.pk}/").content.decode()
    assert "152.5 × 10⁷ cells" in page
    assert "4.80 × 10⁶ cells" in page
    patient = make_patient(people, weight_kg=20)
    saved, _ = services.search_run(
        actor=people["coordinator"], patient=patient, request=SearchRequest()
    )
    results = client_of(people["coordinator"]).get(f"/cord/patients/searches/{saved.pk}/")
    body = results.content.decode()
    assert "152.5 × 10⁷" in body and "7.62" in body and "10⁸" not in body


def test_a_unit_typed_once_at_a_locus_is_shown_as_homozygous_or_typed_once(people, cord_bank):
    upload(people["tech"], cord_bank, [unit_row("H1", 1, hla_dqb1="DQB1*02:01")])
    unit = Unit.objects.get(local_id="H1")
    page = client_of(people["tech"]).get(f"/cord/units/{unit.pk}/").content.decode()
    row = page[page.index("HLA-DQB1") :].split("</tr>")[0]
    assert "homozygous or typed once" in row
    assert page.count("homozygous or typed once") == 1  # the other loci carry two alleles
    assert 'id="homozygous-note"' in page


def test_the_units_page_finds_units_by_serology(people, cord_bank):
    upload(
        people["tech"],
        cord_bank,
        [
            unit_row("AL", 1, hla_a="A*02:01+A*03:01"),  # A*02:01 carries A2
            unit_row("SE", 2, hla_a="A2+A1"),  # typed by serology
            unit_row("NO", 3, hla_a="A*11:01+A*01:01"),
        ],
    )
    tech = client_of(people["tech"])
    assert sorted(units_on(tech.get("/cord/units/", {"q": "A2"}))) == [
        label("AL", 1),
        label("SE", 2),
    ]
    assert units_on(tech.get("/cord/units/", {"q": "A11"})) == [label("NO", 3)]


def test_the_units_page_counts_with_separators_and_never_cuts_an_allele(people, cord_bank):
    rows = [unit_row(f"U{n:04d}", n) for n in range(1, 1002)]
    upload(people["tech"], cord_bank, rows)
    body = client_of(people["tech"]).get("/cord/units/").content.decode()
    assert "1,001 units match" in body and "1,001 units shown" in body
    cell = re.search(r'<td class="hla-text">(.*?)</td>', body, re.S).group(1)
    assert (
        '<span class="position">A*02:01</span> + <wbr><span class="position">A*01:01</span>' in cell
    )


def test_a_collection_date_before_1980_is_refused(people, cord_bank):
    report = upload(people["tech"], cord_bank, [unit_row("U1", 1, collection_date="1900-01-01")])
    assert [(e["field"], e["reason"]) for e in report["errors"]] == [
        ("collection_date", "1900-01-01 is before 1980-01-01")
    ]
