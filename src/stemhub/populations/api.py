"""Populations and their haplotype frequency sets over HTTP. Reading needs populations.view;
creating populations, choosing the default and loading sets need populations.manage."""

from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.params import functions as param

from stemhub.accounts.permissions import Perm, require
from stemhub.core.api import AUTHENTICATED, WORDS_PATTERN, file_answer, one_of
from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.populations import services
from stemhub.populations.models import FileFormat, HaplotypeSet, Population, Resolution
from stemhub.populations.selectors import in_use, with_versions

router = Router(tags=["populations"])
CODE_PATTERN = r"^[A-Z][A-Z0-9-]{1,15}$"


class HaplotypeSetOut(Schema):
    id: int
    population: str
    version: int
    in_use: bool
    source: str
    sample_size: int | None
    imgt_release: str
    resolution: str = one_of(Resolution.values)
    loci: list[str]
    haplotype_count: int
    frequency_sum: float
    file_format: str = one_of(FileFormat.values)
    filename: str
    sha256: str
    loaded_at: datetime
    loaded_by: str
    note: str


class PopulationOut(Schema):
    code: str
    name: str
    name_zh: str
    description: str
    is_default: bool
    set_in_use: HaplotypeSetOut | None


class PopulationDetailOut(PopulationOut):
    versions: list[HaplotypeSetOut]


class PopulationIn(Schema):
    code: str = Field(pattern=CODE_PATTERN, description="CAU, CHN-S ...")
    name: str = Field(min_length=1, max_length=120, pattern=WORDS_PATTERN)
    name_zh: str = Field("", max_length=120)
    description: str = ""


def _set(haplotype_set: HaplotypeSet, newest_id: int | None) -> dict[str, Any]:
    return {
        "id": haplotype_set.pk,
        "population": haplotype_set.population.code,
        "version": haplotype_set.version,
        "in_use": haplotype_set.pk == newest_id,
        "source": haplotype_set.source,
        "sample_size": haplotype_set.sample_size,
        "imgt_release": haplotype_set.imgt_release,
        "resolution": haplotype_set.resolution,
        "loci": haplotype_set.loci.split("~"),
        "haplotype_count": haplotype_set.haplotype_count,
        "frequency_sum": haplotype_set.frequency_sum,
        "file_format": haplotype_set.file_format,
        "filename": haplotype_set.filename,
        "sha256": haplotype_set.sha256,
        "loaded_at": haplotype_set.at,
        "loaded_by": haplotype_set.actor.username,
        "note": haplotype_set.note,
    }


def _population(population: Population, *, versions: bool = False) -> dict[str, Any]:
    """`population` as read by `with_versions()` (its versions prefetched, newest first)."""
    sets = list(population.sets.all())
    newest = sets[0].pk if sets else None
    out = {
        "code": population.code,
        "name": population.name,
        "name_zh": population.name_zh,
        "description": population.description,
        "is_default": population.is_default,
        "set_in_use": _set(sets[0], newest) if sets else None,
    }
    if versions:
        out["versions"] = [_set(s, newest) for s in sets]
    return out


def _population_or_404(code: str) -> Population:
    return get_object_or_404(with_versions(), code=code)


@router.get("/populations", response=list[PopulationOut], auth=AUTHENTICATED)
def population_list(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """Needs populations.view: every population with its set in use."""
    require(request.user, Perm.POPULATIONS_VIEW)
    return [_population(p) for p in with_versions()]


@router.post("/populations", response={201: PopulationDetailOut}, auth=AUTHENTICATED)
def population_create(
    request: AuthenticatedHttpRequest, payload: PopulationIn
) -> Status[dict[str, Any]]:
    """Needs populations.manage: a new population (the first one becomes the default)."""
    population = services.population_create(actor=request.user, **payload.dict())
    return Status(201, _population(with_versions().get(pk=population.pk), versions=True))


@router.get("/populations/{code}", response=PopulationDetailOut, auth=AUTHENTICATED)
def population_detail(request: AuthenticatedHttpRequest, code: str) -> dict[str, Any]:
    """Needs populations.view: a population with every version of its set, newest first."""
    require(request.user, Perm.POPULATIONS_VIEW)
    return _population(_population_or_404(code), versions=True)


@router.post("/populations/{code}/default", response=PopulationDetailOut, auth=AUTHENTICATED)
def population_make_default(request: AuthenticatedHttpRequest, code: str) -> dict[str, Any]:
    """Needs populations.manage: make the population the one used where none is given."""
    population = services.population_make_default(
        actor=request.user, population=_population_or_404(code)
    )
    return _population(with_versions().get(pk=population.pk), versions=True)


@router.post("/populations/{code}/sets", response={201: HaplotypeSetOut}, auth=AUTHENTICATED)
def haplotype_set_load(
    request: AuthenticatedHttpRequest,
    code: str,
    file: File[UploadedFile],
    source: str = param.Form(..., min_length=1, max_length=300, pattern=WORDS_PATTERN),
    sample_size: int | None = param.Form(None, ge=1),
    file_format: str = param.Form(FileFormat.CSV, pattern="^(csv|haplomat)$"),
    note: Form[str] = "",
) -> Status[dict[str, Any]]:
    """Needs populations.manage: load a haplotype frequency file (multipart, up to 20 MB
    uncompressed) as the population's next version, which replaces the set in use. The file is
    validated against the platform's IPD-IMGT/HLA release; the first problem is named with its
    line and token and nothing is stored."""
    require(request.user, Perm.POPULATIONS_MANAGE)
    population = _population_or_404(code)
    loaded = services.haplotype_set_load(
        actor=request.user,
        population=population,
        filename=file.name or "frequencies.csv",
        chunks=file.chunks(),
        source=source,
        sample_size=sample_size,
        file_format=file_format,
        note=note,
    )
    return Status(201, _set(loaded, loaded.pk))


@router.get("/haplotype-sets/{set_id}", response=HaplotypeSetOut, auth=AUTHENTICATED)
def haplotype_set_detail(request: AuthenticatedHttpRequest, set_id: int) -> dict[str, Any]:
    """Needs populations.view: one version of a set, with its provenance."""
    require(request.user, Perm.POPULATIONS_VIEW)
    found = get_object_or_404(
        HaplotypeSet.objects.select_related("population", "actor").defer("content"), pk=set_id
    )
    newest = in_use(found.population)
    return _set(found, newest.pk if newest else None)


@router.get("/haplotype-sets/{set_id}/file", auth=AUTHENTICATED,
            openapi_extra=file_answer("application/octet-stream"))  # fmt: skip
def haplotype_set_file(request: AuthenticatedHttpRequest, set_id: int) -> HttpResponse:
    """Needs populations.view: the set's file exactly as loaded (its SHA-256 in
    `X-Content-SHA256`)."""
    require(request.user, Perm.POPULATIONS_VIEW)
    found = get_object_or_404(HaplotypeSet, pk=set_id)
    response = HttpResponse(bytes(found.content), content_type="application/octet-stream")
    name = found.filename.replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-SHA256"] = found.sha256
    return response
