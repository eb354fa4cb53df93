"""Load the demo: institutions, staff, and lines written through the registry's own services,
so every line obeys the same rules and leaves the same history as one entered by hand."""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

from django.core.management.base import OutputWrapper
from django.db import transaction

from stemhub.accounts.demo import (
    DEMO_PASSWORD,
    DEMO_PROVIDER_CODES,
    INSTITUTIONS,
    USERS,
    UserSpec,
    create_institutions,
    create_users,
    member_history,
)
from stemhub.accounts.models import Institution, User
from stemhub.registry.demo.bank_lines import ANIMAL_DONORS, ANIMAL_LINES, BANK_DONORS, BANK_LINES
from stemhub.registry.demo.characterisation import (
    HUMAN,
    RECIPES,
    derivation_date,
    germ_layers,
    hla_gl_string,
    karyotypes,
    markers,
    pluritests,
    random_diplotype,
    str_profile,
)
from stemhub.registry.demo.chinese import line_name_zh
from stemhub.registry.demo.disease_lines import DISEASE_DONORS, DISEASE_LINES, EBISC_DEPOSITED
from stemhub.registry.demo.specs import PUBLISHED, DonorSpec, LineSpec
from stemhub.registry.models import SPECIES, CellLine, LineType
from stemhub.registry.name_services import standard_name_issue
from stemhub.registry.records import DONOR_FIELDS
from stemhub.registry.services import (
    cell_line_create,
    cell_line_publish,
    cell_line_return,
    cell_line_set_availability,
    cell_line_start_review,
    cell_line_submit,
    cell_line_update,
)

DONORS = {spec.code: spec for spec in (*BANK_DONORS, *DISEASE_DONORS, *ANIMAL_DONORS)}
LINES = (*BANK_LINES, *DISEASE_LINES, *ANIMAL_LINES)
SPECS = {spec.key: spec for spec in LINES}

# Who enters a site's lines, who curates them, and who changes their availability.
REGISTRAR = {"NSRB": "instadmin", "LUIC": "luic-admin", "IRMR": "irmr-curator"}
CURATOR = {"NSRB": "curator", "LUIC": "luic-curator", "IRMR": "irmr-curator"}
AVAILABILITY_OFFICER = {"NSRB": "qa", "LUIC": "luic-admin", "IRMR": "irmr-curator"}

COUNTRY_NAMES = {"CN": "China", "SE": "Sweden", "DK": "Denmark", "NO": "Norway"}
SPECIES_NAMES = dict(SPECIES)
TYPE_PHRASES = {
    LineType.HESC: "Embryonic stem cell line",
    LineType.NT_ESC: "Nuclear-transfer embryonic stem cell line",
    LineType.PARTHENOGENETIC_ESC: "Parthenogenetic embryonic stem cell line",
    LineType.HIPSC: "Induced pluripotent stem cell line",
    LineType.ESC: "Embryonic stem cell line",
    LineType.IPSC: "Induced pluripotent stem cell line",
}
CLINICAL_RECIPES = frozenset({"embryo_gmp", "episomal_cord_blood_gmp"})
AVAILABILITY_REASONS = {
    "available": "Master cell bank released after QC; vials in stock.",
    "expand_to_order": "Seed stock only; expanded on request (about 8 weeks).",
    "restricted": "Clinical-grade line: distributed only under a quality agreement.",
}


@dataclass(frozen=True)
class DemoSummary:
    institutions: int
    users: tuple[UserSpec, ...]
    lines: int
    by_type: dict[str, int]
    by_species: dict[str, int]
    by_status: dict[str, int]
    by_availability: dict[str, int]


def demo_is_loaded() -> bool:
    return Institution.objects.filter(provider_code__in=DEMO_PROVIDER_CODES).exists()


@transaction.atomic
def demo_load(*, stdout: TextIO | OutputWrapper | None = None) -> DemoSummary:
    """Write the demo into an empty database, all or nothing."""
    institutions = create_institutions()
    users = create_users(institutions)
    member_history(users, institutions)
    names: dict[str, str] = {}
    for spec in LINES:
        names[spec.key] = _register(spec, institutions[spec.institution], users, names)
        if stdout is not None and len(names) % 10 == 0:
            stdout.write(f"  {len(names)} lines registered\n")
    return demo_summary()


