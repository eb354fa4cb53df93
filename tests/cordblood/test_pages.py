"""The cord blood pages: public bank, network and preliminary search pages, the web upload, the
operator dashboard with its Kaplan-Meier plot, and the coordinator's workflow pages.

Expected numbers come from the data each test creates (and, for the survival curve, from a
product-limit table worked out by hand), never from the code under test."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from stemhub.accounts.models import Institution, Role
from stemhub.cordblood import services
from stemhub.cordblood.models import (
    CentreSettings,
    Patient,
    Reservation,
    SavedSearch,
    Transplant,
    Unit,
    UnitStatus,
)
from tests.conftest import make_user
from tests.cordblood.conftest import confirm_typing, unit_row, upload
from tests.cordblood.test_search import PATIENT_HLA, make_patient
from tests.jobs.queue import upload_page

pytestmark = pytest.mark.django_db


class _Tables(HTMLParser):
    """Tables by id (and SVG paths) of a page: rows as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.paths: list[dict[str, str]] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._group: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {k: v or "" for k, v in attrs}
        if tag == "table":
            self._table = named.get("id", f"table{len(self.tables)}")
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "g" and "data-group" in named:
            self._group = named["data-group"]
        elif tag == "path":
            self.paths.append({**named, "group": self._group or ""})

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "g":
            self._group = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse(response) -> _Tables:
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser


def rows_by_label(table: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in table[1:] if row}


def upload_counts(body: str) -> dict[str, str]:
    """The counts an upload's report shows: new units, updated, ... rejected lines."""
    return dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", body))


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ---- public pages -------------------------------------------------------------------------------


def test_the_bank_page_shows_its_units_abo_tnc_bands_and_resolution(people, cord_bank):
    upload(
        people["tech"],
        cord_bank,
        [
            unit_row("U1", 1, tnc=150, abo="O", rh="+"),
            unit_row("U2", 2, tnc=95, abo="O", rh="+"),
            unit_row("U3", 3, tnc=250, abo="A", rh="-", hla_a="A2+A1"),
            unit_row("U4", 4, tnc=120, abo="B", rh="+", status="withdrawn"),
        ],
    )
    answer = Client().get("/cord/banks/NCBB/")
    assert answer.status_code == 200
    page = parse(answer)
    # U4 is withdrawn: three banked units; two O+ (2/3 = 66.7 %), one A−.
    assert answer.content.decode().count('id="bank-units">3<') == 1
    tables = list(page.tables.values())
    abo, tnc, resolution = (rows_by_label(t) for t in tables[:3])
    assert abo == {"A Rh−": ["1", "33.3 %", ""], "O Rh+": ["2", "66.7 %", ""]}
    # TNC 150, 95 and 250 × 10^7 cells, banded in the same unit.
    assert tnc["90–119"][0] == "1" and tnc["150–199"][0] == "1" and tnc["≥ 200"][0] == "1"
    assert tnc["< 90"][0] == "0" and tnc["120–149"][0] == "0"
    assert resolution == {"Serology": ["1", "33.3 %", ""], "High resolution": ["2", "66.7 %", ""]}


def test_an_unknown_bank_is_not_found():
    assert Client().get("/cord/banks/NOPE/").status_code == 404


def test_the_network_page_lists_each_bank_with_a_link(people, cord_bank):
    other = Institution.objects.create(
        name="Second Cord Bank", kind=Institution.Kind.CORD_BLOOD_BANK, provider_code="SCB"
    )
    tech2 = make_user("tech2", other, Role.BANK_TECHNICIAN)
    upload(people["tech"], cord_bank, [unit_row("U1", 1), unit_row("U2", 2)])
    upload(tech2, other, [unit_row("X1", 3)])
    answer = Client().get("/cord/")
    banks = rows_by_label(parse(answer).tables["banks"])
    assert banks["National Cord Blood Bank NCBB"][1:3] == ["2", "2"]
    assert banks["Second Cord Bank SCB"][1:3] == ["1", "1"]
    assert 'href="/cord/banks/SCB/"' in answer.content.decode()


