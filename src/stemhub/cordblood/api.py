"""/api/v1/cord/...: uploads, patients, searches, the reservation workflow, public counts."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from stemhub.accounts.models import Institution
from stemhub.accounts.permissions import Perm, user_can
from stemhub.cordblood import selectors, services, transplant_services
from stemhub.cordblood.hla_typing import BadTyping
from stemhub.cordblood.models import SavedSearch, Transplant, Unit
from stemhub.cordblood.search import SearchRequest, preliminary_counts
from stemhub.cordblood.tasks import cord_upload_start
from stemhub.cordblood.upload_rows import template_csv
from stemhub.core.api import AUTHENTICATED, file_answer
from stemhub.core.errors import InvalidInput, NotFound
from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.jobs.api import TaskOut, task_out

router = Router(tags=["cordblood"])


class UploadIn(Schema):
    mode: Literal["full", "delta"] = "delta"
    skip_invalid: bool = False
    format: Literal["csv", "json"] = "json"
    content: str = ""
    units: list[dict[str, Any]] | None = None


class PatientIn(Schema):
    """The typing per locus (`hla_a` ... `hla_dpb1`) and/or as a GL string (`hla`)."""

    centre_patient_id: str = Field(min_length=1)
    weight_kg: float = Field(gt=0, le=300, description="kg")
    hla: str = ""
    hla_a: str = ""
    hla_b: str = ""
    hla_c: str = ""
    hla_drb1: str = ""
    hla_dqb1: str = ""
    hla_dpb1: str = ""
    sex: str = "U"
    date_of_birth: str = ""
    age: int | None = Field(None, ge=0, le=120, description="years")
    # Bounded as the service bounds it (the last 120 years); the year is the server's at start.
    birth_year: int | None = Field(None, ge=1900, le=dt.date.today().year)
    diagnosis: str = ""
    diagnosis_detail: str = ""
    disease_status: str = ""
    malignant: bool = True
    ethnicity: str = ""
    population: str = Field(
        "", max_length=16, description="Population code (GET /api/v1/populations); blank: default"
    )
    abo: str = ""
    rh: str = ""
    dsa: list[str] = []


class SearchIn(Schema):
    donor_type: Literal["cord", "adult", "both"] = "cord"
    cord_rule: Literal["4of8", "6locus"] = "4of8"
    cord_min_matches: int = Field(4, ge=1, le=8)
    adult_rule: Literal["8/8", "7/8", "10/10", "9/10"] = "8/8"
    dsa_policy: Literal["exclude", "flag"] = "exclude"
    limit: int = Field(20, ge=1, le=200)
    rank_ties_by_probability: bool = Field(
        True,
        description="Order units with equal HLA rank keys by P(no mismatch) before cell dose",
    )


class ReserveIn(Schema):
    patient: int


class TransplantIn(Schema):
    patient: int
    units: list[int] = Field(min_length=1)
    infused_on: dt.date


class OutcomeIn(Schema):
    """Dates as YYYY-MM-DD; fields left out keep their value."""

    neutrophil_engraftment_day: int | None = None
    graft_failure: bool | None = None
    agvhd_grade: str | None = None
    cgvhd: str | None = None
    relapsed: bool | None = None
    relapse_on: str | None = None
    last_followup_on: str | None = None
    vital_status: str | None = None
    died_on: str | None = None


class PreliminaryIn(Schema):
    hla: str = Field(min_length=1, description="The patient's typing as a GL string")


class UnitEventOut(Schema):
    kind: str
    from_: str = Field(alias="from")
    to: str
    at: str
    note: str


class UnitOut(Schema):
    id: int
    kind: str
    bank: str
    local_id: str
    din: str
    status: str
    collection_date: str | None
    processing_date: str | None
    freezing_date: str | None
    tnc: float | None = Field(description="× 10^7 cells")
    cd34: float | None = Field(description="× 10^6 cells")
    abo: str
    hla: dict[str, str] = Field(description="The typing per locus (A, B, C, DRB1, DQB1, DPB1)")
    attached_segment: bool | None
    accreditation: list[Any]
    history: list[UnitEventOut]


class PatientOut(Schema):
    id: int
    centre: str
    centre_patient_id: str
    sex: str
    date_of_birth: str | None
    birth_year: int | None
    weight_kg: float = Field(description="kg")
    diagnosis: str
    diagnosis_detail: str
    disease_status: str
    malignant: bool
    abo: str
    hla: str = Field(description="GL string")
    dsa: list[str]
    population: str | None = Field(
        description="Population code (selects the haplotype frequency set); null: the default"
    )


class HaplotypeSetRefOut(Schema):
    id: int
    label: str = Field(description="Population code and version: CHN v2")


class MismatchOddsOut(Schema):
    p0: float = Field(description="P(no mismatch), 0 to 1")
    p1: float = Field(description="P(exactly one mismatch)")
    p2: float = Field(description="P(two mismatches or more)")


class LocusOddsOut(Schema):
    match2: float = Field(description="P(2 of 2 positions match)")
    match1: float = Field(description="P(1 of 2 positions match)")
    match0: float = Field(description="P(no position matches)")


class PredictionOut(Schema):
    """Predicted mismatches from the haplotype frequency sets. ``inexplicable`` names a side
    whose typing no pair of its set explains: then every figure is empty and the allele-level
    match is the only one."""

    haplotype_set: HaplotypeSetRefOut = Field(description="The set the patient was imputed with")
    donor_haplotype_set: HaplotypeSetRefOut = Field(
        description="The set the unit or donor was imputed with (its population's)"
    )
    inexplicable: list[Literal["patient", "donor"]]
    ten: MismatchOddsOut | None = Field(description="Over A, B, C, DRB1, DQB1 (10 positions)")
    eight: MismatchOddsOut | None = Field(description="Over A, B, C, DRB1 (8 positions)")
    loci: dict[str, LocusOddsOut] = Field(description="Per locus of the set")


class LocusMatchOut(Schema):
    count: int | None = Field(description="Positions matched of 2; null: not typed on a side")
    grades: list[str]
    confidences: list[str]
    antigen_matches: int | None
    dpb1: str | None = Field(None, description="DPB1: T-cell-epitope permissiveness")


class SearchResultOut(Schema):
    rank: int
    unit_id: int
    kind: Literal["cord", "adult"]
    bank: str
    local_id: str
    din: str
    abo: str
    abo_group: str
    rh: str
    mismatches: int = Field(description="Allele-level mismatches over the rule's match loci")
    match: str = Field(description="Positions matched of the match loci's: 7/8")
    untyped_loci: list[str]
    loci: dict[str, LocusMatchOut]
    hla: str = Field(description="GL string")
    abo_compatibility: Literal["match", "minor", "major", "bidirectional", "unknown"]
    dsa_conflicts: list[str]
    prediction: PredictionOut | None = Field(
        description="Null when no haplotype frequency set covers the patient or the unit"
    )
    tnc: float | None = Field(None, description="Cord: × 10^7 cells")
    cd34: float | None = Field(None, description="Cord: × 10^6 cells")
    tnc_per_kg: float | None = Field(None, description="Cord: × 10^7/kg")
    cd34_per_kg: float | None = Field(None, description="Cord: × 10^5/kg")
    rbc_depleted: bool | None = None
    cryovolume_ml: float | None = Field(None, description="Cord: mL")
    collection_date: str | None = None
    flags: dict[str, bool] | None = Field(None, description="Cord: guideline flags")
    age: int | None = Field(None, description="Adult donor: years")
    cmv: str | None = None
    sex: str | None = None


class DoubleUnitOut(Schema):
    units: list[int]
    local_ids: list[str]
    matches: list[str]
    combined_tnc_per_kg: float = Field(description="× 10^7/kg")
    combined_cd34_per_kg: float = Field(description="× 10^5/kg")


class SearchKindOut(Schema):
    counts: dict[str, int] = Field(description="Potential matches by grade")
    results: list[SearchResultOut]
    doubles: list[DoubleUnitOut] | None = Field(None, description="Cord: double-unit pairs")


class SearchOut(Schema):
    search: int
    criteria: dict[str, Any]
    imgt_release: str
    engine_version: str
    index_generation: int
    haplotype_set: HaplotypeSetRefOut | None = Field(
        description="The set the patient's predictions use; null: no set is loaded"
    )
    patient_inexplicable: bool = Field(
        False,
        description="No pair of haplotypes in the set gives the patient's typing: no result has "
        "a prediction, only the allele-level match counts",
    )
    kinds: dict[str, SearchKindOut] = Field(description="Per donor kind (cord, adult)")


class ReservationOut(Schema):
    id: int
    unit: int
    patient: int
    state: str
    expires_at: str
    confirmatory_typing_requested: bool


class TransplantOut(Schema):
    id: int
    patient: int
    units: list[int]
    infused_on: str
    neutrophil_engraftment_day: int | None
    graft_failure: bool
    agvhd_grade: str
    cgvhd: str
    relapsed: bool
    relapse_on: str | None
    last_followup_on: str | None
    vital_status: str
    died_on: str | None


class PreliminaryOut(Schema):
    imgt_release: str
    counts: dict[str, dict[str, int]] = Field(description="Per donor kind: matches by grade")
    homozygous: list[str]


class UnitStatsOut(Schema):
    units: int
    available: int
    cord: int
    adult: int
    abo: dict[str, int]
    tnc_bands: dict[str, int]
    tnc_median: float | None = Field(description="× 10^7 cells")
    hla_resolution: dict[str, int]
    high_resolution: int
    collected_per_year: dict[str, int]
    collected_last_year: int


class BankStatsOut(UnitStatsOut):
    code: str
    name: str
    city: str
    country: str


class NetworkOut(Schema):
    network: UnitStatsOut
    banks: list[BankStatsOut]


def _bank(code: str) -> Institution:
    bank = Institution.objects.filter(provider_code=code).first()
    if bank is None:
        raise NotFound(_("No bank %(code)s") % {"code": code})
    return bank


@router.get("/cord/units/template.csv", auth=None, openapi_extra=file_answer("text/csv"))
def units_template(request: HttpRequest) -> HttpResponse:
    """Public: the upload columns, with one example row."""
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="stemhub-cord-units.csv"'
    return response


@router.post("/cord/banks/{code}/units/import", auth=AUTHENTICATED, response={202: TaskOut})
def units_upload(
    request: AuthenticatedHttpRequest, response: HttpResponse, code: str, payload: UploadIn
) -> Status[dict[str, Any]]:
    """Needs cordblood.manage at the bank: queue an upload of units (CSV text in `content`, or
    JSON `units`) and answer 202 with the task (Location: GET /api/v1/tasks/{id}, which gives
    its progress and, at the end, the report: every problem by line and field; nothing is
    applied with a bad row unless `skip_invalid`). A bad mode, an empty file or one over the
    limit is refused at once (400)."""
    import json

    bank = _bank(code)
    if payload.units is not None:
        filename, content = "units.json", json.dumps(payload.units).encode()
    else:
        filename, content = f"units.{payload.format}", payload.content.encode()
    job = cord_upload_start(
        actor=request.user,
        bank=bank,
        filename=filename,
        content=content,
        mode=payload.mode,
        skip_invalid=payload.skip_invalid,
    )
    answer = task_out(job)
    response["Location"] = answer["links"]["self"]
    return Status(202, answer)


@router.get("/cord/units/{unit_id}", auth=AUTHENTICATED, response=UnitOut, by_alias=True)
def unit_detail(request: AuthenticatedHttpRequest, unit_id: int) -> dict[str, Any]:
    """Needs cordblood.search, or cordblood.manage at the unit's bank: a unit and its history."""
    unit = get_object_or_404(Unit.objects.select_related("bank"), pk=unit_id)
    if not (
        user_can(request.user, Perm.CORD_SEARCH)
        or user_can(request.user, Perm.CORD_MANAGE, unit.bank_id)
    ):
        raise NotFound(_("No unit %(id)s") % {"id": unit_id})
    return selectors.unit_record(unit)