def demo_summary() -> DemoSummary:
    lines = CellLine.objects.filter(institution__provider_code__in=DEMO_PROVIDER_CODES)
    rows = list(lines.values_list("line_type", "species", "status", "availability"))
    return DemoSummary(
        institutions=Institution.objects.filter(provider_code__in=DEMO_PROVIDER_CODES).count(),
        users=USERS,
        lines=len(rows),
        by_type=dict(sorted(Counter(r[0] for r in rows).items())),
        by_species=dict(sorted(Counter(r[1] for r in rows).items())),
        by_status=dict(sorted(Counter(r[2] for r in rows).items())),
        by_availability=dict(sorted(Counter(r[3] for r in rows).items())),
    )


def _register(
    spec: LineSpec, institution: Institution, users: dict[str, User], names: dict[str, str]
) -> str:
    registrar = users[REGISTRAR[spec.institution]]
    curator = users[CURATOR[spec.institution]]
    name = _issue_name(spec, registrar, names)
    data = _line_data(spec, name, institution, names)
    if spec.returned_first:
        consent_reference = data.pop("consent_reference")
        data["consent_reference"] = ""
    line = cell_line_create(actor=registrar, data=data, institution=institution)
    if spec.status == "draft":
        return name
    line = cell_line_submit(actor=registrar, line=line)
    if spec.status == "submitted":
        return name
    line = cell_line_start_review(actor=curator, line=line, comment="Review started.")
    if spec.returned_first:
        line = cell_line_return(actor=curator, line=line, comment=spec.returned_first)
        line = cell_line_update(
            actor=registrar, line=line, data={"consent_reference": consent_reference}
        )
        line = cell_line_submit(actor=registrar, line=line, comment="Consent reference added.")
        line = cell_line_start_review(actor=curator, line=line, comment="Second review.")
    if spec.status == "in_review":
        return name
    if spec.status == "returned":
        cell_line_return(actor=curator, line=line, comment=spec.review_comment)
        return name
    line = cell_line_publish(
        actor=curator, line=line, comment="Meets the hPSCreg minimum; published."
    )
    line = _set_availability(spec, line, users)
    if spec.edit is not None:
        changes, reason = spec.edit
        cell_line_update(actor=registrar, line=line, data=_edit_data(line, changes), reason=reason)
    return name


def _issue_name(spec: LineSpec, actor: User, names: dict[str, str]) -> str:
    if spec.species != HUMAN:
        return f"{spec.institution}-{spec.key}"  # the provider's own: hPSCreg names humans only
    type_letter = LineType.name_letter(spec.line_type)
    if spec.subclone_of:
        return standard_name_issue(
            actor=actor,
            provider_code=spec.institution,
            type_letter=type_letter,
            subclone_of=names[spec.subclone_of],
        )
    sibling = next(
        (
            names[other.key]
            for other in LINES
            if other.key in names and other.donor == spec.donor and not other.subclone_of
        ),
        None,
    )
    return standard_name_issue(
        actor=actor, provider_code=spec.institution, type_letter=type_letter, same_donor=sibling
    )


def _set_availability(spec: LineSpec, line: CellLine, users: dict[str, User]) -> CellLine:
    officer = users[AVAILABILITY_OFFICER[spec.institution]]
    steps = []
    if spec.availability in ("recalled", "withdrawn"):
        steps.append(("available", AVAILABILITY_REASONS["available"]))
        steps.append((spec.availability, spec.availability_reason))
    elif spec.availability != "not_available":
        steps.append((spec.availability, AVAILABILITY_REASONS[spec.availability]))
    for availability, reason in steps:
        line = cell_line_set_availability(
            actor=officer, line=line, availability=availability, reason=reason
        )
    return line