def test_the_preliminary_search_counts_matches_by_grade(people, cord_bank):
    upload(
        people["tech"],
        cord_bank,
        [
            unit_row("SAME", 1),  # the patient's typing: 8/8
            unit_row("ONE", 2, hla_a="A*02:01+A*03:01"),  # A*01:01 missing: 7/8
            unit_row("TWO", 3, hla_a="A*02:01+A*03:01", hla_b="B*08:01+B*07:02"),  # 6/8
        ],
    )
    answer = Client().post("/cord/preliminary-search/", {"hla": PATIENT_HLA})
    assert answer.status_code == 200
    counts = rows_by_label(parse(answer).tables["prelim-counts"])
    assert counts["Cord blood units"] == ["1", "1", "1", "0", "0", "3 units"]
    assert counts["Adult volunteer donors"][-1] == "0 donors"


def test_a_bad_typing_in_the_preliminary_search_is_named_with_400(people, cord_bank):
    answer = Client().post("/cord/preliminary-search/", {"hla": "A*99:99+A*01:01^B*08:01"})
    assert answer.status_code == 400
    assert "A*99:99" in answer.content.decode()
    assert 'aria-invalid="true"' in answer.content.decode()
    empty = Client().post("/cord/preliminary-search/", {"hla": ""})
    assert empty.status_code == 400 and "hla" in empty.content.decode()


def test_the_preliminary_search_answers_htmx_with_the_result_only(people, cord_bank):
    upload(people["tech"], cord_bank, [unit_row("SAME", 1)])
    answer = Client().post(
        "/cord/preliminary-search/", {"hla": PATIENT_HLA}, headers={"HX-Request": "true"}
    )
    body = answer.content.decode()
    assert answer.status_code == 200 and body.lstrip().startswith('<div id="prelim-result"')
    assert "<html" not in body


# ---- the web upload -----------------------------------------------------------------------------