@router.post("/cord/patients", auth=AUTHENTICATED, response=PatientOut)
def patient_create(request: AuthenticatedHttpRequest, payload: PatientIn) -> dict[str, Any]:
    """Needs cordblood.search: register a patient of your centre (HLA validated)."""
    patient = services.patient_create(actor=request.user, data=payload.dict())
    return selectors.patient_record(patient)


@router.get("/cord/patients/{patient_id}", auth=AUTHENTICATED, response=PatientOut)
def patient_detail(request: AuthenticatedHttpRequest, patient_id: int) -> dict[str, Any]:
    """Needs cordblood.search at the patient's centre."""
    return selectors.patient_record(services.patient_of(request.user, patient_id))


@router.post("/cord/patients/{patient_id}/searches", auth=AUTHENTICATED, response=SearchOut)
def search_create(
    request: AuthenticatedHttpRequest, patient_id: int, payload: SearchIn
) -> dict[str, Any]:
    """Needs cordblood.search at the patient's centre: run and save a search."""
    patient = services.patient_of(request.user, patient_id)
    saved, results = services.search_run(
        actor=request.user, patient=patient, request=SearchRequest(**payload.dict())
    )
    return {"search": saved.pk, "criteria": saved.criteria, **results}


@router.post("/cord/searches/{search_id}/run", auth=AUTHENTICATED, response=SearchOut)
def search_rerun(request: AuthenticatedHttpRequest, search_id: int) -> dict[str, Any]:
    """Needs cordblood.search at the patient's centre: run a saved search again."""
    saved = SavedSearch.objects.select_related("patient").filter(pk=search_id).first()
    if saved is None or not user_can(request.user, Perm.CORD_SEARCH, saved.patient.centre_id):
        raise NotFound(_("No search %(id)s") % {"id": search_id})
    results = services.search_rerun(actor=request.user, saved=saved)
    return {"search": saved.pk, "criteria": saved.criteria, **results}


