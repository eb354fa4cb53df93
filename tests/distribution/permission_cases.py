"""Who may call each distribution endpoint and open each distribution page.

The setups bring the researcher's request for the bank's line NSCBi001-A to a state through
the services, then give it the fixed number REQ (the paths name it): on PostgreSQL sequences
do not roll back between tests, so the number the service gave differs from run to run.
"""

from collections.abc import Callable
from typing import Any

from django.db import connection

from stemhub.accounts.models import Role
from stemhub.distribution import reports, services
from stemhub.distribution.models import DistributionRequest
from tests.conftest import PASSWORD
from tests.distribution.setups import (
    available_line,
    distribution_lot,
    make_request,
    ship,
)
from tests.permissions import SIGNED_IN, Case, Page

REQ, CERTIFICATE = 9301, 9401
COMMITTEE_ROLE = getattr(Role, "ACCESS_COMMITTEE", None)
COMMITTEE = {"platform_admin"} | ({COMMITTEE_ROLE.value} if COMMITTEE_ROLE else set())
REVIEWERS = {"curator", "platform_admin"}
SHIPPERS = {"bank_technician", "platform_admin"}
STAFF = REVIEWERS | SHIPPERS | COMMITTEE
VISIBLE = {"researcher"} | STAFF
ALL_STAFF = STAFF | {"other_curator", "other_technician"}


def _next_request_is_req() -> None:
    """The request about to be made gets the id REQ (the cases' URLs name it). Its history
    (signature, events) is append-only, so the id is chosen up front, not rewritten after."""
    table = DistributionRequest._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [table, REQ]
            )
        else:
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, REQ - 1]
            )


def request_in(state: str, *, managed: bool = False) -> Callable[[dict[str, Any]], None]:
    def setup(users: dict[str, Any]) -> None:
        line = available_line(users, managed_access=managed)
        distribution_lot(users, line, count=3)
        from stemhub.quality.models import Certificate

        Certificate.objects.update(id=CERTIFICATE)
        _next_request_is_req()
        found = make_request(users, line)
        assert found.pk == REQ
        steps = ["submitted", "reviewed", "allocated", "shipped", "received"]
        wanted = steps.index(state)
        if wanted >= 1:
            services.distribution_request_review(
                actor=users["curator"], request=found, approve=True, reason="ok"
            )
        if wanted >= 2:
            services.distribution_allocate(actor=users["bank_technician"], request=found)
        if wanted >= 3:
            ship(users, found)
        if wanted >= 4:
            from datetime import date

            reports.distribution_receipt_confirm(
                actor=users["researcher"], request=found, received_on=date(2025, 6, 3)
            )

    return setup


def line_available(users: dict[str, Any]) -> None:
    available_line(users)


NEW_REQUEST = {
    "line": "NSCBi001-A",
    "project_title": "Project",
    "project_summary": "Summary",
    "principal_investigator": "PI",
    "recipient_institution": "Uni",
    "recipient_country": "DE",
    "intended_use": "basic_research",
    "ethics_reference": "EK-1",
    "vials_requested": 1,
    "licence_number": 2,  # the version in force: 0003_translated_labels
    "accept_licence": True,
    "password": PASSWORD,
}
SHIPMENT = {
    "courier": "World Courier",
    "tracking_number": "WC-1",
    "dry_shipper": "DS-1",
    "temperature_logger": "TL-1",
    "shipped_on": "2025-06-02",
}

