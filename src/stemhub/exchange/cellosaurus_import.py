"""`cellosaurus_import`: a Cellosaurus release into the registry and the STR reference library.

Stem cell entries become published reference lines (source Cellosaurus) owned by one registry
institution; every entry with STR data becomes an StrReference. The file is read and checked
first; the writes then run in one transaction with bulk statements against in-memory maps of
the rows already there, so a full release (~150,000 entries) takes a few hundred statements.
Comparing the wanted state with the stored one makes a second run on the same file a no-op.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from stemhub.accounts.models import Institution
from stemhub.catalogue.services import catalogue_entries_refresh
from stemhub.core.errors import InvalidInput
from stemhub.exchange.cellosaurus import (
    Entry,
    MalformedEntry,
    age_bin,
    hla_gl_string,
    iter_entries,
    str_consensus,
)
from stemhub.exchange.models import StrReference
from stemhub.registry.diseases import find_term
from stemhub.registry.models import (
    Availability,
    CellLine,
    CrossReference,
    DerivationMethod,
    Donor,
    DonorDisease,
    LineType,
    Source,
    Status,
    Synonym,
)

PROVIDER_CODE = "CVCL"
INSTITUTION_NAME = "Cellosaurus (SIB Swiss Institute of Bioinformatics)"
BATCH = 2000

INDUCED = {"Embryonic stem cell": False, "Induced pluripotent stem cell": True}
DERIVATION = {
    "Embryonic stem cell": DerivationMethod.EMBRYO,
    "Induced pluripotent stem cell": DerivationMethod.REPROGRAMMING,
}
SEXES = {"Female": "female", "Male": "male"}
XREF_DATABASES = {"BioSample": "BioSamples"}  # our spelling, which has a link template
# The line fields an import owns, compared to tell "unchanged" from "updated".
LINE_FIELDS = (
    "line_type",
    "species",
    "derivation_method",
    "hla_typing",
    "str_profile",
    "description",
    "external_release",
)
STR_FIELDS = ("name", "species", "category", "profile", "sources", "variant_sources", "release")


class CellosaurusImportError(InvalidInput):
    def __init__(self, errors: list[MalformedEntry]) -> None:
        first = errors[0]
        if len(errors) > 1:
            message = gettext(
                "Malformed Cellosaurus entry at %(first)s (and %(more)s more); nothing was imported"
            ) % {"first": first, "more": len(errors) - 1}
        else:
            message = gettext("Malformed Cellosaurus entry at %(first)s; nothing was imported") % {
                "first": first
            }
        super().__init__(message)
        self.errors = errors


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class WantedLine:
    entry: Entry
    fields: dict[str, Any]
    synonyms: set[str]
    xrefs: set[tuple[str, str]]
    donor_code: str
    parent: str | None = None  # accession


@dataclass
class WantedDonor:
    species: str
    sex: str = "unknown"
    age_bin: str = ""
    diseases: dict[tuple[str, str], str] = field(default_factory=dict)  # (ontology, id) → label


def cellosaurus_institution() -> Institution:
    institution, _ = Institution.objects.get_or_create(
        provider_code=PROVIDER_CODE,
        defaults={
            "name": INSTITUTION_NAME,
            "kind": Institution.Kind.REGISTRY,
            "country": "CH",
            "website": "https://www.cellosaurus.org/",
        },
    )
    return institution


class _DonorGroups:
    """Union-find over OI links: lines from the same individual share one donor."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, accession: str) -> str:
        root = accession
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while self.parent.get(accession, accession) != root:
            self.parent[accession], accession = root, self.parent[accession]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            low, high = sorted((ra, rb))
            self.parent[high] = low


def str_reference_fields(entry: Entry, release: str) -> dict[str, Any]:
    return {
        "name": entry.id,
        "species": entry.species[0][1],
        "category": entry.category,
        "profile": {
            locus: [list(alleles) for alleles in data.alternatives]
            for locus, data in entry.str_loci.items()
        },
        "sources": list(entry.str_sources),
        "variant_sources": {
            locus: [list(sources) for sources in data.sources]
            for locus, data in entry.str_loci.items()
            if len(data.alternatives) > 1
        },
        "release": release,
    }


