"""Keeps the catalogue index in step with the registry."""

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from django.db import transaction
from django.utils import translation

from stemhub.catalogue.grams import gram_text
from stemhub.catalogue.models import CatalogueEntry, CatalogueState, Facet, FacetValue
from stemhub.registry.diseases import find_term
from stemhub.registry.models import CellLine, Status

INDEX_PREFETCH = (
    "synonyms",
    "providers__institution",
    "donor__diseases",
    "modifications",
    "karyotypes",
    "markers",
    "xrefs",
)


def _disease_label(disease: Any) -> str:
    """One label per disease however it was spelled or coded (rows written before folding, or
    by bulk imports)."""
    term = find_term(label=disease.label, term_id=disease.term_id)
    return term.label if term is not None else disease.label


def _disease_label_zh(disease: Any) -> str:
    """The disease's Chinese name, where the curated terms know it."""
    term = find_term(label=disease.label, term_id=disease.term_id)
    return term.label_zh if term is not None else ""


def _in_both_languages(label: Callable[[], object]) -> list[str]:
    """A translated label as English and as Chinese readers search for it: the index must not
    depend on the language of whoever published the line."""
    found = []
    for language in ("en", "zh-hans"):
        with translation.override(language):
            found.append(str(label()))
    return found


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _entry_and_facets(line: CellLine) -> tuple[CatalogueEntry, list[tuple[str, str]]]:
    assert line.published_at is not None  # only published lines are listed
    donor = line.donor
    diseases = list(donor.diseases.all()) if donor else []
    labels = list(dict.fromkeys(_disease_label(d) for d in diseases))
    labels_zh = list(dict.fromkeys(_disease_label_zh(d) or _disease_label(d) for d in diseases))
    modifications = list(line.modifications.all())
    synonyms = [s.name for s in line.synonyms.all()]
    institutions = [line.institution, *(p.institution for p in line.providers.all())]
    providers = {institution.name for institution in institutions}
    facets: list[tuple[str, str]] = [
        (Facet.TYPE, line.line_type),
        (Facet.SPECIES, line.species),
        (Facet.AVAILABILITY, line.availability),
        (Facet.MODIFIED, _yes_no(bool(modifications))),
        (Facet.CLINICAL, _yes_no(line.clinical_grade)),
        *((Facet.PROVIDER, name) for name in sorted(providers)),
        *((Facet.DISEASE, label) for label in labels),
        *((Facet.GENE, m.gene) for m in modifications),
    ]
    if not diseases:
        facets.append((Facet.DISEASE, "Healthy donor" if donor else "Not recorded"))
    if donor:
        facets.append((Facet.SEX, donor.sex))
        if donor.age_bin:
            facets.append((Facet.AGE, donor.age_bin))
    if line.derivation_method:
        facets.append((Facet.METHOD, line.derivation_method))
    if line.vector:
        facets.append((Facet.VECTOR, line.vector))
    data = {
        "STR profile": bool(line.str_profile),
        "HLA typing": bool(line.hla_typing or (donor and donor.hla_typing)),
        "Karyotype": bool(line.karyotypes.all()),
    }
    facets.extend((Facet.DATA, label) for label, present in data.items() if present)

    searchable = [
        line.name,
        line.name_zh,
        *synonyms,
        *labels,
        *(d.label for d in diseases),
        *(_disease_label_zh(d) for d in diseases),
        *(d.term_id for d in diseases),
        *(m.gene for m in modifications),
        *(m.hgvs for m in modifications),
        *_in_both_languages(line.get_line_type_display),
        line.species,
        line.source_cell_type,
        *providers,
        *(institution.name_zh for institution in institutions),
        *(x.accession for x in line.xrefs.all()),
        line.description,
    ]
    search_text = " ".join(dict.fromkeys(part for part in searchable if part)).lower()
    names_zh = [line.name_zh] if line.name_zh else []
    entry = CatalogueEntry(
        line=line,
        name=line.name,
        name_zh=line.name_zh,
        line_type=line.line_type,
        species=line.species,
        availability=line.availability,
        institution_name=line.institution.name,
        institution_name_zh=line.institution.name_zh,
        summary=(", ".join(labels) or ("Healthy donor" if donor else ""))[:300],
        summary_zh="、".join(labels_zh)[:300] if labels_zh != labels else "",
        names_text="\n".join([line.name, *synonyms, *names_zh]).lower(),
        search_text=search_text,
        search_grams=gram_text(search_text),
        published_at=line.published_at,
    )
    unique_facets = list(dict.fromkeys((str(f), v[:200]) for f, v in facets if v))
    return entry, unique_facets


def _write(lines: Iterable[CellLine]) -> int:
    entries: list[CatalogueEntry] = []
    values: list[FacetValue] = []
    for line in lines:
        entry, facets = _entry_and_facets(line)
        entries.append(entry)
        values.extend(FacetValue(entry=entry, facet=f, value=v) for f, v in facets)
    CatalogueEntry.objects.bulk_create(entries)
    FacetValue.objects.bulk_create(values, batch_size=2000)
    return len(entries)


@transaction.atomic
def catalogue_entry_refresh(*, line: CellLine) -> None:
    """Index a published line anew, or drop it from the catalogue if it is not published."""
    CatalogueEntry.objects.filter(pk=line.pk).delete()
    CatalogueState.bump()
    if line.status != Status.PUBLISHED:
        return
    fresh = (
        CellLine.objects.select_related("institution", "donor")
        .prefetch_related(*INDEX_PREFETCH)
        .get(pk=line.pk)
    )
    _write([fresh])


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    it = iter(ids)
    while chunk := list(islice(it, size)):
        yield chunk


Progress = Callable[[str, int, int], None]  # (stage, done, total), as the task runner's


@transaction.atomic
def catalogue_entries_refresh(*, line_ids: Iterable[int], progress: Progress | None = None) -> int:
    """Index many lines anew at once (bulk imports); returns how many are now listed.
    `progress("lines", done, total)` follows each chunk of 500 lines."""
    ids = list(line_ids)
    for chunk in _chunks(ids, 500):
        CatalogueEntry.objects.filter(pk__in=chunk).delete()
    CatalogueState.bump()
    wanted = set(ids)
    published = [
        pk
        for pk in CellLine.objects.filter(status=Status.PUBLISHED).values_list("pk", flat=True)
        if pk in wanted
    ]
    total = 0
    for chunk in _chunks(published, 500):
        lines = (
            CellLine.objects.filter(pk__in=chunk)
            .select_related("institution", "donor")
            .prefetch_related(*INDEX_PREFETCH)
        )
        total += _write(lines)
        if progress is not None:
            progress("lines", total, len(published))
    return total


@transaction.atomic
def catalogue_rebuild(progress: Progress | None = None) -> int:
    """Recompute the whole index from the registry; returns the number of lines indexed
    (`stemhub catalogue rebuild`, and the "catalogue rebuild" task with its progress)."""
    CatalogueEntry.objects.all().delete()
    return catalogue_entries_refresh(
        line_ids=CellLine.objects.filter(status=Status.PUBLISHED).values_list("pk", flat=True),
        progress=progress,
    )
