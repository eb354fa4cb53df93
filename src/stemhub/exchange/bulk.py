"""Bulk registration of a centre's own lines from a CSV or XLSX sheet: one row per line.

Every row is parsed cell by cell, then written through registry.services.cell_line_create in
one transaction. All problems are collected (row, column, reason) before anything is kept: a
sheet with any problem, or a dry run, is rolled back whole.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.models import Institution, User
from stemhub.accounts.permissions import Perm, require
from stemhub.core.errors import InvalidInput, StemhubError
from stemhub.core.exports import csv_lines, xlsx_bytes
from stemhub.core.tabular import TableLimits, table_rows
from stemhub.registry import services as registry
from stemhub.registry.models import (
    AGE_BINS,
    DerivationMethod,
    Differentiation,
    GermLayer,
    LineType,
    MarkerResult,
    Sex,
    Vector,
)
from stemhub.strprofile import ProfileError, parse_profile_text


@dataclass(frozen=True)
class Column:
    """A column of the sheet: its name (the header, the same in every language), what it holds
    (in the reader's language) and an example."""

    name: str
    help: str | Promise
    example: str = ""


YES_NO = _("yes / no")
YES_NO_EMPTY = _("yes / no / empty")
WHOLE_NUMBER = _("Whole number")


COLUMNS = (
    Column("name", _("Standard name (required), e.g. NSCBi001-A"), "NSCBi001-A"),
    Column("name_zh", _("Chinese name"), "阿尔茨海默病患者来源诱导多能干细胞系"),
    Column(
        "line_type",
        format_lazy(_("Required: {choices}"), choices=", ".join(LineType.values)),
        "hiPSC",
    ),
    Column("species", _("Scientific name; empty = Homo sapiens"), "Homo sapiens"),
    Column("synonyms", _("Other names, separated by ;"), "AD-iPS-1;iPS-7"),
    Column("parent", _("Standard name of the parent line (subclones)"), ""),
    Column("description", _("Free text"), ""),
    Column("clinical_grade", YES_NO, "no"),
    Column("derivation_method", ", ".join(DerivationMethod.values), "reprogramming"),
    Column("source_cell_type_id", _("Cell Ontology id"), "CL:0000057"),
    Column("source_cell_type", _("Source cell type"), "fibroblast"),
    Column("vector", ", ".join(Vector.values), "sendai"),
    Column("vector_integrating", YES_NO_EMPTY, "no"),
    Column("vector_excisable", YES_NO_EMPTY, ""),
    Column("vector_absence_confirmed", YES_NO_EMPTY, "yes"),
    Column("reprogramming_factors", _("Genes separated by ;"), "OCT4;SOX2;KLF4;MYC"),
    Column("derivation_date", "YYYY-MM-DD", "2024-03-01"),
    Column("passage_at_reprogramming", WHOLE_NUMBER, "3"),
    Column("derivation_country", _("ISO 3166-1 alpha-2"), "DE"),
    Column("derivation_gmp", YES_NO, "no"),
    Column("culture_medium", _("Culture medium"), "mTeSR1"),
    Column("surface_coating", _("Surface coating"), "Matrigel"),
    Column("feeder_cells", _("Feeder cells, if any"), ""),
    Column("passage_method", _("Passage method"), "EDTA"),
    Column("o2_concentration", _("O₂ concentration"), "21%"),
    Column("co2_concentration", _("CO₂ concentration"), "5%"),
    Column("consent_obtained", YES_NO_EMPTY, "yes"),
    Column("consent_reference", _("Consent form reference"), "IC-2023-4"),
    Column("ethics_approval", _("Ethics approval reference"), "EC-2024-17"),
    Column("use_research", YES_NO, "yes"),
    Column("use_commercial", YES_NO_EMPTY, "no"),
    Column("use_clinical", YES_NO_EMPTY, ""),
    Column("restrictions", _("Restrictions on use"), ""),
    Column("managed_access", YES_NO, "no"),
    Column("jurisdiction", _("Jurisdiction of the consent (country)"), "DE"),
    Column("hla_typing", _("GL string"), "HLA-A*02:01+HLA-A*03:01"),
    Column("str_profile", _("LOCUS:allele,allele separated by ;"), "TH01:6,9.3;vWA:17"),
    Column("genome_wide_analysis", _("Genome-wide analysis, free text"), ""),
    Column("donor_code", _("Your donor reference; same code = same donor"), "D-001"),
    Column("donor_sex", ", ".join(Sex.values), "female"),
    Column("donor_age_bin", _("5-year bin (30-34), 100+, embryo or fetus"), "30-34"),
    Column("donor_ethnicity", _("Donor ethnicity"), ""),
    Column(
        "donor_diseases", _("ONTOLOGY-ID|label separated by ;"), "DOID:10652|Alzheimer's disease"
    ),
    Column(
        "markers",
        _("MARKER:positive|negative[:percent] separated by ;"),
        "OCT4:positive:97.5;NANOG:positive",
    ),
    Column("markers_method", _("Method of the markers (required with markers)"), "flow cytometry"),
    Column(
        "germ_layers",
        format_lazy(
            _("LAYER:MODE separated by ; (modes: {modes})"),
            modes=", ".join(Differentiation.Mode.values),
        ),
        "endoderm:in_vitro_directed;mesoderm:in_vitro_directed;ectoderm:in_vitro_directed",
    ),
    Column("karyotype", "ISCN", "46,XX"),
    Column("karyotype_method", _("Karyotyping method"), "G-banding"),
    Column("karyotype_passage", WHOLE_NUMBER, "12"),
    Column("xrefs", _("DATABASE:accession separated by ;"), "BioSamples:SAMEA1234567"),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
REQUIRED = ("name", "line_type")
CHOICES = {
    "line_type": LineType.values,
    "derivation_method": DerivationMethod.values,
    "vector": Vector.values,
}
BOOLEANS = (
    "clinical_grade",
    "vector_integrating",
    "vector_excisable",
    "vector_absence_confirmed",
    "derivation_gmp",
    "consent_obtained",
    "use_research",
    "use_commercial",
    "use_clinical",
    "managed_access",
)
TEXTS = (
    "name_zh",
    "species",
    "description",
    "source_cell_type_id",
    "source_cell_type",
    "derivation_country",
    "culture_medium",
    "surface_coating",
    "feeder_cells",
    "passage_method",
    "o2_concentration",
    "co2_concentration",
    "consent_reference",
    "ethics_approval",
    "restrictions",
    "jurisdiction",
    "hla_typing",
    "genome_wide_analysis",
)
TRUE, FALSE = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}
ONTOLOGY_PREFIXES = (
    ("DOID:", "DOID"),
    ("EFO_", "EFO"),
    ("MONDO:", "MONDO"),
    ("Orphanet_", "ORDO"),
    ("NCIt:", "NCIt"),
    ("ICD-10:", "ICD-10"),
)
# One sheet's limits, stated once: the page, the API and docs/exchange.md show them.
LIMITS = TableLimits(max_bytes=20 * 1024 * 1024, max_rows=2_000, max_columns=100, max_cell=10_000)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


class BadCell(ValueError):
    pass


class ImportRejected(InvalidInput):
    """The sheet has problems; `problems` lists every one (row, column, reason)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            ngettext(
                "%(n)s problem in the sheet; nothing was imported",
                "%(n)s problems in the sheet; nothing was imported",
                len(problems),
            )
            % {"n": len(problems)},
            fields={f"row {p.row}: {p.column}": [p.reason] for p in problems},
        )
        self.problems = problems


# Reading the file into (row number, {column: text}).


def read_sheet(filename: str, content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and data rows (with their sheet row numbers) of a CSV or XLSX file, streamed
    within LIMITS."""
    try:
        rows = table_rows(content, filename=filename, limits=LIMITS)
        header = next(rows, None)
        data = [(number, row) for number, row in rows if any(row)]
    except InvalidInput as refused:
        where = next(iter(refused.fields), "file")
        number = int(where.removeprefix("line ")) if where.startswith("line ") else 1
        raise ImportRejected([Problem(number, "(file)", refused.message)]) from None
    if header is None:
        raise ImportRejected([Problem(1, "(file)", gettext("the file is empty"))])
    return header[1], data


# Cell parsers: text → value, raising BadCell with the reason.


def _boolean(text: str) -> bool | None:
    if not text:
        return None
    if text.lower() in TRUE:
        return True
    if text.lower() in FALSE:
        return False
    raise BadCell(gettext("%(text)r is not yes or no") % {"text": text})


def _whole(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        raise BadCell(gettext("%(text)r is not a whole number") % {"text": text})
    return int(text)


def _date(text: str) -> str | None:
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise BadCell(gettext("%(text)r is not a date YYYY-MM-DD") % {"text": text})
    return text


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(";") if item.strip()]


def _str_profile(text: str) -> dict[str, list[str]]:
    try:
        return parse_profile_text(text)
    except ProfileError as error:
        raise BadCell(str(error)) from error


def _diseases(text: str) -> list[dict[str, Any]]:
    out = []
    for item in _items(text):
        term, sep, label = item.partition("|")
        ontology = next((o for prefix, o in ONTOLOGY_PREFIXES if term.startswith(prefix)), None)
        if not sep or not label.strip() or ontology is None:
            raise BadCell(
                gettext(
                    "%(item)r is not ID|label with a DOID:, EFO_, MONDO:, Orphanet_, NCIt: or "
                    "ICD-10: id"
                )
                % {"item": item}
            )
        if ontology in ("NCIt", "ICD-10"):
            term = term.split(":", 1)[1]
        out.append({"ontology": ontology, "term_id": term.strip(), "label": label.strip()})
    return out


def _markers(text: str) -> list[dict[str, Any]]:
    out = []
    for item in _items(text):
        parts = [p.strip() for p in item.split(":")]
        if len(parts) not in (2, 3) or not parts[0]:
            raise BadCell(
                gettext("%(item)r is not MARKER:positive|negative[:percent]") % {"item": item}
            )
        if parts[1] not in MarkerResult.Result.values:
            raise BadCell(
                gettext("%(item)r: the result must be positive or negative") % {"item": item}
            )
        percent = None
        if len(parts) == 3:
            try:
                percent = Decimal(parts[2])
            except InvalidOperation:
                raise BadCell(
                    gettext("%(item)r: %(value)r is not a percentage")
                    % {"item": item, "value": parts[2]}
                ) from None
            if not 0 <= percent <= 100:
                raise BadCell(gettext("%(item)r: a percentage is 0-100") % {"item": item})
        out.append({"marker": parts[0], "result": parts[1], "percent_positive": percent})
    return out


def _germ_layers(text: str) -> list[dict[str, Any]]:
    out = []
    for item in _items(text):
        layer, _colon, mode = (p.strip() for p in item.partition(":"))
        if layer not in GermLayer.values or mode not in Differentiation.Mode.values:
            raise BadCell(
                gettext("%(item)r is not LAYER:MODE (layers %(layers)s; modes %(modes)s)")
                % {
                    "item": item,
                    "layers": ", ".join(GermLayer.values),
                    "modes": ", ".join(Differentiation.Mode.values),
                }
            )
        out.append({"germ_layer": layer, "mode": mode})
    return out


def _xrefs(text: str) -> list[dict[str, str]]:
    out = []
    for item in _items(text):
        database, sep, accession = (p.strip() for p in item.partition(":"))
        if not sep or not database or not accession:
            raise BadCell(gettext("%(item)r is not DATABASE:accession") % {"item": item})
        out.append({"database": database, "accession": accession})
    return out


def _choice(choices: list[str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text and text not in choices:
            raise BadCell(
                gettext("%(text)r is not one of %(choices)s")
                % {"text": text, "choices": ", ".join(choices)}
            )
        return text

    return parse


def _row_data(cells: dict[str, str], problems: list[Problem], row: int) -> dict[str, Any]:
    """Registry data for one row; bad cells are added to `problems`."""
    data: dict[str, Any] = {}

    def take(column: str, parse: Callable[[str], Any]) -> Any:
        try:
            return parse(cells.get(column, ""))
        except BadCell as error:
            problems.append(Problem(row, column, str(error)))
            return None

    for column in REQUIRED:
        if not cells.get(column):
            problems.append(Problem(row, column, gettext("required")))
    data["name"] = cells.get("name", "")
    for column, choices in CHOICES.items():
        if value := take(column, _choice(choices)):
            data[column] = value
    for column in BOOLEANS:
        if column in cells and (value := take(column, _boolean)) is not None:
            data[column] = value
    for column in TEXTS:
        if cells.get(column):
            data[column] = cells[column]
    if cells.get("synonyms"):
        data["synonyms"] = _items(cells["synonyms"])
    if cells.get("parent"):
        data["parent"] = cells["parent"]
    if cells.get("reprogramming_factors"):
        data["reprogramming_factors"] = _items(cells["reprogramming_factors"])
    if (value := take("derivation_date", _date)) is not None:
        data["derivation_date"] = value
    if (value := take("passage_at_reprogramming", _whole)) is not None:
        data["passage_at_reprogramming"] = value
    if cells.get("str_profile") and (value := take("str_profile", _str_profile)):
        data["str_profile"] = value
    donor_columns = [c for c in COLUMN_NAMES if c.startswith("donor_") and cells.get(c)]
    if donor_columns:
        if not cells.get("donor_code"):
            problems.append(
                Problem(
                    row,
                    "donor_code",
                    gettext("required with %(column)s") % {"column": donor_columns[0]},
                )
            )
        donor: dict[str, Any] = {"code": cells.get("donor_code", "")}
        if sex := take("donor_sex", _choice(Sex.values)):
            donor["sex"] = sex
        if age := take("donor_age_bin", _choice(AGE_BINS)):
            donor["age_bin"] = age
        if cells.get("donor_ethnicity"):
            donor["ethnicity"] = cells["donor_ethnicity"]
        if cells.get("donor_diseases"):
            donor["diseases"] = take("donor_diseases", _diseases) or []
        data["donor"] = donor
    if cells.get("markers"):
        markers = take("markers", _markers) or []
        if not cells.get("markers_method"):
            problems.append(Problem(row, "markers_method", gettext("required with markers")))
        data["markers"] = [{**m, "method": cells.get("markers_method", "")} for m in markers]
    elif cells.get("markers_method"):
        problems.append(Problem(row, "markers_method", gettext("given without markers")))
    if cells.get("germ_layers"):
        data["differentiations"] = take("germ_layers", _germ_layers) or []
    karyotype_columns = ("karyotype", "karyotype_method", "karyotype_passage")
    if any(cells.get(c) for c in karyotype_columns):
        if not cells.get("karyotype"):
            problems.append(
                Problem(row, "karyotype", gettext("required with the karyotype method/passage"))
            )
        data["karyotypes"] = [
            {
                "karyotype": cells.get("karyotype", ""),
                "method": cells.get("karyotype_method", ""),
                "passage": take("karyotype_passage", _whole),
            }
        ]
    if cells.get("xrefs"):
        data["xrefs"] = take("xrefs", _xrefs) or []
    return data


# Mapping a service error's field (`donor.age_bin`, `markers[0].method`) back to a column.

FIELD_COLUMNS = {
    "donor.diseases": "donor_diseases",
    "donor": "donor_code",
    "markers": "markers",
    "differentiations": "germ_layers",
    "karyotypes": "karyotype",
    "xrefs": "xrefs",
    "synonyms": "synonyms",
    "str_profile": "str_profile",
    "__all__": "(row)",
}


def _column_of(field: str) -> str:
    head = re.split(r"[.\[]", field, maxsplit=1)[0]
    if field.startswith("donor."):
        if field.startswith("donor.diseases"):
            return "donor_diseases"
        name = f"donor_{field.split('.', 1)[1]}"
        return name if name in COLUMN_NAMES else "donor_code"
    if head in COLUMN_NAMES:
        return head
    return FIELD_COLUMNS.get(head, head)


def _problems_of(error: StemhubError, row: int) -> Iterator[Problem]:
    if not error.fields:
        yield Problem(row, "(row)", error.message)
        return
    for field, reasons in error.fields.items():
        for reason in reasons:
            yield Problem(row, _column_of(field), reason)


def lines_import(
    *,
    actor: User,
    institution: Institution,
    filename: str,
    content: bytes,
    dry_run: bool,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Register every row of the sheet as a line of `institution`, or none.

    Returns {"dry_run", "rows", "created": [names], "errors": [{row, column, reason}]}; with
    errors (or a dry run) nothing is written. `progress`, when given, hears the rows checked
    ("validate", each row registered inside the transaction that a problem rolls back).
    """
    require(actor, Perm.EDIT_LINE, institution.pk)
    try:
        header, rows = read_sheet(filename, content)
    except ImportRejected as rejected:
        return _report(dry_run, 0, [], rejected.problems)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, column in enumerate(header, start=1):
        if not column:
            problems.append(Problem(1, f"(column {index})", gettext("a column without a name")))
        elif column not in COLUMN_NAMES:
            problems.append(Problem(1, column, gettext("unknown column")))
        elif column in seen:
            problems.append(
                Problem(
                    1,
                    column,
                    gettext("the column appears twice (%(first)s)") % {"first": seen[column]},
                )
            )
        seen.setdefault(column, index)
    for column in REQUIRED:
        if column not in seen:
            problems.append(Problem(1, column, gettext("missing column")))
    if problems:
        return _report(dry_run, len(rows), [], problems)
    created: list[str] = []
    total = len(rows)
    with transaction.atomic():
        for done, (number, values) in enumerate(rows):
            if progress and done % PROGRESS_EVERY == 0:
                progress("validate", done, total)
            if len(values) > len(header) and any(values[len(header) :]):
                problems.append(Problem(number, "(row)", gettext("more cells than columns")))
                continue
            cells = {column: value for column, value in zip(header, values, strict=False)}
            row_problems: list[Problem] = []
            data = _row_data(cells, row_problems, number)
            if row_problems:
                problems.extend(row_problems)
                continue
            try:
                with transaction.atomic():
                    line = registry.cell_line_create(
                        actor=actor, data=data, institution=institution
                    )
                created.append(line.name)
            except StemhubError as error:
                problems.extend(_problems_of(error, number))
        if progress:
            progress("validate", total, total)
        if problems or dry_run:
            transaction.set_rollback(True)
    return _report(dry_run, len(rows), [] if problems else created, problems)


PROGRESS_EVERY = 50  # rows between two progress points (each row is a line registered)


def _report(
    dry_run: bool, rows: int, created: list[str], problems: list[Problem]
) -> dict[str, Any]:
    return {
        "dry_run": dry_run,
        "rows": rows,
        "created": created,
        "errors": [p.as_dict() for p in problems],
    }


def template_csv() -> str:
    return "".join(csv_lines(COLUMN_NAMES, []))


def template_xlsx() -> bytes:
    """The sheet to fill in, plus a Help sheet with each column's format and an example (in
    the reader's language; the column names are the same in every language)."""
    return xlsx_bytes(
        {
            gettext("Lines"): (COLUMN_NAMES, []),
            gettext("Help"): (
                (gettext("column"), gettext("format"), gettext("example")),
                ((c.name, str(c.help), c.example) for c in COLUMNS),
            ),
        }
    )
