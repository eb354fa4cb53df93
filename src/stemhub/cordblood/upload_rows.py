"""Reading and checking the rows of a unit upload (CSV or JSON): the columns, each row's
fields as values or (line, field, reason) problems. `uploads.units_import` applies them.

HLA is validated by the engine once per distinct (locus, text): 300,000 units carry far fewer
distinct typings. Rows are checked field by field here rather than with ``full_clean()`` per
unit (which would cost more than the whole budget of a 300,000-unit import); the database
constraints remain the last word.
"""

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from stemhub.cordblood import hla_typing as hla
from stemhub.cordblood.models import ABO, HLA_FIELDS, Kind, Sex, UnitStatus
from stemhub.core.errors import InvalidInput
from stemhub.core.exports import csv_lines
from stemhub.core.tabular import TableLimits, TableTooLarge, table_rows
from stemhub.core.validation import lab_date_problem
from stemhub.populations.models import Population


@dataclass(frozen=True)
class Column:
    name: str
    help: StrOrPromise
    example: str


def _hla_help(locus: str) -> str:
    if locus in REQUIRED_LOCI:
        return gettext("HLA-%(locus)s typing, any resolution (“+” between the two); required") % {
            "locus": locus
        }
    return gettext("HLA-%(locus)s typing, any resolution (“+” between the two)") % {"locus": locus}


REQUIRED_LOCI = ("A", "B", "DRB1")
COLUMNS = (
    Column("kind", _("cord (default) or adult"), "cord"),
    Column("local_id", _("the bank's own id of the unit or donor (required)"), "CB-000123"),
    Column(
        "din",
        _("ISBT 128 donation identification number, 13 characters (cord)"),
        "G123498654321",
    ),
    Column("din_check", _("ISO 7064 mod 37-2 check character of the DIN (cord)"), "H"),
    Column("collection_date", _("YYYY-MM-DD"), "2021-03-14"),
    Column("processing_date", _("YYYY-MM-DD, not before the collection"), "2021-03-15"),
    Column("freezing_date", _("YYYY-MM-DD, not before the processing"), "2021-03-15"),
    Column("rbc_depleted", _("yes / no"), "yes"),
    Column("cryovolume_ml", _("volume frozen in mL"), "25"),
    Column(
        "tnc",
        _(
            "total nucleated cells in the unit, in × 10^7 cells: 152.5 is 1.525 × 10^9 cells "
            "(required for cord)"
        ),
        "152.5",
    ),
    Column("cd34", _("CD34+ cells in the unit, in × 10^6 cells: 4.8 is 4.8 million"), "4.8"),
    Column("viability_pct", _("viability in per cent, 0 to 100"), "95"),
    Column("cfu", _("CFU-GM × 10^5"), "30"),
    Column("abo", _("A, B, AB or O"), "O"),
    Column("rh", _("+ or -"), "+"),
    Column("sex", _("F, M or U"), "F"),
    Column("ethnicity", _("free text"), "European"),
    Column(
        "population",
        _("code of a population (its haplotype frequencies predict matches); blank: the default"),
        "",
    ),
    *(
        Column(name, lazy(_hla_help, str)(locus), example)
        for (locus, name), example in zip(
            HLA_FIELDS.items(),
            (
                "A*02:01+A*01:01",
                "B*08:01+B44",
                "C*07:01+C*05:01",
                "DRB1*03:01+DRB1*15:01",
                "DQB1*02:01+DQB1*06:02",
                "DPB1*04:01+DPB1*04:02",
            ),
            strict=True,
        )
    ),
    Column("maternal_hla", _("the mother's typing as a GL string"), ""),
    Column("idm", _("infectious disease markers: name:result pairs separated by “;”"), "HIV:neg"),
    Column("attached_segment", _("yes / no"), "yes"),
    Column("accreditation", _("FACT-NetCord, AABB (separated by “;”)"), "FACT-NetCord"),
    Column("age", _("adult donors: age in years"), ""),
    Column("cmv", _("adult donors: pos, neg or unknown"), ""),
    Column("status", _("available (default), quarantined or withdrawn"), "available"),
    Column("action", _("delta mode: upsert (default) or withdraw"), ""),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
ACCREDITATIONS = {"FACT-NETCORD": "FACT-NetCord", "AABB": "AABB"}
UPLOAD_STATUSES = (UnitStatus.AVAILABLE, UnitStatus.QUARANTINED, UnitStatus.WITHDRAWN)
# Fields an upload writes (everything but identity, workflow status and bookkeeping).
DATA_FIELDS = (
    "kind",
    "din",
    "din_check",
    "collection_date",
    "processing_date",
    "freezing_date",
    "rbc_depleted",
    "cryovolume_ml",
    "tnc",
    "cd34",
    "viability_pct",
    "cfu",
    "abo",
    "rh",
    "sex",
    "ethnicity",
    "population_id",
    *HLA_FIELDS.values(),
    "hla_gl",
    "maternal_hla",
    "idm",
    "attached_segment",
    "accreditation",
    "age",
    "cmv",
)


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "reason": self.reason}


