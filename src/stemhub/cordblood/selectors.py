"""Reads of the cord blood platform: records as the API shows them, the public figures of the
network and of each bank, a bank's own units with their filters, and the operator dashboard
(outcomes through `survival`, which never extrapolates)."""

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.models import Institution
from stemhub.cordblood import survival
from stemhub.cordblood.models import (
    LOCI,
    Diagnosis,
    Patient,
    Reservation,
    SavedSearch,
    Transplant,
    Unit,
    UnitStatus,
)
from stemhub.core.hla import engine as hla_engine
from stemhub.hla import HLAError


def unit_record(unit: Unit) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "kind": unit.kind,
        "bank": unit.bank.provider_code,
        "local_id": unit.local_id,
        "din": unit.din_full,
        "status": unit.status,
        "collection_date": unit.collection_date.isoformat() if unit.collection_date else None,
        "processing_date": unit.processing_date.isoformat() if unit.processing_date else None,
        "freezing_date": unit.freezing_date.isoformat() if unit.freezing_date else None,
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
        "sex": patient.sex,
        "date_of_birth": patient.date_of_birth.isoformat() if patient.date_of_birth else None,
        "birth_year": patient.birth_year,
        "weight_kg": patient.weight_kg,
        "diagnosis": patient.diagnosis,
        "diagnosis_detail": patient.diagnosis_detail,
        "disease_status": patient.disease_status,
        "malignant": patient.malignant,
        "abo": f"{patient.abo}{patient.rh}",
        "hla": patient.hla_gl,
        "dsa": patient.dsa,
        "population": patient.population.code if patient.population else None,
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


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def transplant_record(transplant: Transplant) -> dict[str, Any]:
    return {
        "id": transplant.pk,
        "patient": transplant.patient_id,
        "units": sorted(transplant.units.values_list("pk", flat=True)),
        "infused_on": transplant.infused_on.isoformat(),
        "neutrophil_engraftment_day": transplant.neutrophil_engraftment_day,
        "graft_failure": transplant.graft_failure,
        "agvhd_grade": transplant.agvhd_grade,
        "cgvhd": transplant.cgvhd,
        "relapsed": transplant.relapsed,
        "relapse_on": _iso(transplant.relapse_on),
        "last_followup_on": _iso(transplant.last_followup_on),
        "vital_status": transplant.vital_status,
        "died_on": _iso(transplant.died_on),
    }


# ---- public figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    key: str
    low: float
    high: float
    label: str


# TNC bands of a unit, in × 10^7 cells: the unit banks upload in, store and the pages show
# (per-kg doses in × 10^7/kg).
TNC_BANDS = (
    Band("lt90", 0, 90, "< 90"),
    Band("90-119", 90, 120, "90–119"),
    Band("120-149", 120, 150, "120–149"),
    Band("150-199", 150, 200, "150–199"),
    Band("ge200", 200, float("inf"), "≥ 200"),
)
BAND_BY_KEY = {band.key: band for band in TNC_BANDS}
RESOLUTIONS = ["untyped", "serology", "first field", "low", "high"]
RESOLUTION_WORDS = {
    "untyped": _("Not typed"),
    "serology": _("Serology"),
    "first field": _("First field only"),
    "low": _("Allele list or code"),
    "high": _("High resolution"),
}
RECENT_YEARS = 6


def band_of(tnc: float) -> Band:
    return next(band for band in TNC_BANDS if band.low <= tnc < band.high)


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


def _stats(units: QuerySet[Unit]) -> dict[str, Any]:
    """Figures of banked units (infused and withdrawn ones excluded)."""
    banked = units.exclude(status__in=[UnitStatus.INFUSED, UnitStatus.WITHDRAWN])
    abo: Counter[str] = Counter()
    bands: Counter[str] = Counter()
    resolution: Counter[str] = Counter()
    years: Counter[int] = Counter()
    tncs: list[float] = []
    total = available = 0
    kinds: Counter[str] = Counter()
    this_year = timezone.localdate().year
    year_ago = timezone.localdate() - dt.timedelta(days=365)
    recent = 0
    rows = banked.values_list(
        "kind", "status", "abo", "rh", "tnc", "collection_date", "hla_a", "hla_b", "hla_drb1"
    )
    for kind, status, abo_value, rh, tnc, collected, *typings in rows.iterator(chunk_size=5000):
        total += 1
        kinds[kind] += 1
        available += status == UnitStatus.AVAILABLE
        abo[f"{abo_value} Rh{'+' if rh == '+' else '−'}" if abo_value and rh else abo_value] += 1
        if kind == "cord" and tnc is not None:
            bands[band_of(tnc).label] += 1
            tncs.append(tnc)
        resolution[min((resolution_of(t) for t in typings), key=RESOLUTIONS.index)] += 1
        if collected is not None:
            if collected.year > this_year - RECENT_YEARS:
                years[collected.year] += 1
            recent += collected >= year_ago
    abo_rows = {(label or str(_("Not known"))): n for label, n in sorted(abo.items())}
    return {
        "units": total,
        "available": available,
        "cord": kinds["cord"],
        "adult": kinds["adult"],
        "abo": abo_rows,
        "tnc_bands": {band.label: bands[band.label] for band in TNC_BANDS},
        "tnc_median": round(statistics.median(tncs), 1) if tncs else None,  # × 10^7
        "hla_resolution": {
            str(RESOLUTION_WORDS[name]): resolution[name]
            for name in RESOLUTIONS
            if resolution[name]
        },
        "high_resolution": resolution["high"],
        "collected_per_year": {
            str(year): years[year] for year in range(this_year - RECENT_YEARS + 1, this_year + 1)
        },
        "collected_last_year": recent,
    }