D = "/api/v1/distribution"
R = f"{D}/requests/{REQ}"
T = f"{D}/requests/{{request_id}}"
API_CASES = [
    Case("GET", f"{D}/licence", SIGNED_IN | {None}),
    Case("GET", f"{D}/requests", SIGNED_IN, setup=request_in("submitted")),
    Case("POST", f"{D}/requests", SIGNED_IN, body=NEW_REQUEST, setup=line_available),
    Case("GET", T, VISIBLE, path=R, setup=request_in("submitted")),
    Case(
        "POST",
        f"{T}/review",
        REVIEWERS,
        path=f"{R}/review",
        body={"decision": "approve", "reason": "ok"},
        setup=request_in("submitted"),
    ),
    Case(
        "POST",
        f"{T}/committee",
        COMMITTEE,
        path=f"{R}/committee",
        body={"decision": "approve", "reason": "ok"},
        setup=request_in("reviewed", managed=True),
    ),
    Case(
        "POST",
        f"{T}/withdraw",
        {"researcher"},
        path=f"{R}/withdraw",
        body={},
        setup=request_in("submitted"),
    ),
    Case("POST", f"{T}/allocate", SHIPPERS, path=f"{R}/allocate", setup=request_in("reviewed")),
    Case(
        "POST",
        f"{T}/release",
        SHIPPERS,
        path=f"{R}/release",
        body={"reason": "cracked"},
        setup=request_in("allocated"),
    ),
    Case("GET", f"{T}/pick-list", SHIPPERS, path=f"{R}/pick-list", setup=request_in("allocated")),
    Case(
        "POST",
        f"{T}/ship",
        SHIPPERS,
        path=f"{R}/ship",
        body=SHIPMENT,
        setup=request_in("allocated"),
    ),
    Case("GET", f"{T}/pack", VISIBLE, path=f"{R}/pack", setup=request_in("shipped")),
    Case(
        "POST",
        f"{T}/receipt",
        {"researcher"},
        path=f"{R}/receipt",
        body={"received_on": "2025-06-03"},
        setup=request_in("shipped"),
    ),
    Case(
        "POST",
        f"{T}/thaw-report",
        {"researcher"},
        path=f"{R}/thaw-report",
        body={"thawed_on": "2025-06-04", "viability": 90, "recovery": 80, "attachment": "good"},
        setup=request_in("received"),
    ),
    Case(
        "POST",
        f"{T}/results",
        {"researcher"},
        path=f"{R}/results",
        body={"title": "Paper", "doi": "10.1000/abc"},
        setup=request_in("received"),
    ),
    Case("GET", f"{D}/statistics", ALL_STAFF, setup=request_in("shipped")),
]

P = f"/distribution/requests/{REQ}"
PAGE_CASES = [
    Page(
        "distribution:request_new",
        "/distribution/lines/NSCBi001-A/request/",
        SIGNED_IN,
        setup=line_available,
    ),
    Page("distribution:requests", "/distribution/requests/", SIGNED_IN),
    Page(
        "distribution:request_queue",
        "/distribution/requests/to-ship/",
        SIGNED_IN,
        setup=request_in("allocated"),
    ),
    Page("distribution:request", f"{P}/", VISIBLE, setup=request_in("submitted")),
    Page("distribution:pick_list", f"{P}/pick-list/", SHIPPERS, setup=request_in("allocated")),
    Page("distribution:pack", f"{P}/pack/", VISIBLE, setup=request_in("shipped")),
    Page(
        "distribution:certificate",
        f"{P}/certificates/{CERTIFICATE}.pdf",
        VISIBLE,
        setup=request_in("shipped"),
    ),
    Page(
        "distribution:request_action",
        f"{P}/review/",
        REVIEWERS,
        method="POST",
        data={"decision": "approve", "reason": "ok"},
        setup=request_in("submitted"),
    ),
    Page(
        "distribution:request_action",
        f"{P}/allocate/",
        SHIPPERS,
        method="POST",
        setup=request_in("reviewed"),
    ),
    Page(
        "distribution:request_action",
        f"{P}/receipt/",
        {"researcher"},
        method="POST",
        data={"received_on": "2025-06-03"},
        setup=request_in("shipped"),
    ),
    Page("distribution:statistics", "/distribution/statistics/", ALL_STAFF),
    Page("distribution:statistics_csv", "/distribution/statistics/by-line.csv", ALL_STAFF),
]