class UploadRejected(InvalidInput):
    """A rejected upload as a 400: every problem keyed ``line N: field`` (keys stay in English
    for the API's clients; the message and the reasons are in the reader's language)."""

    def __init__(self, report: dict[str, Any]) -> None:
        problems = report["errors"]
        super().__init__(
            ngettext(
                "%(n)s problem in the upload; nothing was applied.",
                "%(n)s problems in the upload; nothing was applied.",
                len(problems),
            )
            % {"n": len(problems)},
            fields={f"line {p['line']}: {p['field']}": [p["reason"]] for p in problems[:500]},
        )
        self.report = report


# ---- reading ----------------------------------------------------------------------------------


# One upload's limits, stated once: the page, the API and docs/cordblood.md show them.
LIMITS = TableLimits(
    max_bytes=200 * 1024 * 1024,
    max_rows=500_000,
    max_columns=100,
    max_cell=10_000,
    max_unzipped_bytes=1024 * 1024 * 1024,
)


def _file_problem(error: InvalidInput) -> Problem:
    """A reader's refusal (a limit crossed, not UTF-8, not a workbook) as one problem, on the
    line it names."""
    where = next(iter(error.fields), "file")
    line = int(where.removeprefix("line ")) if where.startswith("line ") else 1
    return Problem(line, "(file)", error.message)


def read_table(
    filename: str, content: bytes
) -> tuple[list[Problem], list[tuple[int, dict[str, Any]]]]:
    """A CSV or XLSX upload, streamed within LIMITS."""
    name = filename if filename.lower().endswith((".xlsx", ".tsv")) else "units.csv"
    rows = table_rows(content, filename=name, limits=LIMITS)
    header: list[str] | None = None
    problems: list[Problem] = []
    found: list[tuple[int, dict[str, Any]]] = []
    for line, values in rows:
        if header is None:
            header = values
            if len(header) == 1 and ";" in header[0]:
                return [
                    Problem(
                        1,
                        "(file)",
                        gettext(
                            "the columns are separated by semicolons (;), as Excel saves CSV in "
                            "Chinese and European settings: save the file as 'CSV UTF-8 (Comma "
                            "delimited)', or replace each ; between columns with a comma, and "
                            "use a full stop in decimals (152.5)"
                        ),
                    )
                ], []
            unknown = gettext("unknown column")
            problems += [Problem(1, h or "(blank)", unknown) for h in header if h not in COLUMNS_BY]
            continue
        if not any(values):
            continue
        if len(values) > len(header):
            problems.append(Problem(line, "(row)", gettext("more cells than columns")))
            continue
        found.append((line, dict(zip(header, values, strict=False))))
    if header is None:
        return [Problem(1, "(file)", gettext("the file is empty"))], []
    return problems, found


