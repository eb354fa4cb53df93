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
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

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
from stemhub.registry.str_messages import profile_error_message
from stemhub.strprofile import ProfileError, parse_profile_text

ColumnKind = Literal["text", "int", "decimal", "float", "bool", "choice", "upper"]
Choices = tuple[tuple[str, StrOrPromise], ...]


@dataclass(frozen=True)
class Column:
    """One value of a row. A choice is typed as its value (`endoderm`) or its label in the
    reader's language; a yes/no column as its words, in English or the reader's language."""

    key: str
    label: StrOrPromise
    kind: ColumnKind = "text"
    required: bool = False
    choices: Choices = ()
    # How a bool column writes True and False: English, translated when shown (gettext_noop).
    words: tuple[str, str] = (gettext_noop("yes"), gettext_noop("no"))
    open_choices: bool = False  # other values than the choices pass as typed

    @property
    def shown_words(self) -> tuple[str, str]:
        return gettext(self.words[0]), gettext(self.words[1])

    def describe(self) -> str:
        if self.kind == "choice":
            values = ", ".join(value for value, _label in self.choices)
            return gettext("%(column)s (%(values)s)") % {"column": self.label, "values": values}
        if self.kind == "bool":
            yes, no = self.shown_words
            return gettext("%(column)s (%(yes)s/%(no)s)") % {
                "column": self.label,
                "yes": yes,
                "no": no,
            }
        return str(self.label)


@dataclass(frozen=True)
class RowFormat:
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()  # the keys that may appear together in one row only

    def describe(self) -> str:
        return " | ".join(
            column.describe() + ("" if column.required else "?") for column in self.columns
        )

    def label_of(self, key: str) -> str:
        return str(next((c.label for c in self.columns if c.key == key), key))


def _choices(text_choices: Iterable[Any]) -> Choices:
    return tuple((str(member.value), member.label) for member in text_choices)


XREF_DATABASES: Choices = tuple((name, name) for name in CrossReference.URL_TEMPLATES)

