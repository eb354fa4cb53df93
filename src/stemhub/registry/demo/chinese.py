"""The Chinese names of the demo's human lines, as a Chinese bank writes them: what the line is,
from whom (the donor's disease in Chinese, or a healthy donor and the cells reprogrammed), and
for a subclone, its parent's name and what was edited. Animal lines get none: a Chinese name is
optional, and the demo shows a line without one too."""

from stemhub.registry.demo.characterisation import HUMAN
from stemhub.registry.demo.specs import DonorSpec, LineSpec
from stemhub.registry.diseases import find_term

EMBRYONIC = {
    "hESC": "人胚胎干细胞系",
    "pESC": "人孤雌胚胎干细胞系",
    "NT-ESC": "人核移植胚胎干细胞系",
}
INDUCED = "诱导多能干细胞系"
# The cells a recipe reprograms (by the recipe's name), for lines of healthy donors.
SOURCES = {"fibroblast": "皮肤成纤维细胞", "pbmc": "外周血单个核细胞", "cord_blood": "脐带血"}
EDITS = {
    "isogenic": "基因校正",
    "variant": "突变引入",
    "transgene": "转基因",
    "knock_in": "报告基因敲入",
    "knock_out": "基因敲除",
}
CLINICAL = "临床级"


def disease_zh(disease: dict[str, object]) -> str:
    """A donor disease's Chinese name (its curated term's), else the label as given."""
    term = find_term(label=str(disease["label"]), term_id=str(disease["term_id"]))
    return term.label_zh if term is not None and term.label_zh else str(disease["label"])


def _source(recipe: str) -> str:
    return next((cells for key, cells in SOURCES.items() if key in recipe), "")


def line_name_zh(spec: LineSpec, donor: DonorSpec, *, clinical: bool, parent: str = "") -> str:
    """The line's Chinese name; `parent`: the parent's, for a subclone."""
    if spec.species != HUMAN:
        return ""
    if spec.subclone_of and spec.modification:
        edit = EDITS.get(spec.modification["kind"], "基因修饰")
        return f"{parent} {spec.modification['gene']}{edit}亚克隆"
    grade = CLINICAL if clinical else ""
    affected = [disease_zh(d) for d in donor.diseases if d["affected"]]
    carried = [disease_zh(d) for d in donor.diseases if not d["affected"]]
    if spec.line_type == "NT-ESC" and affected:
        return f"{affected[0]}患者体细胞{EMBRYONIC['NT-ESC'][1:]}"
    if spec.line_type in EMBRYONIC and affected:
        return f"携带{affected[0]}致病突变的{EMBRYONIC[spec.line_type]}"
    if spec.line_type in EMBRYONIC:
        return grade + EMBRYONIC[spec.line_type]
    if affected:
        return f"{affected[0]}患者来源{INDUCED}"
    if carried:
        return f"{carried[0]}携带者来源{INDUCED}"
    homozygous = "HLA纯合" if donor.hla is not None and donor.hla[0] == donor.hla[1] else ""
    donor_kind = homozygous or "健康供者"
    return f"{grade}{donor_kind}{_source(spec.recipe)}来源{INDUCED}"
