"""hPSCreg's JSON export shape, both ways: our lines out, hPSCreg records in.

`line_to_hpscreg` maps a registry record (registry.records.line_record) to one hPSCreg record;
`hpscreg_to_data` maps a record back to the data the registry services take. The two are each
other's inverse on everything our model holds, which makes the import idempotent (a record is
unchanged when it maps to what the stored line maps to) and the export → import → export round
trip exact. docs/exchange.md lists the mapping key by key.
"""

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext

from stemhub.registry.models import CellLine, GermLayer, Source, Vector

HLA_LOCI = {
    "hla_i_a": "A",
    "hla_i_b": "B",
    "hla_i_c": "C",
    "hla_ii_dp": "DPB1",
    "hla_ii_dq": "DQB1",
    "hla_ii_dr": "DRB1",
}
HLA_KEYS = tuple(f"{prefix}_all{n}" for prefix in HLA_LOCI for n in (1, 2))
DIFFERENTIATION_KEYS = {
    layer.value: f"characterisation_differentiation_potency_{layer.value}_data"
    for layer in GermLayer
}
MODE_FLAGS = {
    "in_vivo": "in_vivo_teratoma_flag",
    "in_vitro_spontaneous": "in_vitro_spontaneous_differentiation_flag",
    "in_vitro_directed": "in_vitro_directed_differentiation_flag",
}
INTEGRATING = {Vector.LENTIVIRAL: "lentivirus", Vector.RETROVIRAL: "retrovirus"}
NON_INTEGRATING = {Vector.SENDAI: "sendai_virus", Vector.EPISOMAL: "episomal", Vector.MRNA: "mrna"}
# Ontology → (PURL prefix, prefix of our term ids): DOID:1307 ↔ http://purl.obolibrary.org/obo/DOID_1307
PURLS = {
    "DOID": ("http://purl.obolibrary.org/obo/DOID_", "DOID:"),
    "MONDO": ("http://purl.obolibrary.org/obo/MONDO_", "MONDO:"),
    "NCIt": ("http://purl.obolibrary.org/obo/NCIT_", ""),
    "EFO": ("http://www.ebi.ac.uk/efo/EFO_", "EFO_"),
    "ORDO": ("http://www.orpha.net/ORDO/Orphanet_", "Orphanet_"),
    "ICD-10": ("http://purl.bioontology.org/ontology/ICD10/", ""),
}

