"""Who may read and write the equipment register (biobank.view to read, equipment.manage to
write, both for the unit's institution)."""

from tests.equipment.setups import a_tank
from tests.permissions import INSIDERS, OTHERS, Case, Page

MANAGERS = {"bank_technician", "qa_manager", "institution_admin", "platform_admin"}
TANK = "/api/v1/equipment/9001"
LOG = "timestamp,temperature_c\n2026-01-01T00:00:00Z,-190\n2026-01-01T00:10:00Z,-140\n"

API_CASES = [
    Case("GET", "/api/v1/equipment", INSIDERS | OTHERS, setup=a_tank),
    Case(
        "POST",
        "/api/v1/equipment",
        MANAGERS | {"other_technician", "other_qa"},
        body={
            "kind": "freezer_80",
            "name": "Freezer A",
            "min_temperature_c": -90,
            "max_temperature_c": -70,
        },
    ),
    Case("GET", "/api/v1/equipment/due", INSIDERS | OTHERS, setup=a_tank),
    Case("GET", "/api/v1/equipment/{equipment_id}", INSIDERS, path=TANK, setup=a_tank),
    Case(
        "PATCH",
        "/api/v1/equipment/{equipment_id}",
        MANAGERS,
        path=TANK,
        body={"location": "Room 2", "reason": "moved"},
        setup=a_tank,
    ),
    Case(
        "POST",
        "/api/v1/equipment/{equipment_id}/status",
        MANAGERS,
        path=f"{TANK}/status",
        body={"status": "out_of_service", "reason": "repair"},
        setup=a_tank,
    ),
    Case(
        "POST",
        "/api/v1/equipment/{equipment_id}/calibrations",
        MANAGERS,
        path=f"{TANK}/calibrations",
        body={"performed_on": "2026-01-10", "performed_by": "Acme", "result": "passed"},
        setup=a_tank,
    ),
    Case(
        "POST",
        "/api/v1/equipment/{equipment_id}/maintenance",
        MANAGERS,
        path=f"{TANK}/maintenance",
        body={"performed_on": "2026-01-10", "performed_by": "Acme", "description": "Seal"},
        setup=a_tank,
    ),
    Case(
        "POST",
        "/api/v1/equipment/{equipment_id}/temperature-logs",
        MANAGERS,
        path=f"{TANK}/temperature-logs",
        body={"filename": "tank.csv", "content": LOG},
        setup=a_tank,
    ),
    Case(
        "GET",
        "/api/v1/equipment/{equipment_id}/excursions",
        INSIDERS,
        path=f"{TANK}/excursions",
        setup=a_tank,
    ),
]

PAGE_CASES = [
    Page("equipment:list", "/equipment/", INSIDERS | OTHERS, setup=a_tank),
    Page("equipment:detail", "/equipment/9001/", INSIDERS, setup=a_tank),
    Page(
        "equipment:upload_log",
        "/equipment/9001/temperature-logs/",
        MANAGERS,
        method="POST",
        data={"content": LOG},
        setup=a_tank,
    ),
    Page(
        "equipment:calibration_record",
        "/equipment/9001/calibrations/",
        MANAGERS,
        method="POST",
        data={"performed_on": "2026-01-10", "performed_by": "Acme", "result": "passed"},
        setup=a_tank,
    ),
]
