"""The whole public catalogue as CSV or JSON, streamed row by row (never built in memory)."""

import json
from collections.abc import Iterator
from typing import Any

from django.urls import reverse

from stemhub.catalogue.services import INDEX_PREFETCH
from stemhub.registry.models import CellLine, Status

# The header row stays these English, machine-readable names in every interface language:
# scripts and spreadsheets read the columns by name, and the JSON download uses the same keys.
COLUMNS = (
    "name",
    "synonyms",
    "type",
    "species",
    "provider",
    "availability",
    "clinical_grade",
    "genetically_modified",
    "modified_genes",
    "diseases",
    "disease_ids",
    "donor_sex",
    "donor_age",
    "derivation_method",
    "vector",
    "source_cell_type",
    "karyotype",
    "has_str_profile",
    "has_hla_typing",
    "cross_references",
    "published_at",
    "url",
    # Added with the Chinese names: last, so that the columns before keep their places.
    "name_zh",
    "provider_zh",
)


def public_rows(base_url: str = "") -> Iterator[dict[str, Any]]:
    lines = (
        CellLine.objects.filter(status=Status.PUBLISHED)
        .select_related("institution", "donor")
        .prefetch_related(*INDEX_PREFETCH)
        .order_by("name")
    )
    for line in lines.iterator(chunk_size=1000):
        donor = line.donor
        diseases = list(donor.diseases.all()) if donor else []
        modifications = list(line.modifications.all())
        yield {
            "name": line.name,
            "name_zh": line.name_zh,
            "synonyms": sorted(s.name for s in line.synonyms.all()),
            "type": line.line_type,
            "species": line.species,
            "provider": line.institution.name,
            "provider_zh": line.institution.name_zh,
            "availability": line.availability,
            "clinical_grade": line.clinical_grade,
            "genetically_modified": bool(modifications),
            "modified_genes": sorted({m.gene for m in modifications}),
            "diseases": [d.label for d in diseases],
            "disease_ids": [d.term_id for d in diseases],
            "donor_sex": donor.sex if donor else "",
            "donor_age": donor.age_bin if donor else "",
            "derivation_method": line.derivation_method,
            "vector": line.vector,
            "source_cell_type": line.source_cell_type,
            "karyotype": "; ".join(k.karyotype for k in line.karyotypes.all()),
            "has_str_profile": bool(line.str_profile),
            "has_hla_typing": bool(line.hla_typing),
            "cross_references": sorted(f"{x.database}:{x.accession}" for x in line.xrefs.all()),
            "published_at": line.published_at.isoformat() if line.published_at else "",
            "url": base_url + reverse("registry:public_line", args=[line.name]),
        }


def csv_cells(rows: Iterator[dict[str, Any]]) -> Iterator[list[Any]]:
    """The rows as CSV cells: lists joined with "; ", booleans as yes/no."""
    for row in rows:
        yield [
            "; ".join(v)
            if isinstance(v, list)
            else ("yes" if v is True else "no" if v is False else v)
            for v in (row[c] for c in COLUMNS)
        ]


def json_stream(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    yield "["
    first = True
    for row in rows:
        yield ("\n" if first else ",\n") + json.dumps(row, ensure_ascii=False)
        first = False
    yield "\n]\n"