def _cord_banks() -> QuerySet[Institution]:
    return Institution.objects.filter(
        Q(kind=Institution.Kind.CORD_BLOOD_BANK) | Q(cord_units__isnull=False)
    ).distinct()


def network_stats() -> dict[str, Any]:
    banks = _cord_banks().filter(cord_units__isnull=False).distinct().order_by("name")
    return {
        "network": _stats(Unit.objects.all()),
        "banks": [
            {
                "code": bank.provider_code,
                "name": bank.name,
                "city": bank.city,
                "country": bank.country,
                **_stats(Unit.objects.filter(bank=bank)),
            }
            for bank in banks
        ],
    }


def bank_stats(code: str) -> dict[str, Any]:
    return _stats(Unit.objects.filter(bank__provider_code=code))


# ---- a bank's own units -------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitFilters:
    """What a bank's staff narrow their units to (each blank: no filter)."""

    q: str = ""
    status: str = ""
    abo: str = ""
    tnc_band: str = ""
    year: str = ""

    @classmethod
    def of(cls, query: Any) -> "UnitFilters":
        """From a GET query; unknown values are dropped rather than answered with an error."""
        status = query.get("status", "")
        band = query.get("tnc_band", "")
        year = query.get("year", "")
        abo = query.get("abo", "")
        return cls(
            q=" ".join(str(query.get("q", "")).split())[:100],
            status=status if status in UnitStatus.values else "",
            abo=abo if abo in ("A", "B", "AB", "O") else "",
            tnc_band=band if band in BAND_BY_KEY else "",
            year=year if year.isdigit() and len(year) == 4 else "",
        )

    @property
    def any(self) -> bool:
        return any((self.q, self.status, self.abo, self.tnc_band, self.year))


def _antigen_hits(units: QuerySet[Unit], text: str) -> Q:
    """Units whose typing at one locus may carry an antigen or allele (``A2``, ``B44``,
    ``DR15``, ``B*44:02``): they share a P group at some position, as the engine reads serology
    and alleles alike. Each distinct typing text of the locus is matched once."""
    engine = hla_engine()
    try:
        parsed = engine.parse_segment(text)
    except (HLAError, ValueError):
        return Q(pk__in=[])
    if len(parsed) != 1:
        return Q(pk__in=[])
    locus, wanted = next(iter(parsed.items()))
    if locus not in LOCI:
        return Q(pk__in=[])
    field = f"hla_{locus.lower()}"
    texts = units.exclude(**{field: ""}).order_by().values_list(field, flat=True).distinct()
    hits = []
    for typing in texts:
        try:
            found = engine.parse_segment(typing).get(locus)
        except (HLAError, ValueError):
            continue
        if found is not None and engine.match_locus(wanted, found).count:
            hits.append(typing)
    return Q(**{f"{field}__in": hits})


def _search(units: QuerySet[Unit], text: str) -> QuerySet[Unit]:
    """DIN (with or without its check character and spaces), local id, HLA text, or an
    antigen or allele the unit may carry (serology ``A2`` finds ``A*02:01`` and ``A2``)."""
    compact = text.replace(" ", "").upper()
    din = compact[:13] if len(compact) == 14 else compact
    found = Q(din__icontains=din) | Q(local_id__icontains=text) | Q(hla_gl__icontains=compact)
    if " " not in text and compact[:1].isalpha():
        found |= _antigen_hits(units, compact)
    return units.filter(found)


def bank_units(bank: Institution | None, filters: UnitFilters) -> dict[str, Any]:
    """The bank's units (every bank's for `bank` None) matching the filters, newest collection
    first, with the count by status of those matching all but the status filter."""
    units = Unit.objects.select_related("bank")
    if bank is not None:
        units = units.filter(bank=bank)
    if filters.q:
        units = _search(units, filters.q)
    if filters.abo:
        units = units.filter(abo=filters.abo)
    if filters.tnc_band:
        band = BAND_BY_KEY[filters.tnc_band]
        units = units.filter(tnc__gte=band.low)
        if band.high != float("inf"):
            units = units.filter(tnc__lt=band.high)
    if filters.year:
        units = units.filter(collection_date__year=int(filters.year))
    by_status = dict(units.order_by().values_list("status").annotate(n=Count("pk")))
    if filters.status:
        units = units.filter(status=filters.status)
    years = (
        Unit.objects.filter(**({"bank": bank} if bank is not None else {}))
        .exclude(collection_date__isnull=True)
        .dates("collection_date", "year", order="DESC")
    )
    return {
        "units": units.order_by("-collection_date", "local_id"),
        "by_status": [(status, by_status.get(status.value, 0)) for status in UnitStatus],
        "years": [str(day.year) for day in years],
    }