def read_json(content: bytes) -> tuple[list[Problem], list[tuple[int, dict[str, Any]]]]:
    """A JSON upload: a list of units, or {"units": [...]}, within LIMITS (bytes first, so a
    file over the limit is never parsed)."""
    if len(content) > LIMITS.max_bytes:
        raise TableTooLarge(
            gettext("The file is %(size)s bytes; the limit is %(limit)s bytes")
            % {"size": f"{len(content):,}", "limit": f"{LIMITS.max_bytes:,}"},
            limit="max_bytes",
            where="file",
        )
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return [Problem(1, "(file)", gettext("the file is not UTF-8 text"))], []
    except json.JSONDecodeError as error:
        return [
            Problem(error.lineno, "(file)", gettext("not JSON: %(why)s") % {"why": error.msg})
        ], []
    except RecursionError:
        return [Problem(1, "(file)", gettext("not JSON: nested too deeply"))], []
    if isinstance(data, dict):
        data = data.get("units")
    if not isinstance(data, list):
        return [Problem(1, "(file)", gettext('expected a list of units or {"units": [...]}'))], []
    if len(data) > LIMITS.max_rows:
        raise TableTooLarge(
            gettext("The file has %(n)s units; the limit for one upload is %(limit)s: split it")
            % {"n": f"{len(data):,}", "limit": f"{LIMITS.max_rows:,}"},
            limit="max_rows",
            where="file",
        )
    problems: list[Problem] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    not_an_object = gettext("each unit is a JSON object")
    unknown_field = gettext("unknown field")
    too_long = gettext("longer than %(limit)s characters, the limit") % {
        "limit": f"{LIMITS.max_cell:,}"
    }
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            problems.append(Problem(number, "(item)", not_an_object))
            continue
        unknown = sorted(set(item) - set(COLUMN_NAMES))
        problems.extend(Problem(number, key, unknown_field) for key in unknown)
        long = [k for k, v in item.items() if isinstance(v, str) and len(v) > LIMITS.max_cell]
        problems.extend(Problem(number, key, too_long) for key in long)
        rows.append((number, item))
    return problems, rows


def read_upload(
    filename: str, content: bytes
) -> tuple[list[Problem], list[tuple[int, dict[str, Any]]]]:
    """The upload's (line, fields) rows and its file-level problems; a file over LIMITS is one
    problem naming the limit, and no rows."""
    try:
        if filename.lower().endswith(".json") or content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")[
            :1
        ] in (b"[", b"{"):
            return read_json(content)
        return read_table(filename, content)
    except InvalidInput as refused:
        return [_file_problem(refused)], []


COLUMNS_BY = {c.name: c for c in COLUMNS}


def template_csv() -> str:
    return "".join(csv_lines(COLUMN_NAMES, [[c.example for c in COLUMNS]]))


# ---- validating one row -----------------------------------------------------------------------


class Bad(ValueError):
    pass


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _number(value: Any, *, low: float = 0.0, high: float | None = None) -> float | None:
    text = _text(value)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise Bad(gettext("%(text)r is not a number") % {"text": text}) from None
    if number != number or number < low or (high is not None and number > high):
        if high is None:
            raise Bad(
                gettext("%(text)s must be at least %(low)s") % {"text": text, "low": f"{low:g}"}
            )
        raise Bad(
            gettext("%(text)s must be between %(low)s and %(high)s")
            % {"text": text, "low": f"{low:g}", "high": f"{high:g}"}
        )
    return number


def _yes_no(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if not text:
        return None
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    raise Bad(gettext("%(text)r: use yes or no") % {"text": text})


def _date(value: Any, today: dt.date | None = None) -> dt.date | None:
    text = _text(value)
    if not text:
        return None
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise Bad(gettext("%(text)r is not a date (YYYY-MM-DD)") % {"text": text}) from None
    if problem := lab_date_problem(date, today=today or timezone.localdate()):
        raise Bad(problem)
    return date


def _age(value: Any) -> int | None:
    number = _number(value, low=16, high=80)
    return None if number is None else int(number)


def _choice(value: Any, allowed: Iterable[str], default: str = "") -> str:
    text = _text(value)
    if not text:
        return default
    options = list(allowed)
    for option in options:
        if text.lower() == option.lower():
            return option
    raise Bad(
        gettext("%(text)r: one of %(options)s") % {"text": text, "options": ", ".join(options)}
    )


def _idm(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    text = _text(value)
    markers: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(";"))):
        name, sep, result = item.partition(":")
        if not sep or not name.strip() or not result.strip():
            raise Bad(gettext("%(item)r: write marker:result, e.g. HIV:neg") % {"item": item})
        markers[name.strip()] = result.strip()
    return markers


