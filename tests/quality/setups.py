"""A bank to test, an instrument, and the results that pass the default release panel."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from stemhub.audit.context import audit_context
from stemhub.biobank.models import CellBank
from stemhub.equipment.models import Calibration, Equipment
from stemhub.quality import services
from stemhub.quality.models import QcResult, QcTest
from stemhub.registry.models import CellLine
from tests.biobank.storage import bank_of, published_line, storage_tree

# The line's registry profile: 8 STR loci, 16 alleles (Amelogenin is not scored).
LINE_PROFILE = {
    "Amelogenin": ["X"],
    "CSF1PO": ["11", "12"],
    "D5S818": ["11", "12"],
    "D7S820": ["10", "11"],
    "D13S317": ["9", "12"],
    "D16S539": ["12", "13"],
    "TH01": ["6", "9.3"],
    "TPOX": ["8", "11"],
    "vWA": ["16", "17"],
}
SAME_PROFILE = (
    "Amelogenin:X;CSF1PO:11,12;D5S818:11,12;D7S820:10,11;D13S317:9,12;D16S539:12,13;"
    "TH01:6,9.3;TPOX:8,11;vWA:16,17"
)

GOOD = {
    "sterility": "no growth",
    "mycoplasma": "negative",
    "endotoxin": "0.5",
    "hiv": "negative",
    "hbv": "negative",
    "hcv": "negative",
    "htlv": "negative",
    "cmv": "negative",
    "ebv": "negative",
    "str-identity": SAME_PROFILE,
    "karyotype": "normal",
    "oct4": "95",
    "nanog": "93",
    "ssea4": "97",
    "tra-1-60": "90",
    "germ-layers": "demonstrated",
    "residual-vector": "not detected",
    "viability": "88",
    "recovery": "65",
    "hla": "concordant",
}

TESTED = date.today() - timedelta(days=3)


def qc_bank(users: dict[str, Any], *, vials: int = 4, tier: str = "mcb") -> CellBank:
    """An MCB of the published line NSCBi001-A (with its STR profile), `vials` vials."""
    tech = users["bank_technician"]
    tree = storage_tree(tech, boxes=1)
    line = published_line(users)
    CellLine.objects.filter(pk=line.pk).update(str_profile=LINE_PROFILE)
    return bank_of(tech, line, [tree["box1"]], count=vials, tier=tier)


def instrument(users: dict[str, Any], name: str = "Flow cytometer 1", **values: Any) -> Equipment:
    tech = users["bank_technician"]
    values.setdefault("next_calibration_due", date.today() + timedelta(days=100))
    with audit_context(actor=tech, reason="test setup"):
        return Equipment.objects.create(
            institution=tech.institution, kind=Equipment.Kind.FLOW_CYTOMETER, name=name, **values
        )


def calibrate(equipment: Equipment, users: dict[str, Any], on: date, **values: Any) -> None:
    with audit_context(actor=users["bank_technician"], reason="test setup"):
        Calibration.objects.create(
            equipment=equipment,
            performed_on=on,
            performed_by="Service Co",
            recorded_by=users["bank_technician"],
            **values,
        )


def qc_test(code: str) -> QcTest:
    return QcTest.objects.get(code=code, current=True)


def record(actor: Any, bank: CellBank, code: str, value: str | None = None, **extra: Any):
    return services.qc_result_record(
        actor=actor,
        bank=bank,
        test=qc_test(code),
        value=GOOD[code] if value is None else value,
        tested_on=extra.pop("tested_on", TESTED),
        **extra,
    )


def pass_everything(actor: Any, bank: CellBank, *, skip: tuple[str, ...] = ()) -> list[QcResult]:
    from stemhub.quality.selectors import required_tests

    return [record(actor, bank, t.code) for t in required_tests(bank) if t.code not in skip]


def limits(**values: Any) -> QcTest:
    """An unsaved quantitative test with these limits (for judging values)."""
    base: dict[str, Any] = {
        "code": "x",
        "name": "X",
        "spec_kind": "quantitative",
        "unit": "%",
        "lower_limit": None,
        "upper_limit": None,
    }
    base.update(values)
    for key in ("lower_limit", "upper_limit"):
        if base[key] is not None:
            base[key] = Decimal(base[key])
    return QcTest(**base)


def excursion_in(unit: Equipment, vials: list[Any], actor: Any, *, pk: int | None = None):
    """An excursion of `unit` yesterday that flagged these vials and quarantined them (rows
    written as a log upload would write them, without going through the stored history)."""
    from django.utils import timezone

    from stemhub.biobank.models import Vial
    from stemhub.equipment.models import Excursion, ExcursionVial, TemperatureLog

    start = timezone.now() - timedelta(days=1)
    with audit_context(actor=actor, reason="test setup"):
        log = TemperatureLog.objects.create(
            equipment=unit,
            filename="tank.csv",
            sha256="0" * 64,
            reading_count=3,
            first_reading_at=start,
            last_reading_at=start + timedelta(hours=1),
            uploaded_by=actor,
        )
        excursion = Excursion.objects.create(
            pk=pk,
            equipment=unit,
            log=log,
            start=start,
            end=start + timedelta(minutes=30),
            min_temperature_c=Decimal("-140"),
            max_temperature_c=Decimal("-121"),
            reading_count=2,
        )
        ExcursionVial.objects.bulk_create(
            ExcursionVial(
                excursion=excursion, vial=v, status_at_detection=v.status, quarantined=True
            )
            for v in vials
        )
        Vial.objects.filter(pk__in=[v.pk for v in vials]).update(status="quarantined")
    return excursion
