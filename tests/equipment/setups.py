"""Equipment the tests share: the bank's LN2 tank (id 9001) in range −196 to −150 °C."""

from decimal import Decimal
from typing import Any

from stemhub.audit.context import audit_context
from stemhub.equipment.models import Equipment

TANK_ID = 9001


def tank(users: dict[str, Any], **values: Any) -> Equipment:
    technician = users["bank_technician"]
    with audit_context(actor=technician, reason="test setup"):
        return Equipment.objects.create(
            pk=TANK_ID,
            institution=technician.institution,
            kind=Equipment.Kind.LN2_TANK,
            name="Tank 1",
            min_temperature_c=Decimal("-196"),
            max_temperature_c=Decimal("-150"),
            calibration_interval_days=365,
            **values,
        )


def a_tank(users: dict[str, Any]) -> None:
    tank(users)
