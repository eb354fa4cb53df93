"""Pages: the populations with the haplotype frequency set each uses, a population's versions
and the form to load a new one, and a set's provenance and likeliest haplotypes.

Reading needs populations.view; creating populations, choosing the default and loading sets
need populations.manage (platform admins)."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from stemhub.accounts.permissions import Perm, user_can
from stemhub.core.errors import InvalidInput, StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest, page
from stemhub.populations import services
from stemhub.populations.models import FileFormat, HaplotypeSet, Population
from stemhub.populations.selectors import engine_set, in_use, with_versions

viewers = page(Perm.POPULATIONS_VIEW, what=gettext_lazy("Populations and haplotype frequencies"))
managers = page(Perm.POPULATIONS_MANAGE, what=gettext_lazy("Managing populations"))
SHOWN_HAPLOTYPES = 100


@require_GET
@viewers
def population_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs populations.view: every population, its set in use and how many versions."""
    return _list_page(request)


def _list_page(
    request: AuthenticatedHttpRequest,
    *,
    error: StemhubError | None = None,
    values: dict[str, str] | None = None,
) -> HttpResponse:
    rows = []
    for population in with_versions():
        versions = list(population.sets.all())
        rows.append((population, versions[0] if versions else None, len(versions)))
    return render(
        request,
        "populations/list.html",
        {
            "rows": rows,
            "can_manage": user_can(request.user, Perm.POPULATIONS_MANAGE),
            "error": error,
            "values": values or {},
        },
        status=error.status if error else 200,
    )


@require_POST
@managers
def population_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs populations.manage: a new population (the first becomes the default)."""
    values = {key: request.POST.get(key, "") for key in ("code", "name", "name_zh", "description")}
    try:
        population = services.population_create(actor=request.user, **values)
    except StemhubError as error:
        return _list_page(request, error=error, values=values)
    messages.success(
        request,
        _("Population %(code)s created. Load its haplotype frequency set next.")
        % {"code": population.code},
    )
    return redirect("populations:detail", code=population.code)


@require_GET
@viewers
def population_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Needs populations.view: the population's set versions, newest (in use) first; to
    managers, the form to load a new version and to make the population the default."""
    population = get_object_or_404(Population, code=code)
    return _detail_page(request, population)


def _detail_page(
    request: AuthenticatedHttpRequest,
    population: Population,
    *,
    error: StemhubError | None = None,
    values: dict[str, str] | None = None,
) -> HttpResponse:
    versions = list(population.sets.select_related("actor").defer("content"))
    return render(
        request,
        "populations/detail.html",
        {
            "population": population,
            "versions": versions,
            "in_use": versions[0] if versions else None,
            "can_manage": user_can(request.user, Perm.POPULATIONS_MANAGE),
            "formats": FileFormat.choices,
            "error": error,
            "values": values or {},
        },
        status=error.status if error else 200,
    )


@require_POST
@managers
def set_upload(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Needs populations.manage: validate a frequency file and make it the population's set in
    use (a new version)."""
    population = get_object_or_404(Population, code=code)
    values = {
        key: request.POST.get(key, "") for key in ("source", "sample_size", "file_format", "note")
    }
    upload = request.FILES.get("file")
    try:
        sample_size = _whole_number(values["sample_size"])
        if upload is None:
            raise InvalidInput(
                _("Choose the frequency file to load."), fields={"file": [_("required")]}
            )
        loaded = services.haplotype_set_load(
            actor=request.user,
            population=population,
            filename=upload.name or "frequencies.csv",
            chunks=upload.chunks(),
            source=values["source"],
            sample_size=sample_size,
            file_format=values["file_format"] or FileFormat.CSV,
            note=values["note"],
        )
    except StemhubError as error:
        return _detail_page(request, population, error=error, values=values)
    messages.success(
        request,
        _(
            "%(label)s loaded: %(count)s haplotypes over %(loci)s. Searches now predict with "
            "it; searches saved with an earlier version are marked changed."
        )
        % {"label": loaded.label, "count": loaded.haplotype_count, "loci": loaded.loci},
    )
    return redirect("populations:set_detail", pk=loaded.pk)


def _whole_number(text: str) -> int | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise InvalidInput(
            _("The sample size is a whole number of people (1 or more), not %(text)r.")
            % {"text": text},
            fields={"sample_size": [_("a whole number of people")]},
        )
    return int(text)


@require_POST
@managers
def make_default(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Needs populations.manage: the population used where none is given."""
    population = get_object_or_404(Population, code=code)
    services.population_make_default(actor=request.user, population=population)
    messages.success(
        request,
        _("%(code)s is now the default population: typings without a population use its set.")
        % {"code": population.code},
    )
    return redirect("populations:detail", code=population.code)


@require_GET
@viewers
def set_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs populations.view: a set's provenance, its alleles per locus and its likeliest
    haplotypes."""
    haplotype_set = get_object_or_404(
        HaplotypeSet.objects.select_related("population", "actor"), pk=pk
    )
    frequencies = engine_set(haplotype_set)
    order = frequencies.frequency.argsort()[::-1][:SHOWN_HAPLOTYPES]
    top: list[dict[str, Any]] = [
        {
            "rank": rank,
            "alleles": frequencies.haplotypes[row].split("~"),
            "percent": 100 * float(frequencies.frequency[row]),
        }
        for rank, row in enumerate(order.tolist(), start=1)
    ]
    newest = in_use(haplotype_set.population)
    return render(
        request,
        "populations/set_detail.html",
        {
            "set": haplotype_set,
            "population": haplotype_set.population,
            "in_use": newest is not None and newest.pk == haplotype_set.pk,
            "newest": newest,
            "loci": [
                (locus, len(names))
                for locus, names in zip(frequencies.loci, frequencies.alleles, strict=True)
            ],
            "top": top,
            "shown": len(top),
            "sum_percent": 100 * haplotype_set.frequency_sum,
        },
    )


@require_GET
@viewers
def set_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs populations.view: the set's file exactly as loaded."""
    haplotype_set = get_object_or_404(HaplotypeSet, pk=pk)
    content = bytes(haplotype_set.content)
    gzipped = content[:2] == b"\x1f\x8b"
    response = HttpResponse(
        content, content_type="application/gzip" if gzipped else "text/csv; charset=utf-8"
    )
    name = haplotype_set.filename.replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-SHA256"] = haplotype_set.sha256
    return response
