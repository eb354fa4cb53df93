"""Catalogue search: ranked full text (PostgreSQL) or term matching (SQLite), facet filters
and facet counts. A term in Chinese (or another CJK script) is matched as a substring, on both
databases; on PostgreSQL through trigram indexes (`catalogue.grams` says why)."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from stemhub.accounts.models import Institution
from stemhub.catalogue.facet_index import FacetIndex, Mask, current_index
from stemhub.catalogue.grams import has_cjk, short_cjk_grams
from stemhub.catalogue.models import CatalogueEntry, Facet, FacetValue
from stemhub.core.names import chinese_interface
from stemhub.registry.diseases import find_term
from stemhub.registry.models import (
    AGE_BIN_CHOICES,
    SPECIES,
    Availability,
    DerivationMethod,
    LineType,
    Sex,
    Status,
    Synonym,
    Vector,
)

Sort = Literal["relevance", "name", "newest", "type"]
SORTS: tuple[str, ...] = ("relevance", "name", "newest", "type")

LABELS: dict[str, dict[str, StrOrPromise]] = {
    Facet.TYPE: dict(LineType.choices),
    Facet.AVAILABILITY: dict(Availability.choices),
    Facet.METHOD: dict(DerivationMethod.choices),
    Facet.VECTOR: dict(Vector.choices),
    Facet.SEX: dict(Sex.choices),
    Facet.AGE: dict(AGE_BIN_CHOICES),
    Facet.SPECIES: {latin: format_lazy("{} ({})", common, latin) for latin, common in SPECIES},
    Facet.MODIFIED: {"yes": _("Yes"), "no": _("No")},
    Facet.CLINICAL: {"yes": _("Yes"), "no": _("No")},
    # Values the index writes in English (catalogue.services) that a reader sees translated.
    Facet.DISEASE: {"Healthy donor": _("Healthy donor"), "Not recorded": _("Not recorded")},
    Facet.DATA: {
        "STR profile": _("STR profile"),
        "HLA typing": _("HLA typing"),
        "Karyotype": _("Karyotype"),
    },
}

TERM = re.compile(r"[\w*:.-]+", re.UNICODE)


def facet_label(facet: str, value: str) -> str:
    """The words a reader sees for a facet value, in the active language."""
    if facet == Facet.DISEASE and chinese_interface():
        term = find_term(label=value)
        if term is not None and term.label_zh:
            return term.label_zh
    return str(LABELS.get(facet, {}).get(value, value))


def _provider_labels(names: Sequence[str]) -> dict[str, str]:
    """Provider facet values (English institution names) → the label to show: the Chinese
    name in a Chinese interface, where there is one."""
    if not names or not chinese_interface():
        return {}
    return dict(
        Institution.objects.filter(name__in=names)
        .exclude(name_zh="")
        .values_list("name", "name_zh")
    )


@dataclass(frozen=True)
class FacetCount:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchResult:
    count: int
    entries: list[CatalogueEntry]
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    token: str = ""  # the catalogue state searched


class TsVector(Func):
    """The same expression as the GIN index of migration 0002, so PostgreSQL uses it."""

    template = "to_tsvector('simple'::regconfig, %(expressions)s)"
    output_field = TextField()


class TsQuery(Func):
    template = "to_tsquery('simple'::regconfig, %(expressions)s)"
    output_field = TextField()


class TsMatches(Func):
    template = "(%(expressions)s)"
    arg_joiner = " @@ "
    output_field = BooleanField()


class TsRank(Func):
    function = "ts_rank"
    output_field = FloatField()


def search_terms(q: str) -> list[str]:
    return [t.strip(".:-").lower() for t in TERM.findall(q or "") if t.strip(".:-*")]


def _cjk_match(term: str) -> Q:
    """A term in Chinese is found anywhere in the search text: Chinese has no spaces between
    words, so 干细胞 must match inside 人胚胎干细胞系. On PostgreSQL a trigram index serves the
    LIKE of a term of three characters or more; a shorter one has no trigram, so its grams are
    looked up as words of `search_grams` (trigram-indexed too). A term that is one gram is
    found there exactly; in a mixed one (`a肝`) the LIKE checks the rest."""
    grams = short_cjk_grams(term) if connection.vendor == "postgresql" else []
    if grams == [term]:
        return Q(search_grams__contains=f" {term} ")
    match = Q(search_text__contains=term)
    for gram in grams:
        match &= Q(search_grams__contains=f" {gram} ")
    return match


def _text_filtered(entries: QuerySet[CatalogueEntry], terms: list[str]) -> QuerySet[CatalogueEntry]:
    if not terms:
        return entries
    for term in (t for t in terms if has_cjk(t)):
        entries = entries.filter(_cjk_match(term))
    terms = [t for t in terms if not has_cjk(t)]
    if connection.vendor == "postgresql" and terms:
        # PostgreSQL's parser splits a term like "pd-1" itself, into a phrase of its parts.
        query = " & ".join(f"{t.replace(':', '').replace('*', '')}:*" for t in terms)
        vector, tsquery = TsVector(F("search_text")), TsQuery(Value(query))
        return entries.annotate(
            text_match=TsMatches(vector, tsquery), text_rank=TsRank(vector, tsquery)
        ).filter(text_match=True)
    for term in terms:
        entries = entries.filter(search_text__contains=term)
    return entries.annotate(text_rank=Value(0.0))


def _relevance(entries: QuerySet[CatalogueEntry], q: str, terms: list[str]) -> QuerySet[Any]:
    """Exact name or synonym first, then name prefixes, then names containing a term (as
    `name_rank`; django-stubs matches no declared type to this annotated queryset)."""
    whole = (q or "").strip().lower()
    name_hits = [When(names_text__contains=t, then=Value(10)) for t in terms]
    return entries.annotate(
        name_rank=Case(
            When(name__iexact=whole, then=Value(1000)),
            When(
                Q(names_text__startswith=f"{whole}\n")
                | Q(names_text__contains=f"\n{whole}\n")
                | Q(names_text__endswith=f"\n{whole}"),
                then=Value(500),
            ),
            When(name__istartswith=whole, then=Value(100)),
            *name_hits,
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def _text_hits(
    index: FacetIndex, q: str, terms: list[str], relevance: bool
) -> tuple[Mask, npt.NDArray[np.float64]]:
    """Entries matching the text, and a relevance score per entry (0 where not ranked)."""
    texted = _text_filtered(CatalogueEntry.objects.all(), terms)
    score = np.zeros(index.size, dtype=np.float64)
    hits = np.zeros(index.size, dtype=bool)
    if relevance:
        rows = list(_relevance(texted, q, terms).values_list("pk", "name_rank", "text_rank"))
        positions, known = index.positions([r[0] for r in rows])
        ranked = np.asarray([r[1] + min(float(r[2]), 1.0) for r in rows], dtype=np.float64)
        score[positions] = ranked[known]
    else:
        positions, _ = index.positions(list(texted.values_list("pk", flat=True)))
    hits[positions] = True
    return hits, score


def catalogue_search(
    *,
    q: str = "",
    filters: Mapping[str, Sequence[str]] | None = None,
    sort: str = "relevance",
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """One page of published lines matching `q` and the facet filters, with facet counts.

    Counts follow the usual faceted-search rule: a facet's own selection does not narrow its
    own counts (so other values stay visible), every other selection does.
    """
    filters = {f: list(v) for f, v in (filters or {}).items() if v}
    index = current_index()
    terms = search_terms(q)
    ranked = sort == "relevance" and bool(terms)
    if terms:
        base, score = _text_hits(index, q, terms, ranked)
    else:
        base, score = np.ones(index.size, dtype=bool), np.zeros(index.size)
    masks = {facet: index.facet_mask(facet, values) for facet, values in filters.items()}
    matching = base.copy()
    for mask in masks.values():
        matching &= mask

    counts = index.counts(matching, [f for f in Facet.values if f not in filters])
    for facet in filters:
        others = base.copy()
        for other, mask in masks.items():
            if other != facet:
                others &= mask
        counts.update(index.counts(others, [facet]))

    hits = np.flatnonzero(matching)
    if ranked:
        order = np.lexsort((index.by_name[hits], -score[hits]))
    else:
        key = {"newest": index.by_newest, "type": index.by_type}.get(sort, index.by_name)
        order = np.argsort(key[hits], kind="stable")
    page = [int(pk) for pk in index.entry_ids[hits[order][offset : offset + limit]]]
    found = CatalogueEntry.objects.in_bulk(page)
    providers = _provider_labels(list(counts.get(Facet.PROVIDER, {})))
    facets = {
        facet: sorted(
            (
                FacetCount(
                    value,
                    providers.get(value) or facet_label(facet, value),
                    n,
                    value in filters.get(facet, ()),
                )
                for value, n in counts.get(facet, {}).items()
            ),
            key=lambda c: (-c.count, c.label),
        )
        for facet in Facet.values
    }
    return SearchResult(
        token=index.token,
        count=len(hits),
        entries=[found[pk] for pk in page if pk in found],
        facets=facets,
    )


def catalogue_suggest(prefix: str, limit: int = 10) -> list[dict[str, str]]:
    """Type-ahead: names and synonyms, then diseases and genes, starting with the prefix."""
    prefix = prefix.strip().lower()
    if len(prefix) < 2:
        return []
    found: list[dict[str, str]] = []
    for entry in CatalogueEntry.objects.filter(
        Q(names_text__startswith=prefix) | Q(names_text__contains=f"\n{prefix}")
    ).order_by("name")[:limit]:
        synonym = next(
            (n for n in entry.names_text.split("\n") if n.startswith(prefix)), entry.name
        )
        label = entry.name if synonym == entry.name.lower() else f"{entry.name} ({synonym})"
        found.append({"kind": "line", "value": entry.name, "label": label})
    if len(found) < limit:
        for value in (
            FacetValue.objects.filter(
                facet__in=[Facet.DISEASE, Facet.GENE], value__istartswith=prefix
            )
            .values_list("facet", "value")
            .distinct()
            .order_by("facet", "value")[: limit - len(found)]
        ):
            kind, label = value
            found.append({"kind": kind, "value": label, "label": label})
    return found


_examples: dict[tuple[str, str], list[str]] = {}


def example_searches(token: str) -> list[str]:
    """Searches that find something in the catalogue at state `token`, to suggest: the newest
    line's name, a synonym, the disease and the modified gene most lines share. Worked out once
    per catalogue state and language (the disease is named in the reader's); a catalogue with
    no state yet (token "") is not cached."""
    if not token:
        return _find_examples()
    key = (token, get_language() or "")
    if key not in _examples:
        if len(_examples) > 8:
            _examples.clear()
        _examples[key] = _find_examples()
    return _examples[key]


def _find_examples() -> list[str]:
    newest = CatalogueEntry.objects.order_by("-published_at").values_list("name", flat=True)
    synonym = Synonym.objects.filter(line__status=Status.PUBLISHED).order_by("line__name", "name")
    examples = [newest.first(), synonym.values_list("name", flat=True).first()]
    for facet in (Facet.DISEASE, Facet.GENE):
        common = (
            FacetValue.objects.filter(facet=facet)
            .exclude(value__iexact="healthy donor")
            .values("value")
            .annotate(lines=Count("entry"))
            .order_by("-lines", "value")
            .values_list("value", flat=True)
            .first()
        )
        examples.append(facet_label(facet, common) if common else None)
    return [e for e in examples if e]
