"""One term per disease: spellings and other ontologies' ids of the same disease folded to one
label and one ontology id, so that "Parkinson disease", "Parkinson's disease" and "parkinsons"
are one value in the catalogue.

A small curated table: the diseases of the demo and of the Cellosaurus sample that come in
several spellings or ontologies. A disease not in it is kept as given. Pure Python.
"""

import re
from dataclasses import dataclass

__all__ = ["TERMS", "DiseaseTerm", "disease_key", "find_term", "fold_disease"]


@dataclass(frozen=True)
class DiseaseTerm:
    label: str  # the label shown everywhere
    ontology: str  # the ontology of the term's own id
    term_id: str
    synonyms: tuple[str, ...] = ()  # other spellings, matched after normalisation
    xrefs: tuple[str, ...] = ()  # ids of the same disease in other ontologies


TERMS: tuple[DiseaseTerm, ...] = (
    DiseaseTerm(
        "Alzheimer's disease",
        "DOID",
        "DOID:10652",
        ("alzheimers", "alzheimer dementia", "dementia of the alzheimer type"),
        ("EFO_0000249", "MONDO:0004975"),
    ),
    DiseaseTerm(
        "Parkinson's disease",
        "DOID",
        "DOID:14330",
        ("parkinsons", "parkinson", "paralysis agitans"),
        ("C26845", "EFO_0002508", "MONDO:0005180"),
    ),
    DiseaseTerm(
        "Huntington's disease", "DOID", "DOID:12858", ("huntingtons chorea", "huntingtons")
    ),
    DiseaseTerm(
        "Type 1 diabetes mellitus",
        "DOID",
        "DOID:9744",
        ("type 1 diabetes", "diabetes mellitus type 1", "insulin dependent diabetes mellitus"),
        ("C2986",),
    ),
    DiseaseTerm(
        "Age-related macular degeneration",
        "DOID",
        "DOID:10871",
        ("age related macular degeneration", "macular degeneration age related"),
    ),
    DiseaseTerm("Cystic fibrosis", "DOID", "DOID:1485", ("mucoviscidosis",), ("C2975",)),
    DiseaseTerm(
        "Amyotrophic lateral sclerosis",
        "DOID",
        "DOID:332",
        ("lou gehrigs disease", "motor neurone disease amyotrophic lateral sclerosis"),
        ("C34373",),
    ),
    DiseaseTerm("Sickle cell anemia", "DOID", "DOID:10923", ("sickle cell anaemia",)),
    DiseaseTerm("Down syndrome", "DOID", "DOID:14250", ("trisomy 21", "downs syndrome")),
    DiseaseTerm("Long QT syndrome", "DOID", "DOID:2843", ("lqts",)),
    DiseaseTerm("Hypertrophic cardiomyopathy", "DOID", "DOID:11984", ("hcm",)),
    DiseaseTerm("Schizophrenia", "DOID", "DOID:5419", (), ("C3362",)),
    DiseaseTerm("Rett syndrome", "DOID", "DOID:1206", ("retts syndrome", "rett disorder")),
    DiseaseTerm(
        "Frontotemporal dementia", "NCIt", "C84719", ("ftd", "frontotemporal lobar dementia")
    ),
)

# British spellings folded to the American ones the ontologies use.
_SPELLINGS = (("anaemia", "anemia"), ("leukaemia", "leukemia"), ("oedema", "edema"))


def disease_key(text: str) -> str:
    """A spelling reduced to what tells diseases apart: lowercase, no possessive 's, no
    punctuation, single spaces, American spelling."""
    key = text.lower().replace("’", "'")
    key = re.sub(r"'s\b", "", key)
    key = re.sub(r"[^a-z0-9]+", " ", key).strip()
    for british, american in _SPELLINGS:
        key = key.replace(british, american)
    return key


def _keys(term: DiseaseTerm) -> set[str]:
    keys = {disease_key(term.label), *(disease_key(s) for s in term.synonyms)}
    eponym = re.fullmatch(r"(\w+) disease", disease_key(term.label))
    if eponym:  # Parkinson disease, Parkinsons disease
        keys |= {f"{eponym[1]}s disease", eponym[1] + "s"}
    return keys


_BY_KEY = {key: term for term in TERMS for key in _keys(term)}
_BY_ID = {term_id.upper(): term for term in TERMS for term_id in (term.term_id, *term.xrefs)}


def find_term(*, label: str = "", term_id: str = "") -> DiseaseTerm | None:
    """The curated term an id (of any of its ontologies) or a spelling names, or None."""
    if term_id.strip():
        found = _BY_ID.get(term_id.strip().upper())
        if found is not None:
            return found
    return _BY_KEY.get(disease_key(label)) if label.strip() else None


def fold_disease(row: dict[str, object]) -> dict[str, object]:
    """A donor disease row with the term's label; its ontology and id filled in when it gave
    none. An id of another ontology that names the same disease is kept: it is data."""
    term = find_term(label=str(row.get("label") or ""), term_id=str(row.get("term_id") or ""))
    if term is None:
        return dict(row)
    folded = {**row, "label": term.label}
    if not str(row.get("term_id") or "").strip():
        folded["ontology"], folded["term_id"] = term.ontology, term.term_id
    return folded
