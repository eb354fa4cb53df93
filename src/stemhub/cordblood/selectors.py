"""Reads of the cord blood platform: records as shown by the API and pages, public statistics,
the operator dashboard's figures and Kaplan-Meier survival estimates."""

from collections import Counter
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncMonth

from stemhub.cordblood.models import (
    HLA_FIELDS,
    Patient,
    Reservation,
    SavedSearch,
    Transplant,
    Unit,
    UnitStatus,
)

TNC_BANDS = ((0, 90, "< 90"), (90, 120, "90–119"), (120, 150, "120–149"), (150, 200, "150–199"))


def unit_record(unit: Unit) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "kind": unit.kind,
        "bank": unit.bank.provider_code,
        "local_id": unit.local_id,
        "din": unit.din_full,
        "status": unit.status,
        "collection_date": unit.collection_date.isoformat() if unit.collection_date else None,
        "tnc": unit.tnc,
        "cd34": unit.cd34,
        "abo": f"{unit.abo}{unit.rh}",
        "hla": unit.hla_by_locus(),
        "attached_segment": unit.attached_segment,
        "accreditation": unit.accreditation,
        "history": [
            {
                "kind": e.kind,
                "from": e.from_status,
                "to": e.to_status,
                "at": e.at.isoformat(),
                "note": e.note,
            }
            for e in unit.events.all()
        ],
    }


def patient_record(patient: Patient) -> dict[str, Any]:
    return {
        "id": patient.pk,
        "centre": patient.centre.provider_code,
        "centre_patient_id": patient.centre_patient_id,
        "weight_kg": patient.weight_kg,
        "malignant": patient.malignant,
        "abo": f"{patient.abo}{patient.rh}",
        "hla": patient.hla_gl,
        "dsa": patient.dsa,
    }


def reservation_record(reservation: Reservation) -> dict[str, Any]:
    return {
        "id": reservation.pk,
        "unit": reservation.unit_id,
        "patient": reservation.patient_id,
        "state": reservation.state,
        "expires_at": reservation.expires_at.isoformat(),
        "confirmatory_typing_requested": reservation.confirmatory_typing_requested_at is not None,
    }


def transplant_record(transplant: Transplant) -> dict[str, Any]:
    return {
        "id": transplant.pk,
        "patient": transplant.patient_id,
        "units": sorted(transplant.units.values_list("pk", flat=True)),
        "infused_on": transplant.infused_on.isoformat(),
        "neutrophil_engraftment_day": transplant.neutrophil_engraftment_day,
        "agvhd_grade": transplant.agvhd_grade,
        "cgvhd": transplant.cgvhd,
        "survival_day100": transplant.survival_day100,
        "survival_1y": transplant.survival_1y,
        "survival_5y": transplant.survival_5y,
    }


def resolution_of(text: str) -> str:
    """The coarsest resolution of one locus typing: serology, first field, MAC or list,
    high (two fields or more, or a G/P group), or untyped."""
    if not text:
        return "untyped"
    tokens = text.replace("+", " ").replace("|", " ").replace("~", " ").split()
    worst = "high"
    for token in tokens:
        name = token.split("*", 1)[-1]
        if "*" not in token:
            return "serology"
        if ":" not in name or name.endswith(":XX"):
            worst = "first field"
        elif "/" in name or any(part.isalpha() and len(part) > 1 for part in name.split(":")):
            worst = "low" if worst == "high" else worst
    return worst


def _stats(units: Any) -> dict[str, Any]:
    banked = units.exclude(status__in=[UnitStatus.INFUSED, UnitStatus.WITHDRAWN])
    abo = Counter()
    bands = Counter()
    resolution = Counter()
    total = 0
    for kind, abo_value, rh, tnc, hla_a, hla_drb1 in banked.values_list(
        "kind", "abo", "rh", "tnc", "hla_a", "hla_drb1"
    ).iterator(chunk_size=5000):
        total += 1
        abo[f"{abo_value}{rh}" or "unknown"] += 1
        if kind == "cord" and tnc is not None:
            band = next((label for low, high, label in TNC_BANDS if low <= tnc < high), "≥ 200")
            bands[band] += 1
        resolution[min(resolution_of(hla_a), resolution_of(hla_drb1), key=RESOLUTIONS.index)] += 1
    return {
        "units": total,
        "abo": dict(sorted(abo.items())),
        "tnc_bands": {label: bands[label] for *_, label in TNC_BANDS} | {"≥ 200": bands["≥ 200"]},
        "hla_resolution": {name: resolution[name] for name in RESOLUTIONS if resolution[name]},
    }


RESOLUTIONS = ["untyped", "serology", "first field", "low", "high"]


def network_stats() -> dict[str, Any]:
    banks = (
        Unit.objects.values_list("bank__provider_code", "bank__name")
        .distinct()
        .order_by("bank__name")
    )
    return {
        "network": _stats(Unit.objects.all()),
        "banks": [
            {"code": code, "name": name, **_stats(Unit.objects.filter(bank__provider_code=code))}
            for code, name in banks
        ],
    }


def bank_stats(code: str) -> dict[str, Any]:
    return _stats(Unit.objects.filter(bank__provider_code=code))


def kaplan_meier(times_events: list[tuple[int, bool]]) -> list[tuple[int, float]]:
    """Steps (day, survival probability) of the product-limit estimate; event True = death."""
    steps = [(0, 1.0)]
    survival = 1.0
    at_risk = len(times_events)
    for day in sorted({t for t, _ in times_events}):
        deaths = sum(1 for t, e in times_events if t == day and e)
        if deaths and at_risk:
            survival *= 1 - deaths / at_risk
            steps.append((day, survival))
        at_risk -= sum(1 for t, _ in times_events if t == day)
    return steps


def dashboard() -> dict[str, Any]:
    per_bank = list(
        Unit.objects.values("bank__provider_code")
        .annotate(n=Count("pk"))
        .order_by("bank__provider_code")
    )
    per_month = list(
        SavedSearch.objects.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    by_disease: dict[str, list[tuple[int, bool]]] = {}
    engraftment: dict[str, list[int]] = {}
    for diagnosis, death, followup, engrafted in Transplant.objects.values_list(
        "patient__diagnosis", "death_day", "last_followup_day", "neutrophil_engraftment_day"
    ):
        name = diagnosis or "unspecified"
        if death is not None:
            by_disease.setdefault(name, []).append((death, True))
        elif followup is not None:
            by_disease.setdefault(name, []).append((followup, False))
        if engrafted is not None:
            engraftment.setdefault(name, []).append(engrafted)
    return {
        "units_per_bank": [(row["bank__provider_code"], row["n"]) for row in per_bank],
        "searches_per_month": [(row["month"].strftime("%Y-%m"), row["n"]) for row in per_month],
        "transplants": Transplant.objects.count(),
        "engraftment": {
            name: sorted(days)[len(days) // 2] for name, days in sorted(engraftment.items())
        },
        "survival": {name: kaplan_meier(data) for name, data in sorted(by_disease.items())},
        "patients": {name: len(data) for name, data in sorted(by_disease.items())},
    }


def hla_loci() -> list[str]:
    return list(HLA_FIELDS)