def _accreditation(value: Any) -> list[str]:
    items = value if isinstance(value, list) else _text(value).replace(",", ";").split(";")
    found = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        known = ACCREDITATIONS.get(item.upper())
        if known is None:
            raise Bad(gettext("%(item)r: one of FACT-NetCord, AABB") % {"item": item})
        found.append(known)
    return sorted(set(found))


class _Failed:
    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


_MISSING = object()


def _population(codes: dict[str, int], value: Any) -> int | None:
    """A population's id from its code (any case); blank: None, the default population."""
    text = _text(value).upper()
    if not text:
        return None
    found = codes.get(text)
    if found is None:
        known = ", ".join(sorted(codes)) or gettext("none yet")
        raise Bad(
            gettext("unknown population %(code)s (known: %(known)s)")
            % {"code": text, "known": known}
        )
    return found


class RowChecker:
    """The per-field checks of `clean_row`, compiled once per upload: each field's verdict (value
    or reason) is kept per distinct raw text, so 300,000 rows parse each distinct number, date,
    choice or HLA typing once. Only text (and empty) cells are memoised; JSON numbers, booleans,
    lists and objects are checked every time (``1`` and ``True`` hash alike)."""

    def __init__(self) -> None:
        today = timezone.localdate()
        self.today = today
        abo = [a.value for a in ABO]
        sexes = [s.value for s in Sex]
        statuses = [s.value for s in UPLOAD_STATUSES]
        self.action = self._memo(lambda v: _choice(v, ("upsert", "withdraw"), "upsert"))
        # (name, memoised check, copy the value on a hit) in clean_row's order
        self.fields: tuple[tuple[str, Callable[[Any], Any]], ...] = tuple(
            (name, self._memo(parse, copy))
            for name, parse, copy in (
                ("kind", lambda v: _choice(v, (Kind.CORD, Kind.ADULT), Kind.CORD), None),
                ("collection_date", lambda v: _date(v, today), None),
                ("processing_date", lambda v: _date(v, today), None),
                ("freezing_date", lambda v: _date(v, today), None),
                ("rbc_depleted", _yes_no, None),
                ("cryovolume_ml", lambda v: _number(v, high=1000), None),
                ("tnc", lambda v: _number(v, high=100_000), None),
                ("cd34", lambda v: _number(v, high=100_000), None),
                ("viability_pct", lambda v: _number(v, high=100), None),
                ("cfu", lambda v: _number(v, high=100_000), None),
                ("abo", lambda v: _choice(v, abo), None),
                ("rh", lambda v: _choice(v, ("+", "-")), None),
                ("sex", lambda v: _choice(v, sexes, Sex.UNKNOWN), None),
                ("ethnicity", lambda v: _text(v)[:64], None),
                ("idm", _idm, dict),
                ("attached_segment", _yes_no, None),
                ("accreditation", _accreditation, list),
                ("age", _age, None),
                ("cmv", lambda v: _choice(v, ("pos", "neg", "unknown")), None),
                ("status", lambda v: _choice(v, statuses, UnitStatus.AVAILABLE), None),
            )
        )
        codes = dict(Population.objects.values_list("code", "pk"))
        self.population = self._memo(partial(_population, codes))
        self.loci = tuple(
            (locus, name, self._memo(partial(_locus_typing, locus)))
            for locus, name in HLA_FIELDS.items()
        )

    @staticmethod
    def _memo(
        parse: Callable[[Any], Any], copy: Callable[[Any], Any] | None = None
    ) -> Callable[[Any], Any]:
        """value -> parsed value or `_Failed`, memoised for str and None."""
        cache: dict[str | None, Any] = {}

        def check(value: Any) -> Any:
            if value is None or type(value) is str:
                hit = cache.get(value, _MISSING)
                if hit is _MISSING:
                    try:
                        hit = parse(value)
                    except Bad as error:
                        hit = _Failed(str(error))
                    cache[value] = hit
                if copy is not None and not isinstance(hit, _Failed):
                    return copy(hit)
                return hit
            try:
                return parse(value)
            except Bad as error:
                return _Failed(str(error))

        return check