def _wanted_line(entry: Entry, release: str) -> WantedLine:
    synonyms = {s for s in entry.synonyms if len(s) <= 100}
    xrefs = {(XREF_DATABASES.get(db, db)[:32], acc[:100]) for db, acc in entry.xrefs}
    xrefs.add(("Cellosaurus", entry.accession))
    # hPSCreg names must resolve to the line: resolve_name looks at names and synonyms.
    synonyms |= {acc for db, acc in xrefs if db == "hPSCreg"}
    species = entry.species[0][1][:64]
    fields = {
        # Cellosaurus' category names no species: a mouse iPSC is iPSC here, a human one hiPSC
        "line_type": LineType.of(induced=INDUCED[entry.category], species=species),
        "species": species,
        "derivation_method": DERIVATION[entry.category],
        "hla_typing": hla_gl_string(entry.hla_comment) if entry.hla_comment else "",
        "str_profile": {locus: str_consensus(data) for locus, data in entry.str_loci.items()},
        "description": "",
        "external_release": release,
    }
    return WantedLine(entry, fields, synonyms, xrefs, donor_code="")


def _read(
    lines: Iterable[str], release: str, skip_invalid: bool
) -> tuple[list[Entry], list[MalformedEntry], Counter[str]]:
    entries: list[Entry] = []
    errors: list[MalformedEntry] = []
    seen: dict[str, int] = {}
    categories: Counter[str] = Counter()
    for item in iter_entries(lines):
        if isinstance(item, Entry) and item.accession in seen:
            item = MalformedEntry(
                item.line,
                gettext("accession %(accession)s already used by the entry at line %(line)s")
                % {"accession": item.accession, "line": seen[item.accession]},
                entry_id=item.id,
            )
        if isinstance(item, MalformedEntry):
            errors.append(item)
            if not skip_invalid:
                raise CellosaurusImportError(errors)
            continue
        seen[item.accession] = item.line
        categories[item.category] += 1
        entries.append(item)
    return entries, errors, categories


@transaction.atomic
def cellosaurus_import(
    *, lines: Iterable[str], release: str, skip_invalid: bool = False
) -> dict[str, Any]:
    """Import a Cellosaurus flat file; returns the summary the command prints.

    Raises CellosaurusImportError (nothing written) on the first malformed entry unless
    `skip_invalid`, in which case malformed entries are left out and listed under "skipped".
    """
    entries, errors, categories = _read(lines, release, skip_invalid)
    institution = cellosaurus_institution()
    str_counts = _import_str_profiles(entries, release)

    groups = _DonorGroups()
    for entry in entries:
        for accession, _ in entry.same_donor:
            groups.union(entry.accession, accession)
    stem = [e for e in entries if e.is_stem_cell]
    wanted = {e.accession: _wanted_line(e, release) for e in stem}
    donors: dict[str, WantedDonor] = {}
    for accession in sorted(wanted):
        line = wanted[accession]
        line.donor_code = groups.find(accession)
        donor = donors.setdefault(line.donor_code, WantedDonor(species=line.fields["species"]))
        entry = line.entry
        if donor.sex == "unknown" and entry.sex in SEXES:
            donor.sex = SEXES[entry.sex]
        donor.age_bin = donor.age_bin or age_bin(entry.age)
        for ontology, term_id, label in entry.diseases:
            term = find_term(label=label, term_id=term_id)
            donor.diseases.setdefault((ontology, term_id), (term.label if term else label)[:200])
    donor_ids, changed_donors = _sync_donors(institution, donors)
    line_counts = _sync_lines(institution, wanted, donor_ids, changed_donors)
    Donor.objects.filter(institution=institution, cell_lines__isnull=True).delete()
    if line_counts.created or line_counts.updated:
        catalogue_entries_refresh(
            line_ids=CellLine.objects.filter(institution=institution).values_list("pk", flat=True)
        )

    summary: dict[str, Any] = {
        "entries": len(entries),
        "cell_lines": line_counts.as_dict(),
        "by_category": dict(sorted(categories.items())),
        "by_species": dict(sorted(Counter(w.fields["species"] for w in wanted.values()).items())),
        "str_profiles": str_counts.as_dict(),
    }
    if skip_invalid:
        summary["skipped"] = [
            {"line": e.line, "id": e.entry_id, "reason": e.reason} for e in errors
        ]
    return summary


