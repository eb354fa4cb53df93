"""/api/v1/cell-lines: the public catalogue. Search, facet filters, facet counts, paging."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic.config import JsonDict

from stemhub.catalogue.models import Facet
from stemhub.catalogue.selectors import SORTS, catalogue_search, catalogue_suggest, facet_label
from stemhub.core.errors import InvalidInput
from stemhub.registry.models import Availability, DerivationMethod, LineType, Sex, Vector

router = Router(tags=["catalogue"])
# GET /cell-lines shares its path with the registry's POST, so the registry router carries it
# (see registry/api.py); its handler and shapes live here.

# Facets whose values form a closed list: anything else is a mistake worth naming.
CLOSED_FACETS: dict[str, set[str]] = {
    Facet.TYPE: set(LineType.values),
    Facet.AVAILABILITY: set(Availability.values),
    Facet.METHOD: set(DerivationMethod.values),
    Facet.VECTOR: set(Vector.values),
    Facet.SEX: set(Sex.values),
    Facet.MODIFIED: {"yes", "no"},
    Facet.CLINICAL: {"yes", "no"},
    Facet.DATA: {"STR profile", "HLA typing", "Karyotype"},
}


def _closed(facet: str, description: str = "") -> Any:
    """A facet filter whose values form a closed list: declared as the items' enum."""
    items: JsonDict = {"type": "string", "enum": [*sorted(CLOSED_FACETS[facet])]}
    return Field([], description=description, json_schema_extra={"items": items})


class CatalogueQuery(Schema):
    q: str = Field("", description="Names, synonyms, diseases, genes, accessions")
    type: list[str] = _closed(Facet.TYPE)
    species: list[str] = []
    disease: list[str] = []
    gene: list[str] = []
    sex: list[str] = _closed(Facet.SEX)
    age: list[str] = Field([], description="5-year bins such as 30-34")
    method: list[str] = _closed(Facet.METHOD)
    vector: list[str] = _closed(Facet.VECTOR)
    modified: list[str] = _closed(Facet.MODIFIED)
    clinical: list[str] = _closed(Facet.CLINICAL)
    availability: list[str] = _closed(Facet.AVAILABILITY)
    provider: list[str] = []
    data: list[str] = _closed(Facet.DATA)
    # Declared, and checked by validated() (the catalogue page builds this query too, and
    # names a wrong sort on the page rather than failing).
    sort: str = Field("relevance", json_schema_extra={"enum": list(SORTS)})
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0)

    def facet_filters(self) -> dict[str, list[str]]:
        return {facet: getattr(self, facet) for facet in Facet.values if getattr(self, facet)}


class FacetCountOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class CatalogueItem(Schema):
    name: str
    line_type: str
    type_label: str
    species: str
    availability: str
    provider: str
    summary: str
    url: str


class CatalogueOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[CatalogueItem]
    facets: dict[str, list[FacetCountOut]]


class Suggestion(Schema):
    kind: str
    value: str
    label: str


def validated(query: CatalogueQuery) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    filters = query.facet_filters()
    for facet, values in filters.items():
        allowed = CLOSED_FACETS.get(facet)
        if allowed is None:
            continue
        unknown = [v for v in values if v not in allowed]
        if unknown:
            problems[facet] = [
                _("unknown value %(value)r; use one of %(allowed)s")
                % {"value": v, "allowed": sorted(allowed)}
                for v in unknown
            ]
    if query.sort not in SORTS:
        problems["sort"] = [_("use one of %(sorts)s") % {"sorts": ", ".join(SORTS)}]
    if problems:
        summary = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in problems.items())
        raise InvalidInput(
            _("Invalid catalogue query: %(problems)s") % {"problems": summary}, fields=problems
        )
    return filters


def catalogue(request: HttpRequest, query: Query[CatalogueQuery]) -> dict[str, Any]:
    """Public: search the published lines; every facet is a filter (repeat to combine values)."""
    filters = validated(query)
    result = catalogue_search(
        q=query.q, filters=filters, sort=query.sort, limit=query.limit, offset=query.offset
    )
    return {
        "count": result.count,
        "limit": query.limit,
        "offset": query.offset,
        "items": [
            {
                "name": e.name,
                "line_type": e.line_type,
                "type_label": facet_label(Facet.TYPE, e.line_type),
                "species": e.species,
                "availability": e.availability,
                "provider": e.institution_name,
                "summary": e.summary,
                "url": reverse("registry:public_line", args=[e.name]),
            }
            for e in result.entries
        ],
        "facets": result.facets,
    }


@router.get("/catalogue/suggest", response=list[Suggestion], auth=None)
def suggest(request: HttpRequest, q: str = "") -> list[dict[str, str]]:
    """Public: type-ahead over names, synonyms, diseases and genes (2+ characters)."""
    return catalogue_suggest(q)