def _locus_typing(locus: str, value: Any) -> str | None:
    """The normalised typing of one HLA cell, None when blank; `Bad` with the row's reason."""
    text = _text(value)
    if not text:
        return None
    try:
        return hla.locus_typing(locus, text)
    except hla.BadTyping as error:
        raise Bad(error.problem) from None


def clean_row(
    line: int, raw: dict[str, Any], problems: list[Problem], checker: RowChecker | None = None
) -> dict[str, Any] | None:
    """The unit's field values from one row, or None (with its problems appended)."""
    check = checker or RowChecker()
    found: list[Problem] = []
    data: dict[str, Any] = {}
    get = raw.get

    local_id = data["local_id"] = _text(get("local_id"))
    if not local_id:
        found.append(Problem(line, "local_id", gettext("required")))
    elif len(local_id) > 64:
        found.append(Problem(line, "local_id", gettext("at most 64 characters")))
    action = check.action(get("action"))
    if isinstance(action, _Failed):
        found.append(Problem(line, "action", action.reason))
    else:
        data["action"] = action
        if action == "withdraw":
            problems.extend(found)
            return None if found else data
    for name, parse in check.fields:
        value = parse(get(name))
        if isinstance(value, _Failed):
            found.append(Problem(line, name, value.reason))
        else:
            data[name] = value
    population = check.population(get("population"))
    if isinstance(population, _Failed):
        found.append(Problem(line, "population", population.reason))
    else:
        data["population_id"] = population
    found.extend(_date_order(line, data))
    kind = data.get("kind", Kind.CORD)
    din = _text(get("din")).upper().replace(" ", "")
    din_check = _text(get("din_check")).upper()
    data["din"], data["din_check"] = din, din_check
    if kind == Kind.CORD:
        if not din:
            found.append(Problem(line, "din", gettext("required for a cord blood unit")))
        elif (wrong := hla.din_problem(din, din_check)) is not None:
            found.append(Problem(line, *wrong))
        tnc = data.get("tnc")
        if tnc is None and not any(p.field == "tnc" for p in found):
            found.append(Problem(line, "tnc", gettext("required for a cord blood unit")))
        elif tnc == 0:
            found.append(Problem(line, "tnc", gettext("must be more than 0")))
    elif din and (wrong := hla.din_problem(din, din_check)) is not None:
        found.append(Problem(line, "din", wrong[1]))
    per_locus: dict[str, str] = {}
    for locus, name, parse in check.loci:
        typing = parse(get(name))
        if typing is None:
            if locus in REQUIRED_LOCI:
                found.append(
                    Problem(
                        line, name, gettext("required: HLA-%(locus)s typing") % {"locus": locus}
                    )
                )
            data[name] = ""
        elif isinstance(typing, _Failed):
            found.append(Problem(line, name, typing.reason))
        else:
            per_locus[locus] = data[name] = typing
    data["hla_gl"] = hla.gl_of(per_locus)
    maternal = _text(get("maternal_hla"))
    data["maternal_hla"] = ""
    if maternal:
        try:
            data["maternal_hla"] = hla.gl_of(hla.split_gl(maternal))
        except hla.BadTyping as error:
            found.append(Problem(line, "maternal_hla", error.problem))
    problems.extend(found)
    return None if found else data


DATE_ORDER = (
    ("processing_date", "collection_date", _("%(day)s is before the collection on %(earlier)s")),
    ("freezing_date", "processing_date", _("%(day)s is before the processing on %(earlier)s")),
    ("freezing_date", "collection_date", _("%(day)s is before the collection on %(earlier)s")),
)


def _date_order(line: int, data: dict[str, Any]) -> list[Problem]:
    """A unit is collected, then processed, then frozen (the database checks it too)."""
    problems: list[Problem] = []
    for later, earlier, message in DATE_ORDER:
        late, early = data.get(later), data.get(earlier)
        already = any(p.field == later for p in problems)
        if late is not None and early is not None and late < early and not already:
            reason = str(message) % {"day": late, "earlier": early}
            problems.append(Problem(line, later, reason))
    return problems
