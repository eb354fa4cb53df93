"""One term per disease: spellings and other ontologies' ids of the same disease folded to one
label and one ontology id, so that "Parkinson disease", "Parkinson's disease" and "parkinsons"
are one value in the catalogue.

A small curated table: the diseases of the demo and of the Cellosaurus sample that come in
several spellings or ontologies, each with its Chinese name (the catalogue finds a line by it,
and shows it in a Chinese interface). A disease not in it is kept as given. Pure Python.
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
    label_zh: str = ""  # the Chinese name, as Chinese clinicians write it (also a spelling)


TERMS: tuple[DiseaseTerm, ...] = (
    DiseaseTerm(
        "Alzheimer's disease",
        "DOID",
        "DOID:10652",
        ("alzheimers", "alzheimer dementia", "dementia of the alzheimer type", "老年痴呆症"),
        ("EFO_0000249", "MONDO:0004975"),
        "阿尔茨海默病",
    ),
    DiseaseTerm(
        "Parkinson's disease",
        "DOID",
        "DOID:14330",
        ("parkinsons", "parkinson", "paralysis agitans", "帕金森氏病"),
        ("C26845", "EFO_0002508", "MONDO:0005180"),
        "帕金森病",
    ),
    DiseaseTerm(
        "Huntington's disease",
        "DOID",
        "DOID:12858",
        ("huntingtons chorea", "huntingtons", "亨廷顿舞蹈病"),
        label_zh="亨廷顿病",
    ),
    DiseaseTerm(
        "Type 1 diabetes mellitus",
        "DOID",
        "DOID:9744",
        ("type 1 diabetes", "diabetes mellitus type 1", "insulin dependent diabetes mellitus"),
        ("C2986",),
        "1型糖尿病",
    ),
    DiseaseTerm(
        "Age-related macular degeneration",
        "DOID",
        "DOID:10871",
        ("age related macular degeneration", "macular degeneration age related"),
        label_zh="年龄相关性黄斑变性",
    ),
    DiseaseTerm(
        "Cystic fibrosis", "DOID", "DOID:1485", ("mucoviscidosis",), ("C2975",), "囊性纤维化"
    ),
    DiseaseTerm(
        "Amyotrophic lateral sclerosis",
        "DOID",
        "DOID:332",
        ("lou gehrigs disease", "motor neurone disease amyotrophic lateral sclerosis", "渐冻症"),
        ("C34373",),
        "肌萎缩侧索硬化",
    ),
    DiseaseTerm(
        "Sickle cell anemia",
        "DOID",
        "DOID:10923",
        ("sickle cell anaemia", "镰刀型细胞贫血症"),
        label_zh="镰状细胞贫血",
    ),
    DiseaseTerm(
        "Down syndrome",
        "DOID",
        "DOID:14250",
        ("trisomy 21", "downs syndrome", "21三体综合征"),
        label_zh="唐氏综合征",
    ),
    DiseaseTerm("Long QT syndrome", "DOID", "DOID:2843", ("lqts",), label_zh="长QT综合征"),
    DiseaseTerm(
        "Hypertrophic cardiomyopathy", "DOID", "DOID:11984", ("hcm",), label_zh="肥厚型心肌病"
    ),
    DiseaseTerm("Schizophrenia", "DOID", "DOID:5419", (), ("C3362",), "精神分裂症"),
    DiseaseTerm(
        "Rett syndrome",
        "DOID",
        "DOID:1206",
        ("retts syndrome", "rett disorder", "Rett综合征"),
        label_zh="雷特综合征",
    ),
    DiseaseTerm(
        "Frontotemporal dementia",
        "NCIt",
        "C84719",
        ("ftd", "frontotemporal lobar dementia"),
        label_zh="额颞叶痴呆",
    ),
)

# British spellings folded to the American ones the ontologies use.
_SPELLINGS = (("anaemia", "anemia"), ("leukaemia", "leukemia"), ("oedema", "edema"))


# Letters kept by disease_key besides a-z and 0-9: CJK ideographs, so Chinese names match too.
_IDEOGRAPHS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def disease_key(text: str) -> str:
    """A spelling reduced to what tells diseases apart: lowercase, no possessive 's, no
    punctuation, single spaces, American spelling."""
    key = text.lower().replace("’", "'")
    key = re.sub(r"'s\b", "", key)
    key = re.sub(f"[^a-z0-9{_IDEOGRAPHS}]+", " ", key).strip()
    for british, american in _SPELLINGS:
        key = key.replace(british, american)
    return key


def _keys(term: DiseaseTerm) -> set[str]:
    keys = {disease_key(term.label), *(disease_key(s) for s in (*term.synonyms, term.label_zh))}
    keys.discard("")
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