def search_examples(bank: Institution | None) -> tuple[str, str, str] | None:
    """What to type in the units search, taken from the bank's own first unit so the example
    finds something: a local id, the DIN's facility and year, an allele of its HLA-B."""
    units = Unit.objects.exclude(din="").order_by("pk")
    first = (units if bank is None else units.filter(bank=bank)).first()
    if first is None:
        return None
    allele = first.hla_b.split("+")[0]
    return first.local_id, f"{first.din[:5]} {first.din[5:7]}", allele


def units_by_status(bank: Institution | None) -> dict[str, int]:
    units = Unit.objects.all() if bank is None else Unit.objects.filter(bank=bank)
    return dict(units.order_by().values_list("status").annotate(n=Count("pk")))


# ---- the operator dashboard ---------------------------------------------------------------------


def _times(transplants: QuerySet[Transplant]) -> list[tuple[str, int | None, bool, Any]]:
    """Per transplant: disease group, days to death or last follow-up (None when neither is
    known), died?, and the transplant (for engraftment and relapse)."""
    rows = []
    for transplant in transplants.select_related("patient"):
        days = transplant.followup_days
        rows.append(
            (transplant.patient.diagnosis, days, transplant.died_on is not None, transplant)
        )
    return rows


# Short names of the disease groups, where the plot has little room (legend, numbers at risk).
SHORT_DISEASES = {
    Diagnosis.AML: "AML",
    Diagnosis.ALL: "ALL",
    Diagnosis.CML: "CML",
    Diagnosis.MDS: "MDS",
    Diagnosis.THALASSAEMIA: _("Thalassaemia"),
    Diagnosis.SAA: "SAA",
    Diagnosis.IMD: "IMD",
    Diagnosis.PID: "PID",
}


def short_disease_names() -> dict[str, str]:
    """Disease group label (in the active language, as the plot names its curves) -> short name."""
    return {str(code.label): str(short) for code, short in SHORT_DISEASES.items()}


def _disease_label(code: str) -> str:
    return str(Diagnosis(code).label) if code in Diagnosis.values else str(_("Not recorded"))


def _outcome_row(name: str, rows: list[tuple[str, int | None, bool, Any]]) -> dict[str, Any]:
    timed = [(days, died) for _code, days, died, _t in rows if days is not None]
    engrafted = [t.neutrophil_engraftment_day for *_rest, t in rows]
    engrafted = [day for day in engrafted if day is not None]
    return {
        "name": name,
        "transplants": len(rows),
        "engrafted": len(engrafted),
        "engraftment_median": float(statistics.median(engrafted)) if engrafted else None,
        "graft_failures": sum(1 for *_rest, t in rows if t.graft_failure),
        "relapses": sum(1 for *_rest, t in rows if t.relapsed),
        "followed": len(timed),
        "deaths": sum(1 for _days, died in timed if died),
        "followup_months": survival.followup_months(timed),
        "median": survival.median_survival(timed) if timed else None,
        "estimates": survival.estimates(timed),
    }


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
    by_status: dict[str, Counter[str]] = {}
    for row in status_rows:
        by_status.setdefault(row["bank__provider_code"], Counter())[row["status"]] += row["n"]
    if bank is None:
        searches = SavedSearch.objects.annotate(month=TruncMonth("created_at"))
        per_month = list(searches.values("month").annotate(n=Count("pk")).order_by("month"))
    else:
        held = Reservation.objects.filter(unit__bank=bank).annotate(month=TruncMonth("created_at"))
        per_month = list(held.values("month").annotate(n=Count("pk")).order_by("month"))
    rows = _times(transplants)
    groups: dict[str, list[tuple[str, int | None, bool, Any]]] = {}
    for times in rows:
        groups.setdefault(_disease_label(times[0]), []).append(times)
    by_disease = {
        name: [(days, died) for _c, days, died, _t in members if days is not None]
        for name, members in sorted(groups.items())
    }
    by_disease = {name: data for name, data in by_disease.items() if data}
    return {
        "bank": bank,
        "units_per_bank": [
            {
                "code": row["bank__provider_code"],
                "name": row["bank__name"],
                "units": row["n"],
                **{
                    status: by_status.get(row["bank__provider_code"], Counter())[status]
                    for status in ("available", "reserved", "shipped", "infused")
                },
            }
            for row in per_bank
        ],
        "units": sum(row["n"] for row in per_bank),
        "per_month_label": _("Searches") if bank is None else _("Reservations of your units"),
        "searches_per_month": [(row["month"].strftime("%Y-%m"), row["n"]) for row in per_month],
        "transplants": len(rows),
        "overall": _outcome_row(str(_("All diseases")), rows) if rows else None,
        "diseases": [_outcome_row(name, members) for name, members in sorted(groups.items())],
        "milestones": [label for _day, label in survival.MILESTONES],
        "min_at_risk": survival.MIN_AT_RISK,
        "plot": survival.km_plot(by_disease, short_disease_names()) if by_disease else None,
    }
