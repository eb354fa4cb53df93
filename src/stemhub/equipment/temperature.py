"""Temperature logs: parsing an uploaded CSV and finding the excursions in it. Pure functions."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stemhub.core.errors import InvalidInput
from stemhub.core.tabular import TableLimits, table_rows

TIMESTAMP_HEADERS = ("timestamp", "time", "datetime", "date_time")
TEMPERATURE_HEADERS = ("temperature_c", "temperature", "temp_c", "temperature (°c)", "°c")
# Colder than absolute zero or hotter than any storage unit: a typo, not a reading.
PLAUSIBLE = (Decimal("-273.15"), Decimal("200"))
MAX_REPORTED = 20
# One log's limits, stated once: the page, the API and docs show them.
LIMITS = TableLimits(max_bytes=20 * 1024 * 1024, max_rows=200_000, max_columns=20, max_cell=100)


@dataclass(frozen=True)
class Reading:
    line: int
    at: datetime
    temperature_c: Decimal


@dataclass(frozen=True)
class Run:
    start: datetime
    end: datetime
    min_c: Decimal
    max_c: Decimal
    count: int


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    normalised = [h.strip().lower() for h in header]
    for name in names:
        if name in normalised:
            return normalised.index(name)
    return None


def _timestamp(value: str) -> datetime | None:
    try:
        parsed = parse_datetime(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _temperature(value: str) -> Decimal | None:
    try:
        number = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not number.is_finite() or not PLAUSIBLE[0] <= number <= PLAUSIBLE[1]:
        return None
    return number.quantize(Decimal("0.01"))


def _where(key: str) -> str:
    """An error key (`line 3`, `line 3.timestamp`) in the reader's words."""
    line, _dot, column = key.removeprefix("line ").partition(".")
    if column:
        return _("line %(number)s.%(column)s") % {"number": line, "column": column}
    return _("line %(number)s") % {"number": line}


def parse_temperature_csv(content: bytes, *, now: datetime | None = None) -> list[Reading]:
    """Readings sorted by time, or InvalidInput naming every bad line and field (line 1 is the
    header). Naive timestamps are in the site's time zone. A reading after `now` is refused:
    a logger cannot have measured it yet (its clock is wrong, or the column is another)."""
    rows = table_rows(content, filename="log.csv", limits=LIMITS)
    first = next(rows, None)
    if first is None:
        raise InvalidInput(_("The file is empty"), fields={"file": [_("empty")]})
    header = first[1]
    at_column = _column(header, TIMESTAMP_HEADERS)
    temp_column = _column(header, TEMPERATURE_HEADERS)
    if at_column is None or temp_column is None:
        raise InvalidInput(
            _("Line 1 must be a header with the columns timestamp and temperature_c"),
            fields={"line 1": [_("expected the columns timestamp, temperature_c")]},
        )
    errors: dict[str, list[str]] = {}
    readings: list[Reading] = []
    seen: dict[datetime, int] = {}
    for number, row in rows:
        if not any(row):
            continue
        if len(row) <= max(at_column, temp_column):
            errors[f"line {number}"] = [
                _("expected %(expected)d columns, found %(found)d")
                % {"expected": len(header), "found": len(row)}
            ]
            continue
        at = _timestamp(row[at_column])
        temperature = _temperature(row[temp_column])
        if at is None:
            errors[f"line {number}.timestamp"] = [
                _("not a date-time: %(value)r (use e.g. 2026-01-31T14:05:00Z)")
                % {"value": row[at_column]}
            ]
        elif at in seen:
            errors[f"line {number}.timestamp"] = [
                _("repeats the time of line %(line)d") % {"line": seen[at]}
            ]
        elif now is not None and at > now:
            errors[f"line {number}.timestamp"] = [
                _("%(value)s is in the future (now: %(now)s UTC)")
                % {"value": row[at_column].strip(), "now": f"{now:%Y-%m-%d %H:%M}"}
            ]
        else:
            seen[at] = number
        if temperature is None:
            errors[f"line {number}.temperature_c"] = [
                _("not a temperature in °C: %(value)r") % {"value": row[temp_column]}
            ]
        if at is not None and temperature is not None:
            readings.append(Reading(number, at, temperature))
    if errors:
        listed = list(errors.items())[:MAX_REPORTED]
        more = len(errors) - len(listed)
        problems = "; ".join(
            _("%(where)s: %(problems)s") % {"where": _where(where), "problems": " ".join(found)}
            for where, found in listed
        )
        if more:
            problems = _("%(problems)s; and %(more)d more") % {"problems": problems, "more": more}
        raise InvalidInput(
            ngettext(
                "%(count)d problem; nothing was stored: %(problems)s",
                "%(count)d problems; nothing was stored: %(problems)s",
                len(errors),
            )
            % {"count": len(errors), "problems": problems},
            fields=errors,
        )
    if not readings:
        raise InvalidInput(_("The file has no readings"), fields={"file": [_("no readings")]})
    return sorted(readings, key=lambda r: r.at)


def find_excursions(
    readings: list[Reading], *, low: Decimal | None, high: Decimal | None
) -> list[Run]:
    """Contiguous runs of readings (in time order) strictly outside [low, high]; a reading on
    a limit is acceptable. A run spans its first to its last out-of-range reading."""

    def outside(reading: Reading) -> bool:
        t = reading.temperature_c
        return (low is not None and t < low) or (high is not None and t > high)

    runs: list[Run] = []
    current: list[Reading] = []
    for reading in [*sorted(readings, key=lambda r: r.at), None]:
        if reading is not None and outside(reading):
            current.append(reading)
            continue
        if current:
            values = [r.temperature_c for r in current]
            runs.append(Run(current[0].at, current[-1].at, min(values), max(values), len(current)))
            current = []
    return runs
