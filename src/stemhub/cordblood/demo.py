"""Demo data of the cord blood platform, written through its own services: three public banks of
different sizes and populations (two added here, with their operators), their inventories as
uploads (one rejected with its row report), patients of the demo transplant centre with saved
searches and reservations in every state, and earlier transplants with follow-up long enough for
1- and 3-year survival.

Deterministic: fixed seeds, dates counted back from the day it is loaded (a reservation has to be
recent to be active). History that happened "years ago" is written now and then dated back
(`_backdate`): the services stamp the present, and the demo must show the past.
"""

import datetime as dt
import json
import math
import random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from stdnum.iso7064 import mod_37_2

from stemhub.accounts.demo import DEMO_PASSWORD
from stemhub.accounts.models import Institution, RoleGrant, User
from stemhub.audit.triggers import history_rewritable
from stemhub.cordblood import services, transplant_services
from stemhub.cordblood.demo_data import (
    BANKS,
    CHINESE,
    DPB1_CHINESE,
    DPB1_EUROPEAN,
    EUROPEAN,
    HISTORY,
    NEW_BANKS,
    OPERATORS,
    PATIENTS,
    SEROLOGY,
    BankSpec,
    PatientSpec,
)
from stemhub.cordblood.models import (
    MALIGNANT_DIAGNOSES,
    EventKind,
    Patient,
    Reservation,
    SavedSearch,
    TypingResult,
    Unit,
    UnitEvent,
    UnitStatus,
)
from stemhub.cordblood.search import SearchRequest
from stemhub.cordblood.uploads import units_import
from stemhub.core.hla import engine as hla_engine

LOGINS = OPERATORS  # printed by `stemhub demo` with the demo's other logins
LOCUS_FIELDS = ("hla_a", "hla_c", "hla_b", "hla_drb1", "hla_dqb1")
OLD_TYPED = ("hla_a", "hla_b")  # loci older units were typed at low resolution
RH_NEGATIVE = {"chinese": 0.01, "european": 0.15, "mixed": 0.15}
AGVHD = (("0", 4), ("I", 3), ("II", 3), ("III", 1), ("IV", 1))
CENTRE = "UHTC"
COORDINATOR = "coordinator"
NCBB_OPERATOR = "cord-tech"


# ---- banks, operators, inventories --------------------------------------------------------------


def _institutions() -> dict[str, Institution]:
    found = {i.provider_code: i for i in Institution.objects.filter(provider_code__in=["NCBB"])}
    for spec in BANKS:
        if spec.code not in NEW_BANKS:
            continue
        bank = Institution(
            name=spec.name,
            name_zh=spec.name_zh,
            kind=Institution.Kind.CORD_BLOOD_BANK,
            provider_code=spec.code,
            country=spec.country,
            city=spec.city,
            website=f"https://{spec.domain}/",
            contact_email=f"info@{spec.domain}",
        )
        bank.full_clean()
        bank.save()
        found[spec.code] = bank
    return found


def _operators(banks: dict[str, Institution]) -> dict[str, User]:
    """The bank operators of the new banks (one argon2 hash for all), and NCBB's own."""
    password = make_password(DEMO_PASSWORD)
    operators = {"NCBB": User.objects.get(username=NCBB_OPERATOR)}
    for spec in OPERATORS:
        bank = banks[spec.institution]
        user = User.objects.create_user(
            username=spec.username,
            password=None,
            email=f"{spec.username.replace('-', '.')}@{bank.website[8:-1]}",
            first_name=spec.first_name,
            last_name=spec.last_name,
            name_zh=spec.name_zh,
            institution=bank,
        )
        user.password = password
        user.save(update_fields=["password"])
        RoleGrant.objects.bulk_create(RoleGrant(user=user, role=role) for role in spec.roles)
        operators[spec.institution] = user
    return operators


# The populations the demo's banks draw from (populations.demo); a mixed bank's units are left to
# the default population.
DEMO_POPULATION = {"chinese": "CHN", "european": "EUR"}


