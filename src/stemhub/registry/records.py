"""A cell line as one plain record: the shape services write from, the API returns, history
diffs and exchange formats map from. Scalar fields sit at the top level, related rows in lists.
"""

from typing import Any

from django.db import models

from stemhub.registry.models import (
    CellLine,
    ClinicalStudy,
    CrossReference,
    DerivedProduct,
    Differentiation,
    GeneticModification,
    Karyotype,
    MarkerResult,
    OmicsDataset,
    PluriTest,
    Publication,
)

# A donor's own scalar fields (its code and diseases are written separately).
DONOR_FIELDS = (
    "sex",
    "age_bin",
    "ethnicity",
    "family_history",
    "medical_history",
    "hla_typing",
)

# Scalar fields a user may write; the rest (status, availability, version, dates) only services.
EDITABLE_FIELDS = (
    "name_zh",
    "line_type",
    "species",
    "clinical_grade",
    "description",
    "derivation_method",
    "source_cell_type_id",
    "source_cell_type",
    "vector",
    "vector_integrating",
    "vector_excisable",
    "vector_absence_confirmed",
    "reprogramming_factors",
    "derivation_date",
    "passage_at_reprogramming",
    "derivation_country",
    "derivation_gmp",
    "culture_medium",
    "surface_coating",
    "feeder_cells",
    "passage_method",
    "o2_concentration",
    "co2_concentration",
    "consent_obtained",
    "consent_reference",
    "ethics_approval",
    "ethics_approval_date",
    "use_research",
    "use_commercial",
    "use_clinical",
    "restrictions",
    "managed_access",
    "jurisdiction",
    "hla_typing",
    "str_profile",
    "genome_wide_analysis",
)

# Related rows a line owns, written as whole lists: relation name → (model, fields).
CHILD_TABLES: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "karyotypes": (Karyotype, ("karyotype", "method", "passage", "normal")),
    "markers": (MarkerResult, ("marker", "method", "result", "percent_positive")),
    "pluritests": (PluriTest, ("pluripotency_score", "novelty_score", "passage")),
    "differentiations": (Differentiation, ("germ_layer", "mode", "cell_types", "markers")),
    "omics": (OmicsDataset, ("kind", "repository", "accession", "checksum")),
    "modifications": (
        GeneticModification,
        ("kind", "gene", "hgvs", "zygosity", "method", "isogenic_control"),
    ),
    "clinical_studies": (ClinicalStudy, ("nct_id", "title")),
    "publications": (Publication, ("pmid", "doi", "title", "year")),
    "xrefs": (CrossReference, ("database", "accession")),
    "products": (DerivedProduct, ("kind", "name", "protocol", "markers", "clinical_grade")),
}

RECORD_PREFETCH = (
    "synonyms",
    "providers__institution",
    "donor__diseases",
    *(f"{name}" for name in CHILD_TABLES),
    "modifications__isogenic_control",
)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)  # dates and decimals as ISO / exact text


def child_rows(line: CellLine, relation: str) -> list[dict[str, Any]]:
    _, fields = CHILD_TABLES[relation]
    rows = []
    for obj in getattr(line, relation).all():
        row = {}
        for field in fields:
            value = getattr(obj, field)
            row[field] = value.name if isinstance(value, CellLine) else _plain(value)
        rows.append(row)
    return sorted(rows, key=lambda r: [str(v) for v in r.values()])


def donor_record(line: CellLine) -> dict[str, Any] | None:
    donor = line.donor
    if donor is None:
        return None
    return {
        "code": donor.code,
        **{key: getattr(donor, key) for key in DONOR_FIELDS},
        "diseases": sorted(
            (
                {
                    "ontology": d.ontology,
                    "term_id": d.term_id,
                    "label": d.label,
                    "affected": d.affected,
                    "primary": d.primary,
                }
                for d in donor.diseases.all()
            ),
            key=lambda d: (d["ontology"], d["term_id"]),
        ),
    }


def line_record(line: CellLine) -> dict[str, Any]:
    """Everything about a line (prefetch RECORD_PREFETCH to keep this to a fixed query count)."""
    record: dict[str, Any] = {
        "name": line.name,
        "institution": line.institution.provider_code,
        "source": line.source,
        "external_accession": line.external_accession,
        "status": line.status,
        "availability": line.availability,
        "parent": line.parent.name if line.parent else None,
        "version": line.version,
        "published_at": line.published_at.isoformat() if line.published_at else None,
        "genetically_modified": bool(line.modifications.all()),
    }
    for field in EDITABLE_FIELDS:
        record[field] = _plain(getattr(line, field))
    record["synonyms"] = sorted(s.name for s in line.synonyms.all())
    record["providers"] = sorted(
        (
            {"institution": p.institution.provider_code, "role": p.role}
            for p in line.providers.all()
        ),
        key=lambda p: (p["role"], p["institution"]),
    )
    record["donor"] = donor_record(line)
    for relation in CHILD_TABLES:
        record[relation] = child_rows(line, relation)
    for xref in record["xrefs"]:
        template = CrossReference.URL_TEMPLATES.get(xref["database"])
        xref["url"] = template.format(xref["accession"]) if template else None
    return record


def record_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field → [old, new] for every field whose value differs."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