@router.post("/cord/units/{unit_id}/reserve", auth=AUTHENTICATED, response=ReservationOut)
def unit_reserve(
    request: AuthenticatedHttpRequest, unit_id: int, payload: ReserveIn
) -> dict[str, Any]:
    """Needs cordblood.search at the patient's centre: reserve an available unit (409 if it
    is not available any more)."""
    patient = services.patient_of(request.user, payload.patient)
    reservation = services.unit_reserve(actor=request.user, unit_id=unit_id, patient=patient)
    return selectors.reservation_record(reservation)


@router.post(
    "/cord/reservations/{reservation_id}/{action}", auth=AUTHENTICATED, response=ReservationOut
)
def reservation_action(
    request: AuthenticatedHttpRequest, reservation_id: int, action: str
) -> dict[str, Any]:
    """Needs cordblood.search at the patient's centre (release, typing) or cordblood.manage at
    the unit's bank (ship): move a reservation on."""
    reservation = services.reservation_of(request.user, reservation_id)
    steps = {
        "release": services.reservation_release,
        "typing": services.reservation_request_typing,
        "ship": services.reservation_ship,
    }
    if action not in steps:
        raise NotFound(_("No action %(action)s") % {"action": action})
    done = steps[action](actor=request.user, reservation=reservation)
    return selectors.reservation_record(done)