# Scalar keys that map one to one: hPSCreg key → registry field.
SCALARS = {
    "type": "line_type",
    "species": "species",
    "comments": "description",
    "derivation_country": "derivation_country",
    "derivation_method": "derivation_method",
    "derivation_date": "derivation_date",
    "primary_celltype_ont_id": "source_cell_type_id",
    "primary_celltype_name": "source_cell_type",
    "excisable_vector_flag": "vector_excisable",
    "reprogramming_vectors_absence_flag": "vector_absence_confirmed",
    "passage_number_reprogrammed": "passage_at_reprogramming",
    "derivation_gmp_ips_flag": "derivation_gmp",
    "available_clinical_grade_ips_flag": "clinical_grade",
    "culture_conditions_medium_culture_medium": "culture_medium",
    "surface_coating": "surface_coating",
    "feeder_cells_name": "feeder_cells",
    "passage_method": "passage_method",
    "o2_concentration": "o2_concentration",
    "co2_concentration": "co2_concentration",
    "consent_obtained_flag": "consent_obtained",
    "consent_reference": "consent_reference",
    "ethics_approval_reference": "ethics_approval",
    "approved_use_research_flag": "use_research",
    "approved_use_commercial_flag": "use_commercial",
    "approved_use_clinical_flag": "use_clinical",
    "use_restrictions": "restrictions",
    "managed_access_flag": "managed_access",
    "jurisdiction": "jurisdiction",
    "genome_wide_analysis": "genome_wide_analysis",
}
VECTOR_KEYS = (
    "vector_type",
    "integrating_vector",
    "integrating_vector_gene_list",
    "non_integrating_vector",
    "non_integrating_vector_gene_list",
)
KARYOTYPE_KEYS = (
    "karyotyping_karyotype",
    "karyotyping_method",
    "karyotyping_number_passages",
    "karyotyping_normal_flag",
    "karyotyping_additional",
)
OWN_KEYS = frozenset(
    {
        "id",
        "name",
        "alternate_name",
        "biosamples_id",
        "status",
        "availability",
        "providers",
        "subclone_of",
        "donor",
        "donor_age",
        "disease_flag",
        "diseases",
        "hla_flag",
        "fingerprinting",
        "characterisation_marker_expression_data",
        "characterisation_pluritest_data",
        "genetic_modification_flag",
        "genetic_modifications",
        "clinical_studies",
        "publications",
        "omics_datasets",
        "cross_references",
        *SCALARS,
        *VECTOR_KEYS,
        *KARYOTYPE_KEYS,
        *HLA_KEYS,
        *DIFFERENTIATION_KEYS.values(),
    }
)
# Keys of hPSCreg's export that our model does not hold: read and left aside, never an error.
IGNORED_KEYS = frozenset(
    {
        "culture_conditions_medium_supplements",
        "culture_conditions_medium_protein_source",
        "feeder_cells_ont_id",
        "rock_inhibitor_used_at_passage_flag",
        "rock_inhibitor_used_at_cryo_flag",
        "rock_inhibitor_used_at_thaw_flag",
        "number_of_vials_banked",
        "passage_number_banked",
        "certificate_of_analysis_flag",
        "virology_screening_hiv_1_result",
        "virology_screening_hiv_2_result",
        "virology_screening_hbv_result",
        "virology_screening_hcv_result",
        "virology_screening_mycoplasma_result",
        "characterisation_hpsc_scorecard_data",
        "integrating_vector_virus_type",
        "integrating_vector_transposon_type",
        "non_integrating_vector_other",
    }
)
DONOR_KEYS = frozenset(
    {"id", "gender", "ethnicity", "family_history", "medical_history", "hla_typing"}
)
DISEASE_KEYS = frozenset({"purl", "name", "primary", "affected", "carrier", "stage", "variants"})


class RecordProblem(ValueError):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def read_records(text: str, *, source: str) -> list[tuple[str, dict[str, Any]]]:
    """The records of one file (a JSON list, or one object), each with where it came from."""
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as error:
        raise RecordProblem(
            "(file)", gettext("%(file)s is not JSON: %(error)s") % {"file": source, "error": error}
        ) from None
    items = loaded if isinstance(loaded, list) else [loaded]
    records = []
    for index, item in enumerate(items):
        where = f"{source}[{index}]" if isinstance(loaded, list) else source
        if not isinstance(item, dict):
            raise RecordProblem(
                "(record)", gettext("%(where)s is not a JSON object") % {"where": where}
            )
        records.append((where, item))
    return records


# Out: registry record → hPSCreg record.


def donor_export_id(line: CellLine, code: str) -> str:
    """Donor codes are per institution here; an hPSCreg record needs them unique everywhere."""
    if line.source == Source.HPSCREG:
        return code
    return f"{line.institution.provider_code}:{code}"


def _gl_to_hla(gl: str) -> dict[str, str]:
    alleles: dict[str, list[str]] = {}
    for locus in gl.split("^") if gl else []:
        for allele in locus.split("+"):
            name = allele.strip().removeprefix("HLA-")
            gene = name.partition("*")[0]
            alleles.setdefault(gene, []).append(name)
    out = {}
    for prefix, gene in HLA_LOCI.items():
        found = alleles.get(gene, [])
        out[f"{prefix}_all1"] = found[0] if found else ""
        out[f"{prefix}_all2"] = found[1] if len(found) > 1 else ""
    return out


