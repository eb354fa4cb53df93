"""The text form of a line record's related rows (markers, germ layers, publications...): one
line per row, values separated by `|`, parsed into the row dicts the registry services accept
and formatted back for editing; and the STR profile's `LOCUS: allele,allele` lines.

Every value typed is either passed on or rejected with a message naming the row and column:
nothing is dropped silently.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django import forms

from stemhub.registry.models import (
    CrossReference,
    DerivedProduct,
    Differentiation,
    DonorDisease,
    GeneticModification,
    GermLayer,
    MarkerResult,
    OmicsDataset,
    Provider,
    Synonym,
)
from stemhub.strprofile import ProfileError, parse_profile_text

ColumnKind = Literal["text", "int", "decimal", "float", "bool", "choice", "upper"]
Choices = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: ColumnKind = "text"
    required: bool = False
    choices: Choices = ()
    words: tuple[str, str] = ("yes", "no")  # how a bool column writes True and False
    open_choices: bool = False  # other values than the choices pass as typed

    def describe(self) -> str:
        if self.kind == "choice":
            return f"{self.label} ({', '.join(value for value, _ in self.choices)})"
        if self.kind == "bool":
            return f"{self.label} ({self.words[0]}/{self.words[1]})"
        return self.label


@dataclass(frozen=True)
class RowFormat:
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()  # the keys that may appear together in one row only

    def describe(self) -> str:
        return " | ".join(
            column.describe() + ("" if column.required else "?") for column in self.columns
        )

    def label_of(self, key: str) -> str:
        return next((c.label for c in self.columns if c.key == key), key)


def _choices(text_choices: Iterable[Any]) -> Choices:
    return tuple((str(member.value), str(member.label)) for member in text_choices)


XREF_DATABASES: Choices = tuple((name, name) for name in CrossReference.URL_TEMPLATES)

ROW_FORMATS: dict[str, RowFormat] = {
    "donor_diseases": RowFormat(
        (
            Column("ontology", "ontology", "choice", True, _choices(DonorDisease.Ontology)),
            Column("term_id", "term id", required=True),
            Column("label", "label", required=True),
            Column("affected", "status", "bool", words=("affected", "carrier")),
            Column("primary", "rank", "bool", words=("primary", "secondary")),
        ),
        unique=("ontology", "term_id"),
    ),
    "providers": RowFormat(
        (
            Column("institution", "provider code", "upper", True),
            Column("role", "role", "choice", True, _choices(Provider.ProviderRole)),
        ),
        unique=("institution", "role"),
    ),
    "markers": RowFormat(
        (
            Column("marker", "marker", required=True),
            Column("method", "method", required=True),
            Column("result", "result", "choice", True, _choices(MarkerResult.Result)),
            Column("percent_positive", "% positive", "decimal"),
        )
    ),
    "differentiations": RowFormat(
        (
            Column("germ_layer", "germ layer", "choice", True, _choices(GermLayer)),
            Column("mode", "mode", "choice", True, _choices(Differentiation.Mode)),
            Column("cell_types", "cell types"),
            Column("markers", "markers"),
        )
    ),
    "karyotypes": RowFormat(
        (
            Column("karyotype", "karyotype (ISCN)", required=True),
            Column("method", "method"),
            Column("passage", "passage", "int"),
            Column("normal", "finding", "bool", words=("normal", "abnormal")),
        )
    ),
    "pluritests": RowFormat(
        (
            Column("pluripotency_score", "pluripotency score", "float", True),
            Column("novelty_score", "novelty score", "float", True),
            Column("passage", "passage", "int"),
        )
    ),
    "omics": RowFormat(
        (
            Column("kind", "kind", "choice", True, _choices(OmicsDataset.Kind)),
            Column("repository", "repository", required=True),
            Column("accession", "accession", required=True),
            Column("checksum", "checksum"),
        )
    ),
    "modifications": RowFormat(
        (
            Column("gene", "gene", required=True),
            Column("kind", "kind", "choice", choices=_choices(GeneticModification.Kind)),
            Column("hgvs", "HGVS variant"),
            Column(
                "zygosity", "zygosity", "choice", choices=_choices(GeneticModification.Zygosity)
            ),
            Column("method", "method"),
            Column("isogenic_control", "isogenic control line"),
        )
    ),
    "clinical_studies": RowFormat(
        (Column("nct_id", "NCT id", "upper", True), Column("title", "title")),
        unique=("nct_id",),
    ),
    "publications": RowFormat(
        (
            Column("pmid", "PMID"),
            Column("doi", "DOI"),
            Column("title", "title"),
            Column("year", "year", "int"),
        )
    ),
    "xrefs": RowFormat(
        (
            Column("database", "database", "choice", True, XREF_DATABASES, open_choices=True),
            Column("accession", "accession", required=True),
        ),
        unique=("database", "accession"),
    ),
    "products": RowFormat(
        (
            Column("kind", "kind", "choice", True, _choices(DerivedProduct.Kind)),
            Column("name", "name", required=True),
            Column("protocol", "protocol"),
            Column("markers", "markers"),
            Column("clinical_grade", "clinical grade", "bool"),
        ),
        unique=("name",),
    ),
}

SYNONYM_MAX_LENGTH = Synonym._meta.get_field("name").max_length or 100
TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0"}


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


def _parse_value(column: Column, raw: str) -> Any:
    """One typed value, or ValueError with a message that names the column."""
    if column.kind in ("text", "upper"):
        return raw.upper() if column.kind == "upper" else raw
    if column.kind == "choice":
        wanted = _norm(raw)
        for value, label in column.choices:
            if wanted in (_norm(value), _norm(label)):
                return value
        if column.open_choices:
            return raw
        allowed = ", ".join(value for value, _ in column.choices)
        raise ValueError(f"{column.label} {raw!r} is not one of {allowed}")
    if column.kind == "bool":
        word = raw.lower()
        if word in TRUE_WORDS or word == column.words[0]:
            return True
        if word in FALSE_WORDS or word == column.words[1]:
            return False
        raise ValueError(f"{column.label} {raw!r} must be {column.words[0]} or {column.words[1]}")
    try:
        if column.kind == "int":
            number = int(raw)
            if number < 0:
                raise ValueError
            return number
        if column.kind == "decimal":
            return Decimal(raw)
        return float(raw)
    except (ValueError, InvalidOperation):
        kind = {"int": "a whole number ≥ 0", "decimal": "a number", "float": "a number"}
        raise ValueError(f"{column.label} {raw!r} is not {kind[column.kind]}") from None


def parse_rows(text: str, row_format: RowFormat) -> list[dict[str, Any]]:
    """Text with one `a | b | c` row per line → row dicts; ValidationError naming each row."""
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: dict[tuple[Any, ...], int] = {}
    width = len(row_format.columns)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        values = [value.strip() for value in line.split("|")]
        if len(values) > width:
            problems.append(
                f"Row {number}: {len(values)} values, at most {width} expected "
                f"({row_format.describe()})"
            )
            continue
        row: dict[str, Any] = {}
        for column, raw in zip(row_format.columns, values, strict=False):
            if not raw:
                continue  # the model's default applies
            try:
                row[column.key] = _parse_value(column, raw)
            except ValueError as error:
                problems.append(f"Row {number}: {error}")
        for column in row_format.columns:
            if (
                column.required
                and column.key not in row
                and not any(p.startswith(f"Row {number}: {column.label} ") for p in problems)
            ):
                problems.append(f"Row {number}: {column.label} is required")
        if row_format.unique and all(key in row for key in row_format.unique):
            identity = tuple(row[key] for key in row_format.unique)
            if identity in seen:
                what = " and ".join(row_format.label_of(k) for k in row_format.unique)
                problems.append(f"Row {number}: same {what} as row {seen[identity]}")
            seen.setdefault(identity, number)
        rows.append(row)
    if problems:
        raise forms.ValidationError(problems)
    return rows


def format_rows(rows: Iterable[Mapping[str, Any]], row_format: RowFormat) -> str:
    """The text form of row dicts (a line record's lists), for editing."""
    lines = []
    for row in rows:
        values = []
        for column in row_format.columns:
            value = row.get(column.key)
            if value is None:
                values.append("")
            elif column.kind == "bool":
                values.append(column.words[0] if value else column.words[1])
            else:
                values.append(str(value))
        while values and not values[-1]:
            values.pop()
        lines.append(" | ".join(values))
    return "\n".join(lines)


def parse_str_profile(text: str) -> dict[str, list[str]]:
    """The STR engine's syntax (one locus per line or `;`-separated), as a form error; an
    empty field is no profile."""
    if not text.strip():
        return {}
    try:
        return parse_profile_text(text)
    except ProfileError as error:
        raise forms.ValidationError(str(error)) from error


def format_str_profile(profile: Mapping[str, Iterable[str]]) -> str:
    return "\n".join(f"{locus}: {','.join(alleles)}" for locus, alleles in profile.items())


def split_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]
