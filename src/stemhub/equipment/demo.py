"""Demo equipment for NSRB, registered through the services: the two LN2 tanks and the −80 °C
freezer of the biobank demo's storage, and the instruments of its QC laboratory, with one
calibration overdue, one due soon and one unit quarantined. Called by `stemhub.biobank.demo`
(the tanks' containers link to their equipment) before it builds the storage, and again after
the banks are placed, for a temperature log of the last days with an excursion in tank 2.

Dates count from the day the demo is loaded, so that "overdue" and "due soon" stay true.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from stemhub.accounts.models import Institution, User
from stemhub.equipment import services
from stemhub.equipment.models import Equipment, Kind, TemperatureLog

TANK_RANGE = {"min_temperature_c": Decimal("-196"), "max_temperature_c": Decimal("-150")}
# name: (registration data, days since the last calibration, days it is valid from today)
UNITS: dict[str, tuple[dict[str, Any], int, int]] = {
    "LN2 tank 1": (
        {"kind": Kind.LN2_TANK, "location": "Cryo room B2", "serial_number": "MVE-1536-0441",
         "calibration_interval_days": 365, **TANK_RANGE},
        100, 265,
    ),
    "LN2 tank 2": (
        {"kind": Kind.LN2_TANK, "location": "Cryo room B2", "serial_number": "MVE-1536-0587",
         "calibration_interval_days": 365, **TANK_RANGE},
        150, 215,
    ),
    "Freezer F1": (
        {"kind": Kind.FREEZER_80, "location": "Cryo room B2", "serial_number": "TSX-60086-17",
         "calibration_interval_days": 365, "min_temperature_c": Decimal("-86"),
         "max_temperature_c": Decimal("-70")},
        200, 165,
    ),
    "Flow cytometer FC-1": (
        {"kind": Kind.FLOW_CYTOMETER, "location": "QC laboratory", "manufacturer": "Cytek",
         "model_name": "Northern Lights", "calibration_interval_days": 365},
        353, 12,
    ),
    "Biosafety cabinet BSC-2": (
        {"kind": Kind.BIOSAFETY_CABINET, "location": "Cell culture suite 1",
         "calibration_interval_days": 365},
        374, -9,
    ),
    "Centrifuge C-3": (
        {"kind": Kind.CENTRIFUGE, "location": "Cell culture suite 1",
         "calibration_interval_days": 365},
        90, 275,
    ),
}  # fmt: skip
QUARANTINED = {"Centrifuge C-3": "Imbalance alarm in the last run; awaiting the service engineer"}
EXCURSION_TANK = "LN2 tank 2"


def register(*, institution: Institution, actor: User) -> dict[str, Equipment]:
    """The units, each calibrated by the service company; some quarantined."""
    today = timezone.localdate()
    units: dict[str, Equipment] = {}
    for name, (data, since, valid_for) in UNITS.items():
        unit = services.equipment_create(
            actor=actor, institution=institution, data={"name": name, **data}
        )
        services.calibration_record(
            actor=actor,
            equipment=unit,
            performed_on=today - timedelta(days=since),
            performed_by="华北计量校准服务有限公司",
            result="passed",
            valid_until=today + timedelta(days=valid_for),
            certificate=f"HBJZ-{today.year}-{unit.pk:04d}",
        )
        if name in QUARANTINED:
            services.equipment_set_status(
                actor=actor, equipment=unit, status="quarantined", reason=QUARANTINED[name]
            )
        units[name] = unit
    return units


def tank_log(now: datetime) -> str:
    """Three days of readings every 30 minutes up to `now`, in range but for two and a half
    hours two days ago, when the tank warmed to −121 °C (a lid left ajar during a refill)."""
    end = now.replace(minute=0 if now.minute < 30 else 30, second=0, microsecond=0)
    warm = [Decimal(t) for t in ("-148.5", "-139.0", "-127.5", "-121.0", "-134.5", "-149.0")]
    start_warm = end - timedelta(days=2)
    lines = ["timestamp,temperature_c"]
    moment = end - timedelta(days=3)
    step = timedelta(minutes=30)
    while moment <= end:
        index = int((moment - start_warm) / step)
        reading = warm[index] if 0 <= index < len(warm) else Decimal("-191.5") + index % 3
        lines.append(f"{moment.isoformat()},{reading}")
        moment += step
    return "\n".join(lines) + "\n"


def excursion(*, units: dict[str, Equipment], actor: User) -> TemperatureLog:
    """Upload tank 2's log: its excursion flags and quarantines the vials stored there."""
    return services.temperature_log_upload(
        actor=actor,
        equipment=units[EXCURSION_TANK],
        content=tank_log(timezone.now()).encode(),
        filename=f"{EXCURSION_TANK.replace(' ', '-').lower()}-{timezone.localdate():%Y%m%d}.csv",
    )
