"""Which haplotype frequency set a typing is imputed with, and the engine's view of a set.

`set_for(population_id)`: the newest version of that population's set; a population without a
set, or no population, falls back to the default population's. `engine_set(haplotype_set)`: the
engine's validated, indexed `FrequencySet`, read once per process from the stored bytes (the
same object every call, so the engine's imputers and the donor stores are shared).
"""

import threading
from pathlib import Path

from django.conf import settings
from django.db.models import Max, Prefetch, QuerySet

from stemhub.core.hla import engine as hla_engine
from stemhub.core.hla import engine_changed
from stemhub.hla import FrequencySet
from stemhub.populations.models import FileFormat, HaplotypeSet, Population

_lock = threading.Lock()
_loaded: dict[tuple[int, str, str], FrequencySet] = {}


def default_population() -> Population | None:
    return Population.objects.filter(is_default=True).first()


def in_use(population: Population) -> HaplotypeSet | None:
    """The population's set in use: its newest version (None: no set loaded yet)."""
    return population.sets.order_by("-version").first()


def sets_in_use() -> dict[int, int]:
    """Population id → the id of its set in use, for every population with a set (one query)."""
    newest = Population.objects.annotate(newest=Max("sets__version")).filter(newest__isnull=False)
    wanted = {(p.pk, p.newest) for p in newest}
    rows = HaplotypeSet.objects.filter(population__in=[pk for pk, _ in wanted]).values_list(
        "pk", "population_id", "version"
    )
    return {population: pk for pk, population, version in rows if (population, version) in wanted}


def with_versions() -> QuerySet[Population]:
    """Every population with its set versions prefetched, newest first, without their bytes
    (two queries however many populations): `population.sets.all()[0]` is the set in use."""
    versions = HaplotypeSet.objects.select_related("actor", "population").defer("content")
    return Population.objects.prefetch_related(
        Prefetch("sets", queryset=versions.order_by("-version"))
    )


def set_for(population_id: int | None) -> HaplotypeSet | None:
    """The set that imputes a typing of this population (None: the default's); None when
    neither has a set."""
    if population_id is not None:
        found = (
            HaplotypeSet.objects.filter(population_id=population_id)
            .select_related("population")
            .order_by("-version")
            .first()
        )
        if found is not None:
            return found
    return (
        HaplotypeSet.objects.filter(population__is_default=True)
        .select_related("population")
        .order_by("-version")
        .first()
    )


def _file_of(haplotype_set: HaplotypeSet) -> Path:
    folder = Path(settings.DATA_DIR) / "cache" / "frequencies"
    folder.mkdir(parents=True, exist_ok=True)
    content = bytes(haplotype_set.content)
    suffix = ".gz" if content[:2] == b"\x1f\x8b" else ".txt"
    path = folder / f"{haplotype_set.sha256}{suffix}"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(content)
        tmp.replace(path)
    return path


def read_set(
    path: Path, *, source: str, population: str, sample_size: int | None, file_format: str
) -> FrequencySet:
    """Read and validate a file with the process's engine (raises `FrequencySetError`)."""
    return hla_engine().load_frequencies(
        path,
        source=source,
        population=population,
        sample_size=sample_size,
        format="haplomat" if file_format == FileFormat.HAPLOMAT else "csv",
    )


def engine_set(haplotype_set: HaplotypeSet) -> FrequencySet:
    """The engine's `FrequencySet` of a stored set, read once per process and engine release."""
    release = hla_engine().release
    key = (haplotype_set.pk, haplotype_set.sha256, release)  # a restored database reuses ids
    found = _loaded.get(key)
    if found is not None:
        return found
    with _lock:
        found = _loaded.get(key)
        if found is None:
            found = _loaded[key] = read_set(
                _file_of(haplotype_set),
                source=haplotype_set.source,
                population=haplotype_set.population.code,
                sample_size=haplotype_set.sample_size,
                file_format=haplotype_set.file_format,
            )
    return found


def forget() -> None:
    """Drop the sets read by this process (tests that swap the engine)."""
    with _lock:
        _loaded.clear()


engine_changed(forget)