def csv_of(rows: list[dict]) -> bytes:
    columns = list(rows[0])
    lines = [",".join(columns)] + [",".join(str(r[c]) for c in columns) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def test_an_upload_with_a_bad_row_is_reported_by_line_and_field_and_not_applied(people, cord_bank):
    bad = unit_row("U2", 2, din_check="Q")
    content = csv_of([unit_row("U1", 1), bad])
    tech = client_of(people["tech"])
    answer = upload_page(
        tech,
        "/cord/banks/NCBB/upload/",
        {"file": SimpleUploadedFile("units.csv", content), "mode": "delta"},
    )
    assert answer.status_code == 200
    assert "1 problem in the upload; nothing was applied." in answer.content.decode()
    errors = parse(answer).tables["upload-errors"]
    assert errors[1][:2] == ["3", "din_check"]  # header on line 1, U2 on line 3
    assert "check character" in errors[1][2]
    assert not Unit.objects.exists()
    page = tech.get("/cord/banks/NCBB/upload/").content.decode()
    assert "/api/v1/cord/units/template.csv" in page


def test_skip_invalid_applies_the_good_rows(people, cord_bank):
    content = csv_of([unit_row("U1", 1), unit_row("U2", 2, din_check="Q"), unit_row("U3", 3)])
    answer = upload_page(
        client_of(people["tech"]),
        "/cord/banks/NCBB/upload/",
        {"file": SimpleUploadedFile("units.csv", content), "mode": "delta", "skip_invalid": "on"},
    )
    assert answer.status_code == 200
    body = answer.content.decode()
    counts = upload_counts(body)
    assert (counts["New units"], counts["Rejected lines"]) == ("2", "1")
    assert "rows validated: 3 of 3" in body
    assert sorted(Unit.objects.values_list("local_id", flat=True)) == ["U1", "U3"]


def test_a_full_upload_withdraws_units_missing_from_the_file(people, cord_bank):
    upload(people["tech"], cord_bank, [unit_row("U1", 1), unit_row("U2", 2)])
    answer = upload_page(
        client_of(people["tech"]),
        "/cord/banks/NCBB/upload/",
        {"file": SimpleUploadedFile("units.csv", csv_of([unit_row("U1", 1)])), "mode": "full"},
    )
    assert answer.status_code == 200
    assert upload_counts(answer.content.decode())["Withdrawn"] == "1"
    assert Unit.objects.get(local_id="U2").status == UnitStatus.WITHDRAWN


def test_an_upload_without_a_file_names_the_field(people, cord_bank):
    answer = client_of(people["tech"]).post("/cord/banks/NCBB/upload/", {"mode": "delta"})
    assert answer.status_code == 400
    assert "file:" in answer.content.decode()


def test_another_banks_staff_cannot_upload_here(people, cord_bank):
    other = Institution.objects.create(
        name="Second Cord Bank", kind=Institution.Kind.CORD_BLOOD_BANK, provider_code="SCB"
    )
    tech2 = make_user("tech2", other, Role.BANK_TECHNICIAN)
    answer = client_of(tech2).post(
        "/cord/banks/NCBB/upload/",
        {"file": SimpleUploadedFile("units.csv", csv_of([unit_row("U1", 1)])), "mode": "delta"},
    )
    assert answer.status_code == 404 and not Unit.objects.exists()


# ---- the dashboard and its Kaplan-Meier plot ----------------------------------------------------

# Five AML patients (day, died?): deaths on days 10, 30 and 50, alive at last follow-up on 20, 40.
# By hand: day 10, 1 death of 5 at risk → S = 4/5 = 0.8; day 20 censored (3 at risk remain);
# day 30, 1 of 3 → S = 0.8 × 2/3 = 0.5333; day 40 censored (1 remains); day 50, 1 of 1 → S = 0.
AML = [(10, True), (20, False), (30, True), (40, False), (50, True)]
# Plot geometry (selectors.KM_*): 820 × 320, plot area x 56..620 (564 px), y 16..272 (256 px);
# the x axis runs to 100 days (the first round length ≥ 50). x = 56 + 564 × day / 100,
# y = 16 + 256 × (1 − S).
Y = {1.0: 16.0, 0.8: 67.2, 0.5333: 135.47, 0.0: 272.0}
X = {0: 56.0, 10: 112.4, 20: 168.8, 30: 225.2, 40: 281.6, 50: 338.0}


def make_transplants(people, cord_bank, plan, diagnosis="aml"):
    """One transplant per (day, died) for fresh patients, written directly: the pages read
    outcomes, the services that write them are tested in test_outcomes."""
    start = Unit.objects.count() + 100
    infused = dt.date(2024, 1, 2)
    for number, (day, died) in enumerate(plan):
        upload(people["tech"], cord_bank, [unit_row(f"T{start + number}", start + number)])
        patient = Patient.objects.create(
            centre=people["coordinator"].institution,
            centre_patient_id=f"{diagnosis}-{number}",
            weight_kg=20,
            diagnosis=diagnosis,
            malignant=diagnosis in ("aml", "all"),
            hla_gl=PATIENT_HLA,
        )
        end = infused + dt.timedelta(days=day)
        transplant = Transplant.objects.create(
            patient=patient,
            infused_on=infused,
            died_on=end if died else None,
            last_followup_on=None if died else end,
            vital_status="dead" if died else "alive",
            neutrophil_engraftment_day=18 + number if day >= 18 + number else None,
        )
        transplant.units.set([Unit.objects.get(local_id=f"T{start + number}")])


AML_LABEL = "Acute myeloid leukaemia (AML)"


@pytest.fixture
def admin(cord_bank):
    return make_user("operator", None, Role.PLATFORM_ADMIN)


def path_numbers(d: str) -> list[tuple[str, float]]:
    return [(cmd, float(num)) for cmd, num in re.findall(r"([MHV])([\d.]+)", d)]


def test_the_kaplan_meier_svg_steps_at_the_hand_computed_heights(people, cord_bank, admin):
    make_transplants(people, cord_bank, AML)
    answer = client_of(admin).get("/cord/dashboard/")
    assert answer.status_code == 200
    page = parse(answer)
    curve = next(
        p for p in page.paths if p["group"] == AML_LABEL and "km-censor" not in p.get("class", "")
    )
    steps = path_numbers(curve["d"].replace(",", " V"))
    verticals = [value for cmd, value in steps if cmd == "V"]
    horizontals = [value for cmd, value in steps if cmd == "H"]
    # Starts at (0, 100 %), then drops at days 10, 30, 50 to 0.8, 0.5333, 0; ends at day 50.
    assert verticals == pytest.approx([Y[1.0], Y[0.8], Y[0.5333], Y[0.0]], abs=0.01)
    assert horizontals == pytest.approx([X[10], X[30], X[50], X[50]], abs=0.01)
    ticks = [
        p["d"] for p in page.paths if p["group"] == AML_LABEL and "km-censor" in p.get("class", "")
    ]
    assert ticks == [
        f"M{X[20]},{Y[0.8]} m-4,0 h8 m-4,-4 v8",
        f"M{X[40]},{Y[0.5333]} m-4,0 h8 m-4,-4 v8",
    ]
    body = answer.content.decode()
    assert '<title id="km-title">Kaplan–Meier overall survival by disease</title>' in body
    assert f"{AML_LABEL}: 5 patients, 3 deaths." in body
    assert "Time after infusion" in body and "Number at risk" in body
    # Numbers at risk under the ticks at days 0, 20, 40, 60, 80 and 100 (time ≥ the tick).
    risk = re.search(rf'<g data-risk="{re.escape(AML_LABEL)}">(.*?)</g>', body).group(1)
    assert re.findall(r'text-anchor="middle">(\d+)<', risk) == ["5", "4", "2", "0", "0", "0"]


# Six ALL patients followed at least 200 days: deaths on days 200 and 380, four alive on day 400.
# By hand: S(100) = 1 (6 at risk); S(365) = 5/6 = 83 % (5 at risk: 380 and the four 400s);
# 3 and 5 years: nobody followed that long, not estimable; the curve never reaches 50 %.
ALL = [(200, True), (380, True), (400, False), (400, False), (400, False), (400, False)]


def test_the_dashboard_shows_survival_only_where_follow_up_reaches(people, cord_bank, admin):
    make_transplants(people, cord_bank, AML)
    make_transplants(people, cord_bank, ALL, diagnosis="all")
    answer = client_of(admin).get("/cord/dashboard/")
    page = parse(answer)
    outcomes = rows_by_label(page.tables["outcomes"])
    survival = rows_by_label(page.tables["survival"])
    all_label = "Acute lymphoblastic leukaemia (ALL)"
    not_yet = "not yet estimable 0 of 5 followed"
    # AML: engraftment days 19, 20, 21, 22 (one died on day 10, before it) → median 20.5.
    assert outcomes[AML_LABEL] == ["5", "4", "20.5", "0", "0", "3"]
    assert outcomes[all_label] == ["6", "6", "20.5", "0", "0", "2"]
    # AML: longest known time 50 days (1 month); the estimate falls to 0 on day 50, with one
    # patient at risk: too few for a median; at day 100 nobody is at risk.
    assert survival[AML_LABEL] == ["5", "1", "not yet estimable", *[not_yet] * 4]
    assert survival[all_label] == [
        "6", "13", "not reached", "100 % 6 at risk", "83 % 5 at risk", not_yet, not_yet,
    ]  # fmt: skip
    # Both together, 11 patients: S(100) = 10/11 × 8/9 × 6/7 = 69 % (only the six ALL patients
    # are followed to day 100), S(365) = 69.3 % × 5/6 = 58 %.
    assert survival["All diseases"][3:5] == ["69 % 6 at risk", "58 % 5 at risk"]
    body = answer.content.decode()
    assert (
        "Follow-up runs 13 months; survival at 3 years is not yet estimable (0 of the 5 "
        "patients needed are followed that long)." in body
    )
    assert 'id="fig-transplants">11<' in body


def test_units_per_bank_and_searches_per_month(people, cord_bank, admin):
    upload(people["tech"], cord_bank, [unit_row("U1", 1), unit_row("U2", 2), unit_row("U3", 3)])
    patient = make_patient(people)
    services.unit_reserve(
        actor=people["coordinator"], unit_id=Unit.objects.get(local_id="U1").pk, patient=patient
    )
    for month, count in ((3, 2), (4, 1)):
        for _ in range(count):
            SavedSearch.objects.create(
                patient=patient,
                criteria={},
                engine_version="x",
                imgt_release="x",
                created_at=timezone.make_aware(dt.datetime(2025, month, 10, 12)),
            )
    page = parse(client_of(admin).get("/cord/dashboard/"))
    assert rows_by_label(page.tables["units-per-bank"]) == {"NCBB": ["3", "2", "1", "0", "0"]}
    assert rows_by_label(page.tables["per-month"]) == {"2025-03": ["2"], "2025-04": ["1"]}


def test_bank_staff_see_their_own_bank_only(people, cord_bank):
    other = Institution.objects.create(
        name="Second Cord Bank", kind=Institution.Kind.CORD_BLOOD_BANK, provider_code="SCB"
    )
    tech2 = make_user("tech2", other, Role.BANK_TECHNICIAN)
    upload(people["tech"], cord_bank, [unit_row("U1", 1), unit_row("U2", 2)])
    upload(tech2, other, [unit_row("X1", 3)])
    page = parse(client_of(tech2).get("/cord/dashboard/"))
    assert rows_by_label(page.tables["units-per-bank"]) == {"SCB": ["1", "1", "0", "0", "0"]}
    assert client_of(people["coordinator"]).get("/cord/dashboard/").status_code == 403


# ---- the coordinator's workflow -----------------------------------------------------------------


@pytest.fixture
def reserved(people, cord_bank):
    upload(people["tech"], cord_bank, [unit_row("U1", 1)])
    patient = make_patient(people, diagnosis="AML")
    unit = Unit.objects.get(local_id="U1")
    return services.unit_reserve(actor=people["coordinator"], unit_id=unit.pk, patient=patient)


def test_the_reservation_list_offers_each_side_its_actions(people, reserved):
    coordinator = client_of(people["coordinator"]).get("/cord/reservations/").content.decode()
    tech = client_of(people["tech"]).get("/cord/reservations/").content.decode()
    assert "Request typing" in coordinator and ">Release<" in coordinator
    assert "Release for shipment" not in coordinator
    assert "Request typing" not in tech and "not requested: needed before shipment" in tech
    # No confirmatory typing yet: the bank reads why it cannot ship, not a button.
    assert "Release for shipment" not in tech and "may not ship yet: no confirmatory typing" in tech


def test_typing_shipment_and_release_from_the_pages(people, reserved):
    coordinator, tech = client_of(people["coordinator"]), client_of(people["tech"])
    url = f"/cord/reservations/{reserved.pk}"
    assert coordinator.post(f"{url}/typing/").status_code == 302
    assert Reservation.objects.get().confirmatory_typing_requested_at is not None
    asked = coordinator.get("/cord/reservations/").content.decode()
    assert "Typing: match" in asked and "Typing: mismatch" in asked and "result awaited" in asked
    # Shipping before the result is recorded is refused, saying what is missing.
    early = tech.post(f"{url}/ship/", follow=True).content.decode()
    assert "the confirmatory typing result is not recorded" in early
    assert Unit.objects.get().status == UnitStatus.RESERVED
    assert coordinator.post(f"{url}/ship/").status_code == 403
    assert coordinator.post(f"{url}/typing-match/").status_code == 302
    assert Reservation.objects.get().confirmatory_typing_result == "match"
    assert "Release for shipment" in tech.get("/cord/reservations/").content.decode()
    assert tech.post(f"{url}/ship/").status_code == 302
    assert Unit.objects.get().status == UnitStatus.SHIPPED
    # Released after shipment: refused, with the reason as a message on the list.
    answer = coordinator.post(f"{url}/release/", follow=True)
    assert "The reservation is shipped" in answer.content.decode()


def test_release_makes_the_unit_available(people, reserved):
    client_of(people["coordinator"]).post(f"/cord/reservations/{reserved.pk}/release/")
    assert Unit.objects.get().status == UnitStatus.AVAILABLE


def test_record_infusion_and_outcomes(people, reserved):
    confirm_typing(people, reserved)
    services.reservation_ship(actor=people["tech"], reservation=reserved)
    coordinator = client_of(people["coordinator"])
    unit = Unit.objects.get()
    today = timezone.localdate()
    patient_url = f"/cord/patients/{reserved.patient_id}"
    bad = coordinator.post(
        f"{patient_url}/transplants/new/", {"units": unit.pk, "infused_on": "2024-13-40"}
    )
    assert bad.status_code == 400 and "infused_on" in bad.content.decode()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    future = coordinator.post(
        f"{patient_url}/transplants/new/", {"units": unit.pk, "infused_on": tomorrow}
    )
    assert future.status_code == 400 and f"infused_on: {tomorrow} is in the future" in (
        future.content.decode()
    )
    answer = coordinator.post(
        f"{patient_url}/transplants/new/", {"units": unit.pk, "infused_on": today.isoformat()}
    )
    transplant = Transplant.objects.get()
    assert answer["location"] == f"/cord/patients/transplants/{transplant.pk}/"
    assert Unit.objects.get().status == UnitStatus.INFUSED
    url = f"/cord/patients/transplants/{transplant.pk}/"
    outcome = {
        "agvhd_grade": "II",
        "cgvhd": "",
        "vital_status": "alive",
        "last_followup_on": today.isoformat(),
    }
    wrong = coordinator.post(url, {**outcome, "agvhd_grade": "V"})
    assert wrong.status_code == 400 and "agvhd_grade" in wrong.content.decode()
    dead_alive = coordinator.post(url, {**outcome, "died_on": today.isoformat()})
    assert dead_alive.status_code == 400
    assert "contradicts the death on" in dead_alive.content.decode()
    assert coordinator.post(url, outcome).status_code == 302
    transplant.refresh_from_db()
    assert (transplant.agvhd_grade, transplant.vital_status) == ("II", "alive")
    assert (transplant.cgvhd, transplant.last_followup_on) == ("", today)


def test_centre_settings_are_saved_and_bad_values_named(people, centre):
    coordinator = client_of(people["coordinator"])
    values = {
        "single_tnc_per_kg": "3.0",
        "single_cd34_per_kg": "1.5",
        "double_tnc_per_kg": "1.5",
        "double_cd34_per_kg": "1.0",
        "nonmalignant_tnc_per_kg": "5.0",
        "search_tnc_per_kg": "1.5",
        "search_cd34_per_kg": "1.0",
        "max_mismatches_of_8": "2",
        "reservation_days": "7",
    }
    bad = coordinator.post("/cord/settings/", {**values, "reservation_days": "0"})
    assert bad.status_code == 400 and "reservation_days" in bad.content.decode()
    assert not CentreSettings.objects.exists()
    assert coordinator.post("/cord/settings/", values).status_code == 302
    saved = CentreSettings.objects.get(centre=centre)
    assert (saved.single_tnc_per_kg, saved.reservation_days) == (3.0, 7)
    assert 'value="3.0"' in coordinator.get("/cord/settings/").content.decode()


SETTINGS = {
    "single_tnc_per_kg": "3.0",
    "single_cd34_per_kg": "1.5",
    "double_tnc_per_kg": "1.5",
    "double_cd34_per_kg": "1.0",
    "nonmalignant_tnc_per_kg": "5.0",
    "search_tnc_per_kg": "1.5",
    "search_cd34_per_kg": "1.0",
    "max_mismatches_of_8": "2",
    "reservation_days": "7",
}


def test_centre_settings_name_every_bad_field_by_its_label_and_keep_what_was_typed(people, centre):
    coordinator = client_of(people["coordinator"])
    typed = {
        **SETTINGS,
        "single_tnc_per_kg": "abc",
        "max_mismatches_of_8": "9",
        "reservation_days": "0",
    }
    body = coordinator.post("/cord/settings/", typed).content.decode()
    assert "3 thresholds need fixing; nothing was saved." in body
    assert 'href="#id_single_tnc_per_kg">Single unit: TNC at least</a>: Enter a number.' in body
    assert (
        ">Most mismatches of 8 before a flag</a>: Ensure this value is less than or equal to 8."
        in body
    )
    assert ">Reservations last</a>: Ensure this value is greater than or equal to 1." in body
    assert 'value="abc"' in body and 'value="9"' in body
    assert not CentreSettings.objects.exists()


def test_centre_settings_refuse_a_double_unit_threshold_above_the_single_unit_one(people, centre):
    coordinator = client_of(people["coordinator"])
    answer = coordinator.post("/cord/settings/", {**SETTINGS, "double_tnc_per_kg": "3.5"})
    body = answer.content.decode()
    assert answer.status_code == 400
    assert (
        ">Double units: TNC of each at least</a>: at most the single-unit TNC threshold "
        "(3.0 × 10⁷/kg)" in body
    )
    assert 'value="3.5"' in body and not CentreSettings.objects.exists()


def test_the_patient_list_shows_only_the_centres_patients(people, centre):
    make_patient(people, centre_patient_id="MINE")
    other = Institution.objects.create(
        name="Other Centre", kind=Institution.Kind.TRANSPLANT_CENTRE, provider_code="OTC"
    )
    elsewhere = make_user("coord3", other, Role.SEARCH_COORDINATOR)
    services.patient_create(
        actor=elsewhere, data={"centre_patient_id": "THEIRS", "weight_kg": 20, "hla": PATIENT_HLA}
    )
    rows = rows_by_label(
        parse(client_of(people["coordinator"]).get("/cord/patients/")).tables["patients"]
    )
    assert list(rows) == ["MINE"]


def test_the_preliminary_search_needs_a_b_and_drb1_and_says_so(people, cord_bank):
    answer = Client().post("/cord/preliminary-search/", {"hla": "A*02:01+A*01:01^C*07:01+C*05:01"})
    body = answer.content.decode()
    assert answer.status_code == 400
    assert "HLA-B, HLA-DRB1: missing: a search needs the patient&#x27;s HLA-A, -B and -DRB1" in body
    assert 'id="prelim-counts"' not in body


def test_an_over_long_preliminary_typing_names_the_limit(people, cord_bank):
    answer = Client().post("/cord/preliminary-search/", {"hla": "A*02:01/" * 300 + "A*01:01"})
    body = answer.content.decode()
    assert answer.status_code == 400
    assert "HLA typing (GL string): At most 2000 characters (this has 2407)" in body
    assert "required" not in body.lower().split('id="prelim-result"')[1]


def test_a_locus_given_one_allele_is_said_to_be_read_as_homozygous(people, cord_bank):
    upload(people["tech"], cord_bank, [unit_row("SAME", 1)])
    one = PATIENT_HLA.replace("A*02:01+A*01:01", "A*02:01")
    assert one != PATIENT_HLA
    answer = Client().post("/cord/preliminary-search/", {"hla": one})
    body = answer.content.decode()
    assert answer.status_code == 200
    assert "One allele at A: read as homozygous" in body
    both = Client().post("/cord/preliminary-search/", {"hla": PATIENT_HLA}).content.decode()
    assert "read as homozygous" not in both.split('id="prelim-result"')[1]


def test_a_confirmatory_typing_mismatch_blocks_shipment(people, reserved):
    coordinator, tech = client_of(people["coordinator"]), client_of(people["tech"])
    url = f"/cord/reservations/{reserved.pk}"
    coordinator.post(f"{url}/typing/")
    done = coordinator.post(f"{url}/typing-mismatch/", follow=True).content.decode()
    assert "found a mismatch: it will not ship" in done and "Mismatch found" in done
    refused = tech.post(f"{url}/ship/", follow=True).content.decode()
    assert "may not ship: its confirmatory typing found a mismatch" in refused
    assert Unit.objects.get().status == UnitStatus.RESERVED
    again = coordinator.post(f"{url}/typing-match/", follow=True).content.decode()
    assert "already recorded: mismatch found" in again


def test_a_typing_result_needs_a_request_first(people, reserved):
    answer = client_of(people["coordinator"]).post(
        f"/cord/reservations/{reserved.pk}/typing-match/", follow=True
    )
    assert "Request confirmatory typing first" in answer.content.decode()
    assert Reservation.objects.get().confirmatory_typing_result == ""


def test_a_semicolon_separated_csv_is_refused_saying_how_to_fix_it(people, cord_bank):
    content = csv_of([unit_row("U1", 1)]).replace(b",", b";")
    answer = upload_page(
        client_of(people["tech"]),
        "/cord/banks/NCBB/upload/",
        {"file": SimpleUploadedFile("units.csv", content), "mode": "delta"},
    )
    body = answer.content.decode()
    assert answer.status_code == 200 and "nothing was applied" in body
    assert "separated by semicolons" in body and "CSV UTF-8 (Comma delimited)" in body
    assert "unknown column" not in body
    assert not Unit.objects.exists()


def test_after_an_upload_the_page_says_what_was_uploaded(people, cord_bank):
    upload(people["tech"], cord_bank, [unit_row("U1", 1)])
    content = csv_of(
        [unit_row("U1", 1, tnc=160), unit_row("U2", 2), unit_row("U3", 3, din_check="Q")]
    )
    tech = client_of(people["tech"])
    answer = upload_page(
        tech,
        "/cord/banks/NCBB/upload/",
        {"file": SimpleUploadedFile("may.csv", content), "mode": "full", "skip_invalid": "on"},
    )
    body = answer.content.decode()
    assert answer.status_code == 200
    assert upload_counts(body) == {
        "New units": "1",
        "Updated": "1",
        "Unchanged": "0",
        "Withdrawn": "0",
        "Rejected lines": "1",
    }
    assert "<strong>may.csv</strong>" in body and "1 line was rejected and skipped" in body
    assert "check character" in str(parse(answer).tables["upload-errors"])
    page = tech.get("/cord/banks/NCBB/upload/").content.decode()
    assert "Your units' DINs use the facility code G1234." in page