def _weighted(rng: random.Random, table: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([item for item, _w in table], [w for _i, w in table])[0]


def _haplotypes(spec: BankSpec) -> tuple[tuple[tuple[str, ...], int], ...]:
    return {"european": EUROPEAN, "chinese": CHINESE, "mixed": EUROPEAN + CHINESE}[spec.population]


def _dpb1(spec: BankSpec, rng: random.Random) -> tuple[str, str]:
    table = DPB1_CHINESE if spec.population == "chinese" else DPB1_EUROPEAN
    return _weighted(rng, table), _weighted(rng, table)


def _low_resolution(spec: BankSpec, name: str, first: str, second: str) -> str:
    """An older typing of A or B: serology (WRCB), else the first field only."""
    if spec.population == "european" and name in ("hla_a", "hla_b"):
        return f"{SEROLOGY[first]}+{SEROLOGY[second]}"
    return f"{first[: first.index(':')]}+{second[: second.index(':')]}"


def inventory(spec: BankSpec, today: dt.date) -> tuple[list[dict[str, Any]], dict[int, Any]]:
    """A bank's upload rows, and per unit number its haplotypes and DPB1 (for the patients)."""
    rng = random.Random(spec.seed)
    haplotypes = _haplotypes(spec)
    rows, drawn = [], {}
    for number in range(1, spec.units + 1):
        first, second = _weighted(rng, haplotypes), _weighted(rng, haplotypes)
        dpb1 = _dpb1(spec, rng)
        collected = today - dt.timedelta(days=rng.randint(20, 365 * spec.oldest_years))
        processed = collected + dt.timedelta(days=rng.choice((0, 0, 1)))
        frozen = processed + dt.timedelta(days=rng.choice((0, 0, 0, 1)))
        din = f"{spec.facility}{collected.year % 100:02d}{number:06d}"
        tnc = round(rng.lognormvariate(math.log(spec.tnc_median), 0.33), 1)
        cd34 = round(rng.lognormvariate(math.log(3.2 * tnc / 130), 0.5), 2)
        low = rng.random() < spec.low_resolution
        typing = {
            name: _low_resolution(spec, name, a, b)
            if low and name in ("hla_a", "hla_b")
            else f"{a}+{b}"
            for name, a, b in zip(LOCUS_FIELDS, first, second, strict=True)
        }
        if low and spec.population == "european" and rng.random() < 0.5:
            typing["hla_c"] = typing["hla_dqb1"] = ""
        roll = rng.random()
        rows.append(
            {
                "local_id": f"{spec.code}-{number:05d}",
                "din": din,
                "din_check": mod_37_2.calc_check_digit(din),
                "collection_date": collected.isoformat(),
                "processing_date": processed.isoformat(),
                "freezing_date": frozen.isoformat(),
                "rbc_depleted": "yes" if rng.random() < 0.85 else "no",
                "cryovolume_ml": 25,
                "tnc": tnc,
                "cd34": "" if spec.code == "WRCB" and rng.random() < 0.3 else cd34,
                "viability_pct": rng.randint(85, 99),
                "abo": _weighted(
                    rng,
                    (("O", 30), ("A", 28), ("B", 32), ("AB", 10))
                    if spec.population == "chinese"
                    else (("O", 45), ("A", 40), ("B", 11), ("AB", 4)),
                ),
                "rh": "-"
                if rng.random() < (0.01 if spec.population == "chinese" else 0.15)
                else "+",
                "sex": rng.choice("FM"),
                "attached_segment": "no" if rng.random() < 0.08 else "yes",
                "accreditation": spec.accreditation,
                "idm": "HIV:neg;HBV:neg;HCV:neg;HTLV:neg;CMV:neg",
                "status": "quarantined" if roll < 0.02 else "withdrawn" if roll < 0.05 else "",
                "hla_dpb1": "+".join(dpb1) if rng.random() < spec.dpb1_typed else "",
                "population": DEMO_POPULATION.get(spec.population, ""),
                **typing,
            }
        )
        drawn[number] = (first, second, dpb1)
    return rows, drawn


def _matched_units(rows_of: dict[str, list[dict[str, Any]]]) -> None:
    """The units the demo's patients match are available, with a dose for the patient."""
    for spec in PATIENTS:
        code, number = spec.typing_of
        row = rows_of[code][number - 1]
        row["status"] = ""
        row["tnc"] = max(float(row["tnc"]), round(spec.weight_kg * 2.8, 1))
        row["cd34"] = max(float(row["cd34"] or 0), round(spec.weight_kg * 0.2, 2))
        row["attached_segment"] = "yes"


def _upload(
    actor: User, bank: Institution, filename: str, rows: list[dict[str, Any]], **options: Any
) -> dict[str, Any]:
    return units_import(
        actor=actor,
        bank=bank,
        filename=filename,
        content=json.dumps(rows).encode(),
        **options,
    )


# The adult volunteer donors of the demo: a national registry's, uploaded by the platform admin
# (registries have no pages of their own yet). Chinese haplotypes; a third typed at first field
# at A and B, as older registry typings are, so adult searches show predictions beside them.
REGISTRY = ("NADR", "National Adult Donor Registry (demo)", "国家成人供者登记库（演示）")
REGISTRY_DONORS = 400


def _registry(admin: User, today: dt.date) -> int:
    code, name, name_zh = REGISTRY
    registry = Institution(
        name=name,
        name_zh=name_zh,
        kind=Institution.Kind.REGISTRY,
        provider_code=code,
        country="CN",
        city="Beijing",
        website="https://nadr.example.org/",
        contact_email="info@nadr.example.org",
    )
    registry.full_clean()
    registry.save()
    rng = random.Random(31)
    rows = []
    for number in range(1, REGISTRY_DONORS + 1):
        first, second = _weighted(rng, CHINESE), _weighted(rng, CHINESE)
        low = rng.random() < 0.35
        typing = {
            name: f"{a[: a.index(':')]}+{b[: b.index(':')]}"
            if low and name in ("hla_a", "hla_b")
            else f"{a}+{b}"
            for name, a, b in zip(LOCUS_FIELDS, first, second, strict=True)
        }
        rows.append(
            {
                "kind": "adult",
                "local_id": f"{code}-{number:05d}",
                "sex": rng.choice("FM"),
                "age": rng.randint(18, 55),
                "cmv": rng.choice(("pos", "neg", "neg")),
                "abo": _weighted(rng, (("O", 30), ("A", 28), ("B", 32), ("AB", 10))),
                "rh": "+",
                "population": "CHN",
                **typing,
            }
        )
    report = _upload(admin, registry, "nadr-donors.json", rows, mode="full")
    return int(report["created"])


def _corrections(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A delta upload with mistakes a bank makes: it is refused, and its row report stays."""
    wrong_check = {**rows[4], "din_check": "Q" if rows[4]["din_check"] != "Q" else "R"}
    early = {**rows[5], "processing_date": "2001-01-01"}
    unknown = {**rows[6], "hla_b": "B*99:99+B*08:01"}
    return [wrong_check, early, unknown, rows[7]]


# ---- the centre's patients ----------------------------------------------------------------------


def _born(today: dt.date, years: int, rng: random.Random) -> dt.date:
    return today - dt.timedelta(days=365 * years + rng.randint(10, 300))


def _typing(
    first: tuple[str, ...], second: tuple[str, ...], dpb1: tuple[str, str]
) -> dict[str, str]:
    typing = {name: f"{a}+{b}" for name, a, b in zip(LOCUS_FIELDS, first, second, strict=True)}
    typing["hla_dpb1"] = "+".join(dpb1)
    return typing


def _active_patient(
    spec: PatientSpec, drawn: dict[str, dict[int, Any]], coordinator: User, today: dt.date
) -> Any:
    rng = random.Random(spec.centre_patient_id)
    code, number = spec.typing_of
    typing = _typing(*drawn[code][number])
    if spec.mismatch:
        name, allele = spec.mismatch
        typing[name] = f"{allele}+{typing[name].split('+')[1]}"
    return services.patient_create(
        actor=coordinator,
        data={
            "centre_patient_id": spec.centre_patient_id,
            "sex": spec.sex,
            "date_of_birth": _born(today, spec.born_years_ago, rng).isoformat(),
            "weight_kg": spec.weight_kg,
            "abo": spec.abo,
            "rh": spec.rh,
            "diagnosis": spec.diagnosis,
            "disease_status": spec.disease_status,
            "dsa": list(spec.dsa),
            **typing,
        },
    )


def _reserve_best(
    spec: PatientSpec,
    patient: Patient,
    results: dict[str, Any],
    coordinator: User,
    operators: dict[str, User],
    now: dt.datetime,
) -> None:
    found = results["kinds"]["cord"]["results"]
    if not found or not spec.reservation:
        return
    reservation = services.unit_reserve(
        actor=coordinator, unit_id=found[0]["unit_id"], patient=patient
    )
    if spec.typing_requested:
        services.reservation_request_typing(actor=coordinator, reservation=reservation)
    if spec.typing_result:
        services.reservation_record_typing(
            actor=coordinator, reservation=reservation, result=spec.typing_result
        )
    if spec.reservation == "shipped":
        bank = Unit.objects.get(pk=found[0]["unit_id"]).bank.provider_code
        _confirm_typing(coordinator, reservation)
        services.reservation_ship(actor=operators[bank], reservation=reservation)
    elif spec.reservation == "released":
        services.reservation_release(actor=coordinator, reservation=reservation)
    elif spec.reservation == "expired":
        Reservation.objects.filter(pk=reservation.pk).update(
            created_at=now - dt.timedelta(days=20), expires_at=now - dt.timedelta(days=6)
        )
        services.reservations_expire(now=now)


def _patients(
    drawn: dict[str, dict[int, Any]], coordinator: User, operators: dict[str, User], today: dt.date
) -> int:
    now = timezone.now()
    for age, spec in enumerate(PATIENTS):
        patient = _active_patient(spec, drawn, coordinator, today)
        if not spec.search:
            continue
        saved, results = services.search_run(
            actor=coordinator, patient=patient, request=SearchRequest(dsa_policy="flag")
        )
        ran = now - dt.timedelta(days=2 * (len(PATIENTS) - age), hours=age)
        SavedSearch.objects.filter(pk=saved.pk).update(created_at=ran, last_run_at=ran)
        _reserve_best(spec, patient, results, coordinator, operators, now)
    return len(PATIENTS)


# ---- earlier transplants and their follow-up ----------------------------------------------------


def _confirm_typing(coordinator: User, reservation: Reservation) -> None:
    """A unit ships only after its confirmatory typing confirmed the match."""
    reservation.refresh_from_db()
    if reservation.confirmatory_typing_requested_at is None:
        services.reservation_request_typing(actor=coordinator, reservation=reservation)
    services.reservation_record_typing(
        actor=coordinator, reservation=reservation, result=TypingResult.MATCH
    )


def _backdate(reservation: Reservation, reserved: dt.datetime, shipped: dt.datetime) -> None:
    typed = reserved + dt.timedelta(days=2)
    Reservation.objects.filter(pk=reservation.pk).update(
        created_at=reserved,
        expires_at=reserved + dt.timedelta(days=14),
        ended_at=shipped,
        confirmatory_typing_requested_at=typed,
        confirmatory_typing_recorded_at=shipped - dt.timedelta(days=1),
    )
    events = UnitEvent.objects.filter(unit_id=reservation.unit_id)
    events.filter(kind=EventKind.RESERVED).update(at=reserved)
    events.filter(kind=EventKind.CONFIRMATORY_TYPING).update(at=typed)
    events.filter(kind=EventKind.TYPING_RESULT).update(at=shipped - dt.timedelta(days=1))
    events.filter(kind=EventKind.SHIPPED).update(at=shipped)


def _outcome(
    rng: random.Random, diagnosis: str, odds: tuple[float, float], infused: dt.date, today: dt.date
) -> dict[str, Any]:
    """Follow-up drawn from the group's 1- and 5-year survival; most alive patients were seen
    recently, some were lost to follow-up earlier."""
    one_year, five_years = odds
    draw = rng.random()
    death = (
        rng.randint(20, 365)
        if draw > one_year
        else rng.randint(366, 1826)
        if draw > five_years
        else None
    )
    known = (today - infused).days - rng.randint(5, 90)
    if rng.random() < 0.1:
        known = rng.randint(min(100, known), known)
    values: dict[str, Any] = {
        "agvhd_grade": _weighted(rng, (("0", 4), ("I", 3), ("II", 3), ("III", 1), ("IV", 1)))
    }
    if death is not None and death <= known:
        end = death
        values.update(
            vital_status="dead",
            died_on=infused + dt.timedelta(days=death),
            last_followup_on=infused + dt.timedelta(days=max(death - rng.randint(0, 20), 0)),
        )
    else:
        end = known
        values.update(vital_status="alive", last_followup_on=infused + dt.timedelta(days=known))
    engrafted = rng.randint(14, 42)
    if rng.random() < 0.07 or engrafted > end:
        values["graft_failure"] = engrafted <= end
    else:
        values["neutrophil_engraftment_day"] = engrafted
    if end > 100:
        values["cgvhd"] = _weighted(rng, (("none", 6), ("limited", 2), ("extensive", 1)))
    if diagnosis in MALIGNANT_DIAGNOSES and end > 90 and rng.random() < 0.22:
        values["relapsed"] = True
        values["relapse_on"] = infused + dt.timedelta(days=rng.randint(60, min(end, 900)))
    return values


def _history(
    drawn: dict[str, dict[int, Any]],
    coordinator: User,
    operators: dict[str, User],
    today: dt.date,
    reserved_units: set[int],
) -> int:
    rng = random.Random(2026)
    pool = list(
        Unit.objects.filter(status=UnitStatus.AVAILABLE)
        .exclude(pk__in=reserved_units)
        .select_related("bank")
        .order_by("pk")
    )
    rng.shuffle(pool)
    count = 0
    for diagnosis, how_many, one_year, five_years in HISTORY:
        for _ in range(how_many):
            unit = pool.pop()
            infused = today - dt.timedelta(days=rng.randint(150, 365 * 9))
            count += 1
            child = diagnosis in ("thalassaemia", "imd", "all") or rng.random() < 0.2
            number = int(unit.local_id.rsplit("-", 1)[1])
            first, second, dpb1 = drawn[unit.bank.provider_code][number]
            patient = services.patient_create(
                actor=coordinator,
                data={
                    "centre_patient_id": f"UH{infused.year % 100:02d}-{count:03d}",
                    "sex": rng.choice("FM"),
                    "date_of_birth": _born(
                        infused, rng.randint(2, 14) if child else rng.randint(25, 66), rng
                    ).isoformat(),
                    "weight_kg": rng.randint(12, 40) if child else rng.randint(50, 85),
                    "abo": unit.abo,
                    "rh": unit.rh,
                    "diagnosis": diagnosis,
                    "disease_status": "na" if diagnosis not in MALIGNANT_DIAGNOSES else "cr1",
                    **_typing(first, second, dpb1),
                },
            )
            reservation = services.unit_reserve(actor=coordinator, unit_id=unit.pk, patient=patient)
            _confirm_typing(coordinator, reservation)
            services.reservation_ship(
                actor=operators[unit.bank.provider_code], reservation=reservation
            )
            moment = timezone.make_aware(dt.datetime.combine(infused, dt.time(10)))
            _backdate(reservation, moment - dt.timedelta(days=30), moment - dt.timedelta(days=2))
            transplant = transplant_services.transplant_record(
                actor=coordinator, patient=patient, unit_ids=[unit.pk], infused_on=infused
            )
            UnitEvent.objects.filter(unit=unit, kind=EventKind.INFUSED).update(at=moment)
            transplant_services.transplant_outcome(
                actor=coordinator,
                transplant=transplant,
                values=_outcome(rng, diagnosis, (one_year, five_years), infused, today),
            )
    return count


# ---- the whole cord blood demo ------------------------------------------------------------------


@history_rewritable()  # the demo back-dates the events of the past it makes up
def load(*, stdout: Any = None) -> None:
    hla_engine()  # no IPD-IMGT/HLA release here: HLAError, and `stemhub demo` skips this part
    today = timezone.localdate()
    banks = _institutions()
    operators = _operators(banks)
    coordinator = User.objects.get(username=COORDINATOR)
    rows_of, drawn = {}, {}
    for spec in BANKS:
        rows_of[spec.code], drawn[spec.code] = inventory(spec, today)
    _matched_units(rows_of)
    created = {}
    for spec in BANKS:
        report = _upload(
            operators[spec.code],
            banks[spec.code],
            f"{spec.code.lower()}-inventory.json",
            rows_of[spec.code],
            mode="full",
        )
        created[spec.code] = report["created"]
    ncbb = rows_of["NCBB"]
    _upload(operators["NCBB"], banks["NCBB"], "ncbb-corrections.json", _corrections(ncbb))
    withdraw = [{"local_id": ncbb[9]["local_id"], "action": "withdraw"}]
    _upload(operators["NCBB"], banks["NCBB"], "ncbb-withdrawals.json", withdraw)
    patients = _patients(drawn, coordinator, operators, today)
    reserved = set(Reservation.objects.values_list("unit_id", flat=True))
    transplants = _history(drawn, coordinator, operators, today, reserved)
    donors = _registry(User.objects.get(username="admin"), today)  # after the cord history
    if stdout is not None:
        listed = ", ".join(f"{n} at {code}" for code, n in created.items())
        stdout.write(
            f"cord blood: units {listed}; {donors} adult donors at {REGISTRY[0]}; "
            f"{patients} patients searching at {CENTRE}, "
            f"{transplants} earlier transplants with follow-up\n"
        )
        logins = ", ".join(f"{spec.username} ({spec.institution})" for spec in OPERATORS)
        stdout.write(f"cord blood: bank operators {logins}, in the logins below\n")