def _vector_out(record: dict[str, Any]) -> dict[str, Any]:
    vector, factors = record["vector"], list(record["reprogramming_factors"] or [])
    out: dict[str, Any] = {key: "" for key in VECTOR_KEYS}
    out["integrating_vector_gene_list"] = []
    out["non_integrating_vector_gene_list"] = []
    if vector == Vector.NONE:
        out["vector_type"] = "none"
    elif vector in INTEGRATING or (vector == Vector.OTHER and record["vector_integrating"]):
        out["vector_type"] = "integrating"
        out["integrating_vector"] = INTEGRATING.get(vector, "other")
        out["integrating_vector_gene_list"] = factors
    elif vector:
        out["vector_type"] = "non_integrating"
        out["non_integrating_vector"] = NON_INTEGRATING.get(vector, "other")
        out["non_integrating_vector_gene_list"] = factors
    return out


def _disease_out(disease: dict[str, Any]) -> dict[str, Any]:
    purl_prefix, term_prefix = PURLS[disease["ontology"]]
    return {
        "purl": purl_prefix + disease["term_id"].removeprefix(term_prefix),
        "name": disease["label"],
        "primary": disease["primary"],
        "affected": disease["affected"],
        "carrier": not disease["affected"],
    }


def line_to_hpscreg(line: CellLine, record: dict[str, Any]) -> dict[str, Any]:
    """One line in hPSCreg's export shape; `record` is line_record(line)."""
    xrefs = [(x["database"], x["accession"]) for x in record["xrefs"]]
    biosamples = next((acc for db, acc in xrefs if db == "BioSamples"), "")
    donor = record["donor"]
    karyotypes = record["karyotypes"]
    pluritests = record["pluritests"]
    out: dict[str, Any] = {
        "id": (line.external_accession or None) if line.source == Source.HPSCREG else None,
        "name": record["name"],
        "alternate_name": record["synonyms"],
        "biosamples_id": biosamples,
        "status": record["status"],
        "availability": record["availability"],
        "providers": sorted(
            (
                {"code": p.institution.provider_code, "name": p.institution.name, "role": p.role}
                for p in line.providers.all()
            ),
            key=lambda p: (p["role"], p["code"]),
        ),
        "subclone_of": record["parent"],
        "donor": None,
        "donor_age": donor["age_bin"] if donor else "",
        "disease_flag": bool(donor and donor["diseases"]),
        "diseases": [_disease_out(d) for d in donor["diseases"]] if donor else [],
        **{key: record[field] for key, field in SCALARS.items()},
        **_vector_out(record),
        "karyotyping_karyotype": karyotypes[0]["karyotype"] if karyotypes else "",
        "karyotyping_method": karyotypes[0]["method"] if karyotypes else "",
        "karyotyping_number_passages": karyotypes[0]["passage"] if karyotypes else None,
        "karyotyping_normal_flag": karyotypes[0]["normal"] if karyotypes else None,
        "karyotyping_additional": karyotypes[1:],
        "hla_flag": bool(record["hla_typing"]),
        **_gl_to_hla(record["hla_typing"]),
        "fingerprinting": [
            {
                "marker": locus,
                "allele1": alleles[0] if alleles else "",
                "allele2": alleles[1] if len(alleles) > 1 else "",
            }
            for locus, alleles in sorted(record["str_profile"].items())
        ],
        "characterisation_marker_expression_data": [
            {
                "marker": m["marker"],
                "method": m["method"],
                "expressed": m["result"] == "positive",
                "percent_positive": m["percent_positive"],
            }
            for m in record["markers"]
        ],
        "characterisation_pluritest_data": (
            pluritests[0] if len(pluritests) == 1 else (pluritests or None)
        ),
        "genetic_modification_flag": bool(record["modifications"]),
        "genetic_modifications": [
            {
                "type": m["kind"],
                "gene": m["gene"],
                "hgvs": m["hgvs"],
                "zygosity": m["zygosity"],
                "delivery_method": m["method"],
                "isogenic_control": m["isogenic_control"],
            }
            for m in record["modifications"]
        ],
        "clinical_studies": record["clinical_studies"],
        "publications": record["publications"],
        "omics_datasets": record["omics"],
        "cross_references": [
            {"database": db, "accession": acc}
            for db, acc in xrefs
            if (db, acc) != ("BioSamples", biosamples)
        ],
    }
    for layer, key in DIFFERENTIATION_KEYS.items():
        out[key] = [
            {
                "cell_type": d["cell_types"],
                "marker_list": d["markers"],
                **{flag: d["mode"] == mode for mode, flag in MODE_FLAGS.items()},
            }
            for d in record["differentiations"]
            if d["germ_layer"] == layer
        ]
    if donor:
        out["donor"] = {
            "id": donor_export_id(line, donor["code"]),
            "gender": donor["sex"],
            "ethnicity": donor["ethnicity"],
            "family_history": donor["family_history"],
            "medical_history": donor["medical_history"],
            "hla_typing": donor["hla_typing"],
        }
    return out


