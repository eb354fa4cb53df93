"""Permission cases of the cord blood API and pages, collected by the matrices.

The matrix actors are anonymous, one user per role at NSCB and staff of OSB; here NSCB plays
both the bank (its technician and admin manage its units) and the centre (its search
coordinator searches and reserves). Objects get fixed primary keys so paths are known.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from stemhub.cordblood import hla_typing as hla
from stemhub.cordblood import index as search_index
from stemhub.cordblood.models import (
    Patient,
    Reservation,
    SavedSearch,
    Transplant,
    Unit,
    UnitStatus,
    UnitUpload,
)
from tests.permissions import EVERYONE, Case, Page

PK = 900001
SEARCHERS = {"search_coordinator", "platform_admin"}
MANAGERS = {"bank_technician", "institution_admin", "platform_admin"}
TYPING = {
    "A": "A*02:01+A*01:01",
    "B": "B*08:01+B*44:02",
    "C": "C*07:01+C*05:01",
    "DRB1": "DRB1*03:01+DRB1*15:01",
}
HLA_GL = "^".join(TYPING.values())
ROW = {
    "local_id": "NEW1",
    "din": "G123498654321",
    "din_check": "H",
    "tnc": 150,
    **{f"hla_{locus.lower()}": text for locus, text in TYPING.items()},
}


def unit(status: str = UnitStatus.AVAILABLE):
    def setup(users: dict[str, Any]) -> None:
        per_locus = {locus: hla.locus_typing(locus, text) for locus, text in TYPING.items()}
        with transaction.atomic():
            Unit.objects.create(
                pk=PK,
                bank=users["bank_technician"].institution,
                local_id="U1",
                din="G123421000001",
                din_check="X",
                tnc=150,
                cd34=5,
                status=status,
                hla_gl=hla.gl_of(per_locus),
                generation=search_index.begin_generation(),
                **{f"hla_{locus.lower()}": text for locus, text in per_locus.items()},
            )

    return setup


def patient(users: dict[str, Any]) -> None:
    Patient.objects.create(
        pk=PK,
        centre=users["search_coordinator"].institution,
        centre_patient_id="P1",
        weight_kg=20,
        hla_gl=hla.gl_of({locus: hla.locus_typing(locus, t) for locus, t in TYPING.items()}),
    )


def unit_and_patient(users: dict[str, Any]) -> None:
    unit()(users)
    patient(users)


def saved_search(users: dict[str, Any]) -> None:
    patient(users)
    SavedSearch.objects.create(
        pk=PK,
        patient_id=PK,
        criteria={"limit": 5},
        engine_version="x",
        imgt_release="x",
        counts={"cord": {"8/8": 1}},
    )


def reservation(state: str = "active", typing: str = ""):
    """A reservation of the unit for the patient; ``typing``: "requested", or the recorded
    confirmatory typing result ("match" lets the bank ship)."""

    def setup(users: dict[str, Any]) -> None:
        unit(UnitStatus.RESERVED if state == "active" else UnitStatus.SHIPPED)(users)
        patient(users)
        reserved = timezone.now() - dt.timedelta(days=3)
        Reservation.objects.create(
            pk=PK,
            unit_id=PK,
            patient_id=PK,
            holder=users["search_coordinator"],
            state=state,
            created_at=reserved,
            expires_at=reserved + dt.timedelta(days=14),
            ended_at=None if state == "active" else reserved + dt.timedelta(days=1),
            confirmatory_typing_requested_at=reserved + dt.timedelta(hours=1) if typing else None,
            confirmatory_typing_result="" if typing in ("", "requested") else typing,
            confirmatory_typing_recorded_at=(
                reserved + dt.timedelta(days=1) if typing not in ("", "requested") else None
            ),
        )

    return setup


def transplant(users: dict[str, Any]) -> None:
    reservation("shipped")(users)
    Transplant.objects.create(pk=PK, patient_id=PK, infused_on=timezone.localdate())


def upload_record(users: dict[str, Any]) -> None:
    UnitUpload.objects.create(
        pk=PK,
        bank=users["bank_technician"].institution,
        filename="units.csv",
        mode="delta",
        applied=False,
        rows=1,
        problem_count=1,
        problems=[{"line": 2, "field": "din", "reason": "required for a cord blood unit"}],
    )


API_CASES = [
    Case("GET", "/api/v1/cord/units/template.csv", EVERYONE),
    Case(
        "POST",
        "/api/v1/cord/banks/{code}/units/import",
        MANAGERS,
        path="/api/v1/cord/banks/NSCB/units/import",
        body={"units": [ROW]},
    ),
    Case(
        "GET",
        "/api/v1/cord/units/{unit_id}",
        SEARCHERS | MANAGERS,
        path=f"/api/v1/cord/units/{PK}",
        setup=unit(),
    ),
    Case(
        "POST",
        "/api/v1/cord/patients",
        SEARCHERS,
        body={"centre_patient_id": "P9", "weight_kg": 20, "hla": HLA_GL},
    ),
    Case(
        "GET",
        "/api/v1/cord/patients/{patient_id}",
        SEARCHERS,
        path=f"/api/v1/cord/patients/{PK}",
        setup=patient,
    ),
    Case(
        "POST",
        "/api/v1/cord/patients/{patient_id}/searches",
        SEARCHERS,
        path=f"/api/v1/cord/patients/{PK}/searches",
        body={"limit": 5},
        setup=unit_and_patient,
    ),
    Case(
        "POST",
        "/api/v1/cord/searches/{search_id}/run",
        SEARCHERS,
        path=f"/api/v1/cord/searches/{PK}/run",
        body={},
        setup=saved_search,
    ),
    Case(
        "POST",
        "/api/v1/cord/units/{unit_id}/reserve",
        SEARCHERS,
        path=f"/api/v1/cord/units/{PK}/reserve",
        body={"patient": PK},
        setup=unit_and_patient,
    ),
    Case(
        "POST",
        "/api/v1/cord/reservations/{reservation_id}/{action}",
        SEARCHERS,
        path=f"/api/v1/cord/reservations/{PK}/release",
        body={},
        setup=reservation(),
    ),
    Case(
        "POST",
        "/api/v1/cord/reservations/{reservation_id}/{action}",
        SEARCHERS,
        path=f"/api/v1/cord/reservations/{PK}/typing",
        body={},
        setup=reservation(),
    ),
    Case(
        "POST",
        "/api/v1/cord/reservations/{reservation_id}/{action}",
        MANAGERS,
        path=f"/api/v1/cord/reservations/{PK}/ship",
        body={},
        setup=reservation(typing="match"),
    ),
    Case(
        "POST",
        "/api/v1/cord/transplants",
        SEARCHERS,
        body={"patient": PK, "units": [PK], "infused_on": dt.date.today().isoformat()},
        setup=reservation("shipped"),
    ),
    Case(
        "PATCH",
        "/api/v1/cord/transplants/{transplant_id}",
        SEARCHERS,
        path=f"/api/v1/cord/transplants/{PK}",
        body={"agvhd_grade": "II", "cgvhd": "none"},
        setup=transplant,
    ),
    Case(
        "POST",
        "/api/v1/cord/preliminary-search",
        EVERYONE,
        body={"hla": "A*02:01+A*01:01^B*08:01+B*44:02^DRB1*03:01+DRB1*15:01"},
        setup=unit(),
    ),
    Case("GET", "/api/v1/cord/network", EVERYONE, setup=unit()),
]

PAGE_CASES = [
    Page("cordblood:network", "/cord/", EVERYONE, setup=unit()),
    Page("cordblood:patient_new", "/cord/patients/new/", SEARCHERS),
    Page(
        "cordblood:patient_new",
        "/cord/patients/new/",
        SEARCHERS,
        method="POST",
        data={"centre_patient_id": "P9", "weight_kg": "20", "hla": HLA_GL},
    ),
    Page("cordblood:patient", f"/cord/patients/{PK}/", SEARCHERS, setup=unit_and_patient),
    Page(
        "cordblood:search_new",
        f"/cord/patients/{PK}/searches/",
        SEARCHERS,
        method="POST",
        data={"donor_type": "cord", "cord_min_matches": "4"},
        setup=unit_and_patient,
    ),
    Page("cordblood:search", f"/cord/patients/searches/{PK}/", SEARCHERS, setup=saved_search),
    Page(
        "cordblood:search",
        f"/cord/patients/searches/{PK}/",
        SEARCHERS,
        method="POST",
        setup=saved_search,
    ),
    Page("cordblood:bank", "/cord/banks/NSCB/", EVERYONE, setup=unit()),
    Page("cordblood:preliminary", "/cord/preliminary-search/", EVERYONE),
    Page(
        "cordblood:preliminary",
        "/cord/preliminary-search/",
        EVERYONE,
        method="POST",
        data={"hla": "A*02:01+A*01:01^B*08:01+B*44:02^DRB1*03:01+DRB1*15:01"},
        setup=unit(),
    ),
    Page("cordblood:upload", "/cord/banks/NSCB/upload/", MANAGERS),
    Page(
        "cordblood:upload_report",
        f"/cord/banks/NSCB/upload/{PK}/",
        MANAGERS,
        setup=upload_record,
    ),
    # A bank's staff see their own bank's dashboard (OSB's technician: OSB's), admins the network.
    Page("cordblood:dashboard", "/cord/dashboard/", MANAGERS | {"other_technician"}),
    # Likewise their own units (OSB's technician: OSB's, none here).
    Page("cordblood:units", "/cord/units/?q=U1&status=available", MANAGERS | {"other_technician"}),
    # One unit: any coordinator (units appear in their search results), its own bank's staff.
    Page("cordblood:unit", f"/cord/units/{PK}/", SEARCHERS | MANAGERS, setup=reservation()),
    Page("cordblood:patients", "/cord/patients/", SEARCHERS, setup=saved_search),
    Page(
        "cordblood:reservations",
        "/cord/reservations/",
        SEARCHERS | MANAGERS | {"other_technician"},
        setup=reservation(),
    ),
    *(
        Page(
            "cordblood:reservation_action",
            f"/cord/reservations/{PK}/{action}/",
            allowed,
            method="POST",
            setup=reservation(typing=typing),
        )
        for action, allowed, typing in (
            ("release", SEARCHERS, ""),
            ("typing", SEARCHERS, ""),
            ("typing-match", SEARCHERS, "requested"),
            ("typing-mismatch", SEARCHERS, "requested"),
            ("ship", MANAGERS, "match"),
        )
    ),
    Page(
        "cordblood:transplant_new",
        f"/cord/patients/{PK}/transplants/new/",
        SEARCHERS,
        method="POST",
        data={"units": PK, "infused_on": dt.date.today().isoformat()},
        setup=reservation("shipped"),
    ),
    Page(
        "cordblood:transplant",
        f"/cord/patients/transplants/{PK}/",
        SEARCHERS,
        setup=transplant,
    ),
    Page(
        "cordblood:transplant",
        f"/cord/patients/transplants/{PK}/",
        SEARCHERS,
        method="POST",
        data={"agvhd_grade": "II", "vital_status": "unknown"},
        setup=transplant,
    ),
    Page("cordblood:centre_settings", "/cord/settings/", SEARCHERS),
    Page(
        "cordblood:centre_settings",
        "/cord/settings/",
        SEARCHERS,
        method="POST",
        data={
            "single_tnc_per_kg": 3.0,
            "single_cd34_per_kg": 1.5,
            "double_tnc_per_kg": 1.5,
            "double_cd34_per_kg": 1.0,
            "nonmalignant_tnc_per_kg": 5.0,
            "search_tnc_per_kg": 1.5,
            "search_cd34_per_kg": 1.0,
            "max_mismatches_of_8": 2,
            "reservation_days": 14,
        },
    ),
    Page(
        "cordblood:unit_reserve",
        f"/cord/units/{PK}/reserve/",
        SEARCHERS,
        method="POST",
        data={"patient": PK},
        setup=unit_and_patient,
    ),
]