ROW_FORMATS: dict[str, RowFormat] = {
    "donor_diseases": RowFormat(
        (
            Column("ontology", _("ontology"), "choice", True, _choices(DonorDisease.Ontology)),
            Column("term_id", _("term id"), required=True),
            Column("label", _("label"), required=True),
            Column(
                "affected",
                _("status"),
                "bool",
                words=(gettext_noop("affected"), gettext_noop("carrier")),
            ),
            Column(
                "primary",
                _("rank"),
                "bool",
                words=(gettext_noop("primary"), gettext_noop("secondary")),
            ),
        ),
        unique=("ontology", "term_id"),
    ),
    "providers": RowFormat(
        (
            Column("institution", _("provider code"), "upper", True),
            Column("role", _("role"), "choice", True, _choices(Provider.ProviderRole)),
        ),
        unique=("institution", "role"),
    ),
    "markers": RowFormat(
        (
            Column("marker", _("marker"), required=True),
            Column("method", _("method"), required=True),
            Column("result", _("result"), "choice", True, _choices(MarkerResult.Result)),
            Column("percent_positive", _("% positive"), "decimal"),
        )
    ),
    "differentiations": RowFormat(
        (
            Column("germ_layer", _("germ layer"), "choice", True, _choices(GermLayer)),
            Column(
                "mode",
                pgettext_lazy("differentiation", "mode"),
                "choice",
                True,
                _choices(Differentiation.Mode),
            ),
            Column("cell_types", _("cell types")),
            Column("markers", _("markers")),
        )
    ),
    "karyotypes": RowFormat(
        (
            Column("karyotype", _("karyotype (ISCN)"), required=True),
            Column("method", _("method")),
            Column("passage", _("passage"), "int"),
            Column(
                "normal",
                _("finding"),
                "bool",
                words=(gettext_noop("normal"), gettext_noop("abnormal")),
            ),
        )
    ),
    "pluritests": RowFormat(
        (
            Column("pluripotency_score", _("pluripotency score"), "float", True),
            Column("novelty_score", _("novelty score"), "float", True),
            Column("passage", _("passage"), "int"),
        )
    ),
    "omics": RowFormat(
        (
            Column("kind", _("kind"), "choice", True, _choices(OmicsDataset.Kind)),
            Column("repository", _("repository"), required=True),
            Column("accession", _("accession"), required=True),
            Column("checksum", _("checksum")),
        )
    ),
    "modifications": RowFormat(
        (
            Column("gene", _("gene"), required=True),
            Column("kind", _("kind"), "choice", choices=_choices(GeneticModification.Kind)),
            Column("hgvs", _("HGVS variant")),
            Column(
                "zygosity", _("zygosity"), "choice", choices=_choices(GeneticModification.Zygosity)
            ),
            Column("method", _("method")),
            Column("isogenic_control", _("isogenic control line")),
        )
    ),
    "clinical_studies": RowFormat(
        (Column("nct_id", _("NCT id"), "upper", True), Column("title", _("title"))),
        unique=("nct_id",),
    ),
    "publications": RowFormat(
        (
            Column("pmid", "PMID"),
            Column("doi", "DOI"),
            Column("title", _("title")),
            Column("year", _("year"), "int"),
        )
    ),
    "xrefs": RowFormat(
        (
            Column("database", _("database"), "choice", True, XREF_DATABASES, open_choices=True),
            Column("accession", _("accession"), required=True),
        ),
        unique=("database", "accession"),
    ),
    "products": RowFormat(
        (
            Column("kind", _("kind"), "choice", True, _choices(DerivedProduct.Kind)),
            Column("name", _("name"), required=True),
            Column("protocol", _("protocol")),
            Column("markers", _("markers")),
            Column("clinical_grade", _("clinical grade"), "bool"),
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
            if wanted in (_norm(value), _norm(str(label))):
                return value
        if column.open_choices:
            return raw
        allowed = ", ".join(value for value, _label in column.choices)
        raise ValueError(
            gettext("%(column)s %(value)r is not one of %(allowed)s")
            % {"column": column.label, "value": raw, "allowed": allowed}
        )
    if column.kind == "bool":
        word = raw.lower()
        yes, no = column.shown_words
        if word in TRUE_WORDS or word in (column.words[0], yes.lower()):
            return True
        if word in FALSE_WORDS or word in (column.words[1], no.lower()):
            return False
        raise ValueError(
            gettext("%(column)s %(value)r must be %(yes)s or %(no)s")
            % {"column": column.label, "value": raw, "yes": yes, "no": no}
        )
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
        if column.kind == "int":
            message = gettext("%(column)s %(value)r is not a whole number ≥ 0")
        else:
            message = gettext("%(column)s %(value)r is not a number")
        raise ValueError(message % {"column": column.label, "value": raw}) from None


def parse_rows(text: str, row_format: RowFormat) -> list[dict[str, Any]]:
    """Text with one `a | b | c` row per line → row dicts; ValidationError naming each row."""
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: dict[tuple[Any, ...], int] = {}
    width = len(row_format.columns)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue

        def problem(message: str, number: int = number) -> None:
            problems.append(
                gettext("Row %(row)d: %(message)s") % {"row": number, "message": message}
            )

        values = [value.strip() for value in line.split("|")]
        if len(values) > width:
            problem(
                gettext("%(count)d values, at most %(width)d expected (%(columns)s)")
                % {"count": len(values), "width": width, "columns": row_format.describe()}
            )
            continue
        row: dict[str, Any] = {}
        refused: set[str] = set()
        for column, raw in zip(row_format.columns, values, strict=False):
            if not raw:
                continue  # the model's default applies
            try:
                row[column.key] = _parse_value(column, raw)
            except ValueError as error:
                refused.add(column.key)
                problem(str(error))
        for column in row_format.columns:
            if column.required and column.key not in row and column.key not in refused:
                problem(gettext("%(column)s is required") % {"column": column.label})
        if row_format.unique and all(key in row for key in row_format.unique):
            identity = tuple(row[key] for key in row_format.unique)
            if identity in seen:
                labels = [row_format.label_of(k) for k in row_format.unique]
                what = (
                    labels[0]
                    if len(labels) == 1
                    else gettext("%(first)s and %(second)s")
                    % {
                        "first": labels[0],
                        "second": labels[1],
                    }
                )
                problem(
                    gettext("same %(what)s as row %(other)d")
                    % {"what": what, "other": seen[identity]}
                )
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
                yes, no = column.shown_words
                values.append(yes if value else no)
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
        raise forms.ValidationError(profile_error_message(error)) from error


def format_str_profile(profile: Mapping[str, Iterable[str]]) -> str:
    return "\n".join(f"{locus}: {','.join(alleles)}" for locus, alleles in profile.items())


def split_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]