@router.post("/cord/transplants", auth=AUTHENTICATED, response=TransplantOut)
def transplant_create(request: AuthenticatedHttpRequest, payload: TransplantIn) -> dict[str, Any]:
    """Needs cordblood.search at the patient's centre: record the infusion of shipped units."""
    patient = services.patient_of(request.user, payload.patient)
    transplant = transplant_services.transplant_record(
        actor=request.user, patient=patient, unit_ids=payload.units, infused_on=payload.infused_on
    )
    return selectors.transplant_record(transplant)


@router.patch("/cord/transplants/{transplant_id}", auth=AUTHENTICATED, response=TransplantOut)
def transplant_outcome(
    request: AuthenticatedHttpRequest, transplant_id: int, payload: OutcomeIn
) -> dict[str, Any]:
    """Needs cordblood.search at the patient's centre: record follow-up outcomes (engraftment
    day or graft failure, GVHD, relapse and its date, last follow-up, status then, death date).
    Contradictions (a death before the last follow-up, "alive" with a death date...) answer 400
    naming the field."""
    transplant = Transplant.objects.select_related("patient").filter(pk=transplant_id).first()
    if transplant is None or not user_can(
        request.user, Perm.CORD_SEARCH, transplant.patient.centre_id
    ):
        raise NotFound(_("No transplant %(id)s") % {"id": transplant_id})
    done = transplant_services.transplant_outcome(
        actor=request.user, transplant=transplant, values=payload.dict(exclude_unset=True)
    )
    return selectors.transplant_record(done)


@router.post("/cord/preliminary-search", auth=None, response=PreliminaryOut)
def preliminary_search(request: HttpRequest, payload: PreliminaryIn) -> dict[str, Any]:
    """Public: counts of potential matches by grade across all banks, from an HLA typing only."""
    try:
        return preliminary_counts(payload.hla)
    except BadTyping as error:
        raise InvalidInput(f"hla: {error.problem}", fields={"hla": [error.reason]}) from None


@router.get("/cord/network", auth=None, response=NetworkOut)
def network_stats(request: HttpRequest) -> dict[str, Any]:
    """Public: units, ABO mix, TNC bands and HLA resolution mix, per bank and in all."""
    return selectors.network_stats()