def _edit_data(line: CellLine, changes: dict[str, Any]) -> dict[str, Any]:
    changes = dict(changes)
    recheck = changes.pop("karyotype_recheck_passage", None)
    if recheck is not None:
        rows = [
            {"karyotype": k.karyotype, "method": k.method, "passage": k.passage, "normal": k.normal}
            for k in line.karyotypes.order_by("id")
        ]
        rows.append({**rows[0], "passage": recheck})
        changes["karyotypes"] = rows
    return changes


def _line_data(
    spec: LineSpec, name: str, institution: Institution, names: dict[str, str]
) -> dict[str, Any]:
    rng = random.Random(f"stemhub-demo:{spec.key}")
    donor = DONORS[spec.donor]
    human = spec.species == HUMAN
    clinical = spec.recipe in CLINICAL_RECIPES
    fresh_draft = spec.status == "draft" and not spec.germ_layers
    data: dict[str, Any] = {
        "name": name,
        "name_zh": _name_zh(spec),
        "line_type": spec.line_type,
        "species": spec.species,
        "description": _description(spec, donor, names),
        "clinical_grade": clinical,
        **RECIPES[spec.recipe],
        "derivation_date": derivation_date(rng, spec.year),
        "derivation_country": institution.country,
        **_ethics(spec, donor, institution, rng, clinical=clinical),
        "donor": _donor_data(donor),
        "synonyms": list(spec.synonyms),
        "parent": names[spec.subclone_of] if spec.subclone_of else None,
        "karyotypes": karyotypes(rng, spec.species, donor.sex, spec.karyotype),
        "markers": [] if fresh_draft else markers(rng, spec.species),
        "differentiations": []
        if fresh_draft
        else germ_layers(rng, teratoma=spec.teratoma, layers=spec.germ_layers),
        "pluritests": pluritests(rng) if human and spec.year >= 2011 and not fresh_draft else [],
        "clinical_studies": [{"nct_id": nct, "title": ""} for nct in spec.clinical_studies],
        "products": [dict(p) for p in spec.products],
        "xrefs": _xrefs(spec, name),
    }
    if human:
        data["hla_typing"] = data["donor"]["hla_typing"]
        sex_rng = random.Random(f"stemhub-demo-str:{donor.code}")
        data["str_profile"] = str_profile(sex_rng, donor.sex)
    if clinical:
        data["omics"] = [
            {
                "kind": "genome",
                "repository": f"{institution.provider_code} data portal",
                "accession": f"{institution.provider_code}-WGS-{spec.key}",
                "checksum": "",
            }
        ]
        data["genome_wide_analysis"] = "Whole-genome sequencing (30x): no CNV above 5 Mb."
    if spec.modification:
        modification = dict(spec.modification)
        if modification["kind"] in ("isogenic", "variant"):
            modification["isogenic_control"] = names[spec.subclone_of]
        data["modifications"] = [modification]
    data.update(spec.extra)
    return data


def _name_zh(spec: LineSpec) -> str:
    parent = _name_zh(SPECS[spec.subclone_of]) if spec.subclone_of else ""
    clinical = spec.recipe in CLINICAL_RECIPES
    return line_name_zh(spec, DONORS[spec.donor], clinical=clinical, parent=parent)


def _donor_data(donor: DonorSpec) -> dict[str, Any]:
    hla = ""
    if donor.species == HUMAN:
        diplotype = donor.hla or random_diplotype(random.Random(f"stemhub-demo-hla:{donor.code}"))
        hla = hla_gl_string(*diplotype)
    return {
        "code": donor.code,
        **{key: getattr(donor, key) for key in DONOR_FIELDS if key != "hla_typing"},
        "hla_typing": hla,
        "diseases": [dict(d) for d in donor.diseases],
    }