# In: hPSCreg record → registry data (the shape registry.services take).


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise RecordProblem(key, gettext("must be text"))
    return str(value).strip()


def _flag(record: dict[str, Any], key: str) -> bool | None:
    value = record.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise RecordProblem(key, gettext("must be true, false or null"))


def _list(record: dict[str, Any], key: str) -> list[Any]:
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordProblem(key, gettext("must be a list"))
    return value


def _objects(record: dict[str, Any], key: str, allowed: frozenset[str]) -> list[dict[str, Any]]:
    items = _list(record, key)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise RecordProblem(f"{key}[{index}]", gettext("must be an object"))
        unknown = sorted(set(item) - allowed)
        if unknown:
            raise RecordProblem(f"{key}[{index}].{unknown[0]}", gettext("unknown key"))
    return items


def _disease_in(item: dict[str, Any], key: str) -> dict[str, Any]:
    purl = _text(item, "purl")
    for ontology, (purl_prefix, term_prefix) in PURLS.items():
        if purl.startswith(purl_prefix) and len(purl) > len(purl_prefix):
            term = term_prefix + purl[len(purl_prefix) :]
            affected = item.get("affected")
            if affected is None:
                affected = not item.get("carrier", False)
            return {
                "ontology": ontology,
                "term_id": term,
                "label": _text(item, "name"),
                "affected": bool(affected),
                "primary": bool(item.get("primary", True)),
            }
    raise RecordProblem(
        f"{key}.purl",
        gettext("%(purl)r is no DOID, MONDO, NCIt, EFO, ORDO or ICD-10 PURL") % {"purl": purl},
    )


def _hla_in(record: dict[str, Any]) -> str:
    loci = []
    for prefix, gene in HLA_LOCI.items():
        alleles = []
        for n in (1, 2):
            value = _text(record, f"{prefix}_all{n}").removeprefix("HLA-")
            if not value:
                continue
            if "*" not in value:
                value = f"{gene}*{value}"
            if value.partition("*")[0] != gene:
                raise RecordProblem(
                    f"{prefix}_all{n}",
                    gettext("%(value)r is not an HLA-%(gene)s allele")
                    % {"value": value, "gene": gene},
                )
            alleles.append(f"HLA-{value}")
        if alleles:
            loci.append("+".join(alleles))
    return "^".join(loci)


def _vector_in(record: dict[str, Any]) -> dict[str, Any]:
    kind = _text(record, "vector_type").lower().replace("-", "_")
    if kind in ("", "none"):
        return {
            "vector": Vector.NONE.value if kind == "none" else "",
            "vector_integrating": False if kind == "none" else None,
            "reprogramming_factors": [],
        }
    if kind not in ("integrating", "non_integrating"):
        raise RecordProblem("vector_type", gettext("must be integrating, non_integrating or none"))
    table = INTEGRATING if kind == "integrating" else NON_INTEGRATING
    reverse = {v: k.value for k, v in table.items()}
    name = _text(record, f"{kind}_vector").lower().replace(" ", "_")
    if name not in reverse and name != "other":
        raise RecordProblem(
            f"{kind}_vector",
            gettext("%(name)r is not one of %(names)s, other")
            % {"name": name, "names": ", ".join(reverse)},
        )
    factors = _list(record, f"{kind}_vector_gene_list")
    if not all(isinstance(f, str) for f in factors):
        raise RecordProblem(f"{kind}_vector_gene_list", gettext("must be a list of gene symbols"))
    return {
        "vector": reverse.get(name, Vector.OTHER.value),
        "vector_integrating": kind == "integrating",
        "reprogramming_factors": factors,
    }


