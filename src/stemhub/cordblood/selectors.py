"""Reads of the cord blood platform: records as shown by the API and pages, public statistics,
the operator dashboard's figures and Kaplan-Meier survival estimates."""

import statistics
from collections import Counter
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncMonth

from stemhub.accounts.models import Institution
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
    available = 0
    kinds = Counter()
    for kind, status, abo_value, rh, tnc, hla_a, hla_drb1 in banked.values_list(
        "kind", "status", "abo", "rh", "tnc", "hla_a", "hla_drb1"
    ).iterator(chunk_size=5000):
        total += 1
        kinds[kind] += 1
        available += status == UnitStatus.AVAILABLE
        abo[f"{abo_value}{rh}" or "unknown"] += 1
        if kind == "cord" and tnc is not None:
            band = next((label for low, high, label in TNC_BANDS if low <= tnc < high), "≥ 200")
            bands[band] += 1
        resolution[min(resolution_of(hla_a), resolution_of(hla_drb1), key=RESOLUTIONS.index)] += 1
    return {
        "units": total,
        "available": available,
        "cord": kinds["cord"],
        "adult": kinds["adult"],
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


def survival_at(steps: list[tuple[int, float]], day: int) -> float:
    """The estimate at `day`: the last step at or before it."""
    return next(s for d, s in reversed(steps) if d <= day)


def censor_marks(
    times_events: list[tuple[int, bool]], steps: list[tuple[int, float]]
) -> list[tuple[int, float]]:
    """(day, survival) of each censored patient (alive at last follow-up), for the plot's ticks."""
    return sorted({(t, survival_at(steps, t)) for t, event in times_events if not event})


# The Kaplan–Meier plot: an SVG drawn on the server (no chart library). Plot area in px.
KM_WIDTH, KM_HEIGHT = 820, 320
KM_LEFT, KM_TOP, KM_RIGHT, KM_BOTTOM = 56, 16, 200, 48
KM_COLOURS = ("#0b5c85", "#a4161a", "#0b6e3a", "#8a4b00", "#5b3c88", "#4a5565")
KM_POINTS = ((100, "day 100"), (365, "1 year"), (1825, "5 years"))


def _nice_max(days: int) -> int:
    for step in (30, 100, 180, 365, 730, 1825, 3650, 7300):
        if days <= step:
            return step
    return (days // 3650 + 1) * 3650


def km_plot(groups: dict[str, list[tuple[int, bool]]]) -> dict[str, Any]:
    """Geometry of the survival plot: per group a step path, censoring ticks, a legend entry;
    axes with ticks at round days and at 0, 25, 50, 75, 100 % survival."""
    inner_w = KM_WIDTH - KM_LEFT - KM_RIGHT
    inner_h = KM_HEIGHT - KM_TOP - KM_BOTTOM
    last = max((t for data in groups.values() for t, _ in data), default=0)
    x_max = _nice_max(max(last, 1))

    def x(day: float) -> float:
        return round(KM_LEFT + inner_w * day / x_max, 2)

    def y(survival: float) -> float:
        return round(KM_TOP + inner_h * (1 - survival), 2)

    curves = []
    for number, (name, data) in enumerate(sorted(groups.items())):
        steps = kaplan_meier(data)
        end = max(t for t, _ in data)
        points = [f"M{x(0)},{y(1.0)}"]
        level = 1.0
        for day, survival in steps[1:]:
            points.append(f"H{x(day)}")
            points.append(f"V{y(survival)}")
            level = survival
        points.append(f"H{x(end)}")
        curves.append(
            {
                "name": name,
                "colour": KM_COLOURS[number % len(KM_COLOURS)],
                "path": " ".join(points),
                "steps": steps,
                "ticks": [
                    {"x": x(day), "y": y(survival)} for day, survival in censor_marks(data, steps)
                ],
                "legend_y": KM_TOP + 8 + 22 * number,
                "patients": len(data),
                "deaths": sum(1 for _, event in data if event),
                "final": level,
            }
        )
    tick_step = x_max // 5 if x_max >= 100 else x_max // 3
    x_ticks = [{"x": x(d), "label": d} for d in range(0, x_max + 1, tick_step)]
    y_ticks = [{"y": y(p / 100), "label": f"{p} %"} for p in (0, 25, 50, 75, 100)]
    return {
        "width": KM_WIDTH,
        "height": KM_HEIGHT,
        "left": KM_LEFT,
        "top": KM_TOP,
        "right": KM_LEFT + inner_w,
        "bottom": KM_TOP + inner_h,
        "legend_x": KM_LEFT + inner_w + 16,
        "x_mid": KM_LEFT + inner_w / 2,
        "y_mid": KM_TOP + inner_h / 2,
        "x_max": x_max,
        "x_ticks": x_ticks,
        "y_ticks": y_ticks,
        "curves": curves,
    }


def _median(values: list[int]) -> float:
    return float(statistics.median(values))


def dashboard(bank: Institution | None = None) -> dict[str, Any]:
    """The operator dashboard: the whole network, or one bank's own view (its units, the
    reservations of its units per month, and the transplants that used them)."""
    units = Unit.objects.all()
    transplants = Transplant.objects.all()
    if bank is not None:
        units = units.filter(bank=bank)
        transplants = transplants.filter(units__bank=bank).distinct()
    per_bank = list(
        units.values("bank__provider_code", "bank__name")
        .annotate(n=Count("pk"))
        .order_by("bank__provider_code")
    )
    status_rows = units.values("bank__provider_code", "status").annotate(n=Count("pk")).order_by()
    by_status: dict[str, Counter] = {}
    for row in status_rows:
        by_status.setdefault(row["bank__provider_code"], Counter())[row["status"]] += row["n"]
    if bank is None:
        monthly = SavedSearch.objects.annotate(month=TruncMonth("created_at"))
    else:
        monthly = Reservation.objects.filter(unit__bank=bank).annotate(
            month=TruncMonth("created_at")
        )
    per_month = list(monthly.values("month").annotate(n=Count("pk")).order_by("month"))
    by_disease: dict[str, list[tuple[int, bool]]] = {}
    engraftment: dict[str, list[int]] = {}
    outcomes: dict[str, Counter] = {}
    count = 0
    for row in transplants.values_list(
        "patient__diagnosis",
        "death_day",
        "last_followup_day",
        "neutrophil_engraftment_day",
        "survival_day100",
        "survival_1y",
        "survival_5y",
    ):
        diagnosis, death, followup, engrafted, *survival = row
        count += 1
        name = diagnosis or "unspecified"
        tally = outcomes.setdefault(name, Counter())
        tally["transplants"] += 1
        for key, value in zip(("day100", "1y", "5y"), survival, strict=True):
            tally[f"{key}_{value}"] += 1
        if death is not None:
            by_disease.setdefault(name, []).append((death, True))
        elif followup is not None:
            by_disease.setdefault(name, []).append((followup, False))
        if engrafted is not None:
            engraftment.setdefault(name, []).append(engrafted)
    survival = {name: kaplan_meier(data) for name, data in sorted(by_disease.items())}
    diseases = []
    for name in sorted(outcomes):
        tally = outcomes[name]
        steps = survival.get(name)
        diseases.append(
            {
                "name": name,
                "transplants": tally["transplants"],
                "engrafted": len(engraftment.get(name, [])),
                "engraftment_median": _median(engraftment[name]) if name in engraftment else None,
                "followed": len(by_disease.get(name, [])),
                "deaths": sum(1 for _, event in by_disease.get(name, []) if event),
                "alive": {
                    key: (tally[f"{key}_alive"], tally[f"{key}_alive"] + tally[f"{key}_dead"])
                    for key in ("day100", "1y", "5y")
                },
                "km": [
                    (label, survival_at(steps, day) if steps else None) for day, label in KM_POINTS
                ],
            }
        )
    return {
        "bank": bank,
        "units_per_bank": [
            {
                "code": row["bank__provider_code"],
                "name": row["bank__name"],
                "units": row["n"],
                "available": by_status.get(row["bank__provider_code"], Counter())["available"],
                "reserved": by_status.get(row["bank__provider_code"], Counter())["reserved"],
                "shipped": by_status.get(row["bank__provider_code"], Counter())["shipped"],
                "infused": by_status.get(row["bank__provider_code"], Counter())["infused"],
            }
            for row in per_bank
        ],
        "units": sum(row["n"] for row in per_bank),
        "per_month_label": "Searches" if bank is None else "Reservations of your units",
        "searches_per_month": [(row["month"].strftime("%Y-%m"), row["n"]) for row in per_month],
        "transplants": count,
        "diseases": diseases,
        "engraftment": {
            d["name"]: d["engraftment_median"] for d in diseases if d["engraftment_median"]
        },
        "survival": survival,
        "patients": {name: len(data) for name, data in sorted(by_disease.items())},
        "km_points": [label for _, label in KM_POINTS],
        "plot": km_plot(by_disease) if by_disease else None,
    }


def hla_loci() -> list[str]:
    return list(HLA_FIELDS)