def _import_str_profiles(entries: list[Entry], release: str) -> Counts:
    counts = Counts()
    existing = {ref.accession: ref for ref in StrReference.objects.all()}
    create, update = [], []
    now = timezone.now()
    for entry in entries:
        if not entry.str_loci:
            continue
        values = str_reference_fields(entry, release)
        ref = existing.get(entry.accession)
        if ref is None:
            create.append(StrReference(accession=entry.accession, updated_at=now, **values))
            counts.created += 1
        elif any(getattr(ref, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(ref, key, value)
            ref.updated_at = now
            update.append(ref)
            counts.updated += 1
        else:
            counts.unchanged += 1
    StrReference.objects.bulk_create(create, batch_size=BATCH)
    StrReference.objects.bulk_update(update, [*STR_FIELDS, "updated_at"], batch_size=BATCH)
    return counts


def _sync_donors(
    institution: Institution, wanted: dict[str, WantedDonor]
) -> tuple[dict[str, int], set[str]]:
    """Create or update one donor per same-individual group: code → donor id, changed codes."""
    existing = {d.code: d for d in Donor.objects.filter(institution=institution)}
    stored: dict[int, dict[tuple[str, str], str]] = {}
    for disease in DonorDisease.objects.filter(donor__institution=institution):
        stored.setdefault(disease.donor_id, {})[(disease.ontology, disease.term_id)] = disease.label
    create, update, rewrite = [], [], []
    for code, want in wanted.items():
        donor = existing.get(code)
        values = {"species": want.species, "sex": want.sex, "age_bin": want.age_bin}
        if donor is None:
            donor = Donor(institution=institution, code=code, **values)
            create.append(donor)
            existing[code] = donor
            rewrite.append(code)
            continue
        if any(getattr(donor, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(donor, key, value)
            update.append(donor)
        if stored.get(donor.pk, {}) != want.diseases:
            rewrite.append(code)
    Donor.objects.bulk_create(create, batch_size=BATCH)
    Donor.objects.bulk_update(update, ["species", "sex", "age_bin"], batch_size=BATCH)
    rewrite_ids = [existing[code].pk for code in rewrite]
    DonorDisease.objects.filter(donor_id__in=rewrite_ids).delete()
    DonorDisease.objects.bulk_create(
        (
            DonorDisease(
                donor_id=existing[code].pk,
                ontology=ontology,
                term_id=term_id,
                label=label,
                affected=True,
                primary=True,
            )
            for code in rewrite
            for (ontology, term_id), label in sorted(wanted[code].diseases.items())
        ),
        batch_size=BATCH,
    )
    ids = {code: donor.pk for code, donor in existing.items() if code in wanted}
    return ids, {d.code for d in update} | set(rewrite)


def _free_name(entry: Entry, taken: set[str]) -> str:
    for candidate in (entry.id, f"{entry.id} ({entry.accession})", entry.accession):
        if len(candidate) <= 64 and candidate not in taken:
            return candidate
    # Accessions are unique: this is a defect, not a bad file.
    raise InvalidInput(gettext("No free name for %(accession)s") % {"accession": entry.accession})


def _sync_lines(
    institution: Institution,
    wanted: dict[str, WantedLine],
    donor_ids: dict[str, int],
    changed_donors: set[str],
) -> Counts:
    """Create or update the lines; a line whose donor changed counts as updated."""
    counts = Counts()
    now = timezone.now()
    existing_lines = list(
        CellLine.objects.filter(source=Source.CELLOSAURUS).only(
            "id", "name", "external_accession", "donor_id", "parent_id", *LINE_FIELDS
        )
    )
    by_accession = {line.external_accession: line for line in existing_lines}
    accession_of = {line.pk: line.external_accession for line in existing_lines}
    # A merged entry lists the accession we stored as a secondary one (AS).
    for accession, want in wanted.items():
        if accession not in by_accession:
            for old in want.entry.secondary_accessions:
                if old in by_accession and old not in wanted:
                    by_accession[accession] = by_accession.pop(old)
                    break
    line_ids = [line.pk for line in by_accession.values()]
    synonyms: dict[int, set[str]] = {}
    for line_id, name in Synonym.objects.filter(line_id__in=line_ids).values_list(
        "line_id", "name"
    ):
        synonyms.setdefault(line_id, set()).add(name)
    xrefs: dict[int, set[tuple[str, str]]] = {}
    for line_id, database, accession in CrossReference.objects.filter(
        line_id__in=line_ids
    ).values_list("line_id", "database", "accession"):
        xrefs.setdefault(line_id, set()).add((database, accession))
    taken = set(CellLine.objects.values_list("name", flat=True))

    known = set(by_accession) | set(wanted)
    create: list[CellLine] = []
    update: list[CellLine] = []
    relink: list[str] = []  # accessions whose synonyms and cross-references are rewritten
    for accession in sorted(wanted, key=lambda a: wanted[a].entry.line):
        want = wanted[accession]
        parent = next((acc for acc, _ in want.entry.parents if acc in known), None)
        want.parent = parent
        notes = [
            f"Derived from {name} (Cellosaurus {acc})."
            for acc, name in want.entry.parents
            if acc != parent
        ]
        want.fields["description"] = " ".join(notes)
        donor_id = donor_ids[want.donor_code]
        line = by_accession.get(accession)
        if line is None:
            name = _free_name(want.entry, taken)
            taken.add(name)
            line = CellLine(
                name=name,
                institution=institution,
                source=Source.CELLOSAURUS,
                external_accession=accession,
                status=Status.PUBLISHED,
                availability=Availability.NOT_AVAILABLE,
                published_at=now,
                donor_id=donor_id,
                created_at=now,
                updated_at=now,
                **want.fields,
            )
            by_accession[accession] = line
            want.synonyms.discard(name)
            if want.entry.id != name:
                want.synonyms.add(want.entry.id)
            create.append(line)
            relink.append(accession)
            counts.created += 1
            continue
        want.synonyms.discard(line.name)
        if want.entry.id != line.name:
            want.synonyms.add(want.entry.id)
        changed = (
            any(getattr(line, k) != v for k, v in want.fields.items())
            or line.donor_id != donor_id
            or want.donor_code in changed_donors
            or line.external_accession != accession
            or accession_of.get(line.parent_id or 0) != parent
        )
        links_changed = (
            synonyms.get(line.pk, set()) != want.synonyms or xrefs.get(line.pk, set()) != want.xrefs
        )
        if changed or links_changed:
            for key, value in want.fields.items():
                setattr(line, key, value)
            line.donor_id = donor_id
            line.external_accession = accession
            line.updated_at = now
            update.append(line)
            if links_changed:
                relink.append(accession)
            counts.updated += 1
        else:
            counts.unchanged += 1

    CellLine.objects.bulk_create(create, batch_size=BATCH)
    CellLine.objects.bulk_update(
        update,
        [*LINE_FIELDS, "donor_id", "external_accession", "updated_at"],
        batch_size=BATCH,
    )
    reparent = []
    for accession, want in wanted.items():
        line = by_accession[accession]
        parent_id = by_accession[want.parent].pk if want.parent else None
        if line.parent_id != parent_id:
            line.parent_id = parent_id
            reparent.append(line)
    CellLine.objects.bulk_update(reparent, ["parent_id"], batch_size=BATCH)

    relink_ids = [by_accession[a].pk for a in relink]
    for start in range(0, len(relink_ids), BATCH):
        chunk = relink_ids[start : start + BATCH]
        Synonym.objects.filter(line_id__in=chunk).delete()
        CrossReference.objects.filter(line_id__in=chunk).delete()
    Synonym.objects.bulk_create(
        (
            Synonym(line_id=by_accession[a].pk, name=name)
            for a in relink
            for name in sorted(wanted[a].synonyms)
        ),
        batch_size=BATCH,
    )
    CrossReference.objects.bulk_create(
        (
            CrossReference(line_id=by_accession[a].pk, database=db, accession=acc)
            for a in relink
            for db, acc in sorted(wanted[a].xrefs)
        ),
        batch_size=BATCH,
    )
    return counts