def _ethics(
    spec: LineSpec,
    donor: DonorSpec,
    institution: Institution,
    rng: random.Random,
    *,
    clinical: bool,
) -> dict[str, Any]:
    code = institution.provider_code
    if spec.species != HUMAN:
        consent = "Not applicable (animal material); derivation covered by the animal permit"
        permit = f"{spec.year - 1}-15-0201-{rng.randint(100, 999):05d}"
        approval = f"Animal Experiments Inspectorate permit {permit}"
    elif spec.line_type in (LineType.HESC, LineType.PARTHENOGENETIC_ESC):
        form = f"ED v{rng.randint(1, 3)}.{rng.randint(0, 4)}"
        consent = f"{code} gamete and embryo donation consent, form {form}"
        approval = f"Regional Ethical Review Board, Dnr {spec.year - 1}/{rng.randint(100, 999)}-31"
    else:
        consent = (
            f"{code} broad consent for iPSC derivation and genetic analysis, v{rng.randint(2, 5)}"
        )
        approval = f"Regional Ethical Review Board, Dnr {spec.year - 1}/{rng.randint(100, 999)}-32"
    commercial = not clinical and rng.random() < 0.5
    if clinical:
        restrictions = (
            "Clinical use only under a quality agreement; no reproductive use; "
            "no germline modification."
        )
    elif spec.line_type in (LineType.HESC, LineType.PARTHENOGENETIC_ESC, LineType.NT_ESC):
        restrictions = "No reproductive use; no human-animal chimeras with germline contribution."
    else:
        restrictions = "" if commercial else "No commercial use without the provider's consent."
    # Its own seed: the line's other draws stay as they were before approval dates existed.
    dated = random.Random(f"stemhub-demo-ethics:{spec.key}")
    return {
        "consent_obtained": True,
        "consent_reference": consent,
        "ethics_approval": approval,
        "ethics_approval_date": date(spec.year - 1, dated.randint(1, 12), dated.randint(1, 28)),
        "use_research": True,
        "use_commercial": commercial,
        "use_clinical": clinical,
        "restrictions": restrictions,
        "managed_access": clinical or bool(donor.diseases),
        "jurisdiction": COUNTRY_NAMES.get(institution.country, institution.country),
    }


def _description(spec: LineSpec, donor: DonorSpec, names: dict[str, str]) -> str:
    if spec.subclone_of:
        return f"Genetically modified subclone of {names[spec.subclone_of]}: {spec.summary}."
    phrase = TYPE_PHRASES[LineType(spec.line_type)]
    if spec.species != HUMAN:
        return f"{phrase} ({SPECIES_NAMES[spec.species].lower()}): {spec.summary}."
    if donor.age_bin == "embryo":
        origin = "a surplus IVF embryo donated for research"
    elif spec.line_type == LineType.PARTHENOGENETIC_ESC:
        origin = f"an oocyte donated for research by a woman aged {donor.age_bin}"
    else:
        origin = f"a {donor.sex} donor aged {donor.age_bin}"
        affected = [d["label"] for d in donor.diseases if d["affected"]]
        carried = [d["label"] for d in donor.diseases if not d["affected"]]
        if affected:
            origin += f" with {affected[0]}"
        elif carried:
            origin += f", a carrier of {carried[0]}"
        else:
            origin += " (healthy control)"
    text = f"{phrase} from {origin}"
    return f"{text}; {spec.summary}." if spec.summary else f"{text}."


def _xrefs(spec: LineSpec, name: str) -> list[dict[str, str]]:
    if spec.status != PUBLISHED or spec.species != HUMAN:
        return []
    xrefs = [{"database": "hPSCreg", "accession": name}]
    if spec.key in EBISC_DEPOSITED:
        xrefs.append({"database": "EBiSC", "accession": name})
    return xrefs


def logins_table(port: int | str, extra: tuple[UserSpec, ...] = ()) -> str:
    """The demo's logins; `extra`: those an app's demo added (at its own institutions)."""
    institutions = {spec.code: spec.name for spec in INSTITUTIONS}
    codes = [user.institution for user in extra]
    institutions |= dict(
        Institution.objects.filter(provider_code__in=codes).values_list("provider_code", "name")
    )
    rows = [("Username", "Password", "Institution", "Roles")]
    for user in (*USERS, *extra):
        roles = ", ".join(str(role.value) for role in user.roles)
        if user.staff:
            roles += " (admin site)"
        rows.append(
            (
                user.username,
                DEMO_PASSWORD,
                f"{institutions[user.institution]} ({user.institution})",
                roles,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    url = f"http://127.0.0.1:{port}/"
    return "\n".join(["", f"stemhub demo at {url} (admin site: {url}admin/)", "", *lines, ""])