def _percent(value: Any, key: str) -> str | None:
    if value is None or value == "":
        return None
    try:
        return str(Decimal(str(value)).quantize(Decimal("0.01")))
    except InvalidOperation:
        raise RecordProblem(
            key, gettext("%(value)r is not a percentage") % {"value": value}
        ) from None


def hpscreg_to_data(record: dict[str, Any]) -> dict[str, Any]:
    """Registry data for one record: only the groups the record holds. Raises RecordProblem."""
    unknown = sorted(set(record) - OWN_KEYS - IGNORED_KEYS)
    if unknown:
        raise RecordProblem(unknown[0], gettext("unknown key"))
    data: dict[str, Any] = {}
    for key, field in SCALARS.items():
        if key not in record:
            continue
        value = record[key]
        if key.endswith("_flag") or field in ("clinical_grade", "derivation_gmp"):
            value = _flag(record, key)
        elif key == "passage_number_reprogrammed":
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise RecordProblem(key, gettext("must be a whole number"))
        else:
            value = _text(record, key)
            if key == "derivation_date":
                value = value or None
                if value and not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
                    raise RecordProblem(key, gettext("must be a date YYYY-MM-DD"))
        data[field] = value
    if "alternate_name" in record:
        names = _list(record, "alternate_name")
        if not all(isinstance(n, str) for n in names):
            raise RecordProblem("alternate_name", gettext("must be a list of names"))
        data["synonyms"] = sorted(set(names))
    if "subclone_of" in record:
        data["parent"] = _text(record, "subclone_of") or None
    if any(key in record for key in VECTOR_KEYS):
        data.update(_vector_in(record))
    if any(key in record for key in HLA_KEYS):
        data["hla_typing"] = _hla_in(record)
    if "fingerprinting" in record:
        profile = {}
        for index, item in enumerate(
            _objects(record, "fingerprinting", frozenset({"marker", "allele1", "allele2"}))
        ):
            marker = _text(item, "marker")
            if not marker:
                raise RecordProblem(f"fingerprinting[{index}].marker", gettext("required"))
            alleles = [_text(item, k) for k in ("allele1", "allele2")]
            profile[marker] = [a for a in alleles if a]
        data["str_profile"] = profile
    if any(key in record for key in KARYOTYPE_KEYS):
        rows = []
        if _text(record, "karyotyping_karyotype"):
            rows.append(
                {
                    "karyotype": _text(record, "karyotyping_karyotype"),
                    "method": _text(record, "karyotyping_method"),
                    "passage": record.get("karyotyping_number_passages"),
                    "normal": _flag(record, "karyotyping_normal_flag"),
                }
            )
        rows += _objects(
            record,
            "karyotyping_additional",
            frozenset({"karyotype", "method", "passage", "normal"}),
        )
        data["karyotypes"] = rows
    if "characterisation_marker_expression_data" in record:
        key = "characterisation_marker_expression_data"
        data["markers"] = [
            {
                "marker": _text(item, "marker"),
                "method": _text(item, "method"),
                "result": "positive" if item.get("expressed") else "negative",
                "percent_positive": _percent(item.get("percent_positive"), f"{key}[{i}]"),
            }
            for i, item in enumerate(
                _objects(
                    record,
                    key,
                    frozenset({"marker", "method", "expressed", "percent_positive"}),
                )
            )
        ]
    if "characterisation_pluritest_data" in record:
        value = record["characterisation_pluritest_data"]
        items = [] if value is None else value if isinstance(value, list) else [value]
        allowed = frozenset({"pluripotency_score", "novelty_score", "passage"})
        for item in items:
            if not isinstance(item, dict) or set(item) - allowed:
                raise RecordProblem(
                    "characterisation_pluritest_data",
                    gettext("must hold pluripotency_score, novelty_score and passage"),
                )
        data["pluritests"] = items
    if any(key in record for key in DIFFERENTIATION_KEYS.values()):
        rows = []
        for layer, key in DIFFERENTIATION_KEYS.items():
            allowed = frozenset({"cell_type", "marker_list", *MODE_FLAGS.values()})
            for index, item in enumerate(_objects(record, key, allowed)):
                modes = [mode for mode, flag in MODE_FLAGS.items() if item.get(flag)]
                if len(modes) != 1:
                    raise RecordProblem(
                        f"{key}[{index}]", gettext("set exactly one of the mode flags")
                    )
                rows.append(
                    {
                        "germ_layer": layer,
                        "mode": modes[0],
                        "cell_types": _text(item, "cell_type"),
                        "markers": _text(item, "marker_list"),
                    }
                )
        data["differentiations"] = rows
    if "genetic_modifications" in record:
        allowed = frozenset(
            {"type", "gene", "hgvs", "zygosity", "delivery_method", "isogenic_control"}
        )
        data["modifications"] = [
            {
                "kind": _text(item, "type") or "variant",
                "gene": _text(item, "gene"),
                "hgvs": _text(item, "hgvs"),
                "zygosity": _text(item, "zygosity"),
                "method": _text(item, "delivery_method"),
                "isogenic_control": _text(item, "isogenic_control") or None,
            }
            for item in _objects(record, "genetic_modifications", allowed)
        ]
    if "clinical_studies" in record:
        data["clinical_studies"] = _objects(
            record, "clinical_studies", frozenset({"nct_id", "title"})
        )
    if "publications" in record:
        data["publications"] = _objects(
            record, "publications", frozenset({"pmid", "doi", "title", "year"})
        )
    if "omics_datasets" in record:
        data["omics"] = _objects(
            record, "omics_datasets", frozenset({"kind", "repository", "accession", "checksum"})
        )
    if "cross_references" in record or "biosamples_id" in record:
        xrefs = [
            {"database": _text(x, "database"), "accession": _text(x, "accession")}
            for x in _objects(record, "cross_references", frozenset({"database", "accession"}))
        ]
        if biosamples := _text(record, "biosamples_id"):
            xrefs.append({"database": "BioSamples", "accession": biosamples})
        data["xrefs"] = xrefs
    if any(key in record for key in ("donor", "donor_age", "diseases")):
        data["donor"] = _donor_in(record)
    return data


def _donor_in(record: dict[str, Any]) -> dict[str, Any] | None:
    donor = record.get("donor")
    if donor is None:
        if record.get("diseases") or _text(record, "donor_age"):
            raise RecordProblem("donor", gettext("diseases and donor_age need a donor with an id"))
        return None
    if not isinstance(donor, dict):
        raise RecordProblem("donor", gettext("must be an object"))
    unknown = sorted(set(donor) - DONOR_KEYS)
    if unknown:
        raise RecordProblem(f"donor.{unknown[0]}", gettext("unknown key"))
    code = _text(donor, "id")
    if not code:
        raise RecordProblem("donor.id", gettext("required: lines of one donor share it"))
    sex = _text(donor, "gender").lower() or "unknown"
    return {
        "code": code,
        "sex": sex,
        "age_bin": _text(record, "donor_age"),
        "ethnicity": _text(donor, "ethnicity"),
        "family_history": _text(donor, "family_history"),
        "medical_history": _text(donor, "medical_history"),
        "hla_typing": _text(donor, "hla_typing"),
        "diseases": sorted(
            (
                _disease_in(item, f"diseases[{index}]")
                for index, item in enumerate(_objects(record, "diseases", DISEASE_KEYS))
            ),
            key=lambda d: (d["ontology"], d["term_id"]),
        ),
    }


def provider_entries(record: dict[str, Any]) -> list[dict[str, str]]:
    items = _objects(record, "providers", frozenset({"code", "name", "role"}))
    return [
        {"code": _text(p, "code"), "name": _text(p, "name"), "role": _text(p, "role")}
        for p in items
    ]
