"""Unit uploads (CSV or JSON) of one bank: validate every row, then apply all or nothing.

Modes: ``full`` replaces the bank's inventory (units missing from the file are withdrawn; units
reserved, shipped or infused are left alone), ``delta`` upserts the rows and withdraws those
whose ``action`` is ``withdraw``. Every problem is reported as (line, field, reason); with any
problem nothing is written unless ``skip_invalid``, which applies the good rows. The search index
generation is bumped in the same transaction (see `index.py`), so no search sees a stale unit;
taking it is also the writers' lock, and the units are read and checked only once it is held.
Each upload, applied or not, leaves a `UnitUpload` record with its report. The rows are read and
checked by `upload_rows`.
"""

import datetime as dt
import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from typing import Any, Literal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stemhub.accounts.models import Institution, User
from stemhub.accounts.permissions import Perm, user_can
from stemhub.audit.context import audited
from stemhub.cordblood import index as search_index
from stemhub.cordblood.models import EventKind, Unit, UnitEvent, UnitStatus, UnitUpload
from stemhub.cordblood.upload_rows import (
    DATA_FIELDS,
    Problem,
    RowChecker,
    clean_row,
    read_upload,
)
from stemhub.core.columns import column
from stemhub.core.errors import Forbidden, InvalidInput

Mode = Literal["full", "delta"]
Progress = Callable[[str, int, int], None]
BATCH = 2000


# ---- applying ---------------------------------------------------------------------------------


@audited
def units_import(
    *,
    actor: User | None,
    bank: Institution,
    filename: str,
    content: bytes,
    mode: Mode = "delta",
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Validate and apply an upload; returns the report (`applied` says whether it was).

    `actor` None is the command line (run by an operator on the server)."""
    if actor is not None and not user_can(actor, Perm.CORD_MANAGE, bank.pk):
        raise Forbidden(_("You need cordblood.manage at this bank to upload its units."))
    if mode not in ("full", "delta"):
        raise InvalidInput(_("mode: full or delta"), fields={"mode": [_("full or delta")]})
    with _gc_paused():
        report = _import(actor, bank, filename, content, mode, skip_invalid, progress)
    report["upload"] = _record(actor, bank, filename, mode, report).pk
    return report


def _record(
    actor: User | None, bank: Institution, filename: str, mode: Mode, report: dict[str, Any]
) -> UnitUpload:
    """The upload as its staff will look it up later: counts and problems by row (the report is
    written after the units, applied or not, so a rejected upload leaves its report too)."""
    upload = UnitUpload(
        bank=bank,
        uploaded_by=actor,
        filename=filename[:200] or "units",
        mode=mode,
        applied=report["applied"],
        problem_count=len(report["errors"]),
        problems=report["errors"][: UnitUpload.PROBLEMS_KEPT],
        **{name: report[name] for name in UPLOAD_COUNTS},
    )
    upload.full_clean()
    upload.save()
    return upload


UPLOAD_COUNTS = ("rows", "created", "updated", "unchanged", "withdrawn", "skipped")


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the duration of an upload.

    A 300,000-row upload keeps millions of live objects (rows, cleaned values, parsed typings)
    and allocates many more, so the collector's full passes keep re-walking the growing heap:
    about a third of the import's time for nothing, as the rows hold no reference cycles (plain
    reference counting frees them). Process-wide, so other threads' collections wait too."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(
    actor: User | None,
    bank: Institution,
    filename: str,
    content: bytes,
    mode: Mode,
    skip_invalid: bool,
    progress: Progress | None,
) -> dict[str, Any]:
    problems, raw_rows = read_upload(filename, content)
    total = len(raw_rows)
    if progress:
        progress("validate", 0, total)
    good: dict[str, tuple[int, dict[str, Any]]] = {}
    dins: dict[str, int] = {}
    checker = RowChecker()
    for done, (line, raw) in enumerate(raw_rows, start=1):
        data = clean_row(line, raw, problems, checker)
        if progress and done % 5000 == 0:
            progress("validate", done, total)
        if data is None:
            continue
        local_id = data["local_id"]
        if local_id in good:
            problems.append(Problem(line, "local_id", _duplicate(local_id, good[local_id][0])))
            continue
        din = data.get("din")
        if din and din in dins:
            problems.append(Problem(line, "din", _duplicate(din, dins[din])))
            continue
        if din:
            dins[din] = line
        good[local_id] = (line, data)
    if progress:
        progress("validate", total, total)
    # Every writer of unit statuses (reservations, shipments, other uploads) takes the index
    # state lock first: the units are read and checked under it, so a reservation committed
    # while the file was being validated is seen here and never overwritten from a stale row.
    with transaction.atomic():
        generation = search_index.begin_generation()
        report = _check_and_apply(
            actor, bank, mode, skip_invalid, good, dins, problems, total, generation, progress
        )
        if not report["applied"]:
            transaction.set_rollback(True)  # nothing written, not even the generation
            return report
    if progress:
        progress("index", 0, 1)
    search_index.current()  # this process's index catches up at once
    if progress:
        progress("index", 1, 1)
    return report


def _duplicate(value: str, line: int) -> str:
    return _("duplicate: %(value)s is also on line %(line)s") % {"value": value, "line": line}


def _check_and_apply(
    actor: User | None,
    bank: Institution,
    mode: Mode,
    skip_invalid: bool,
    good: dict[str, tuple[int, dict[str, Any]]],
    dins: dict[str, int],
    problems: list[Problem],
    total: int,
    generation: int,
    progress: Progress | None,
) -> dict[str, Any]:
    """Inside the writers' lock: check the rows against the units as they stand, then write."""
    existing = {
        row[1]: row
        for row in Unit.objects.filter(bank=bank)
        .order_by()
        .values_list("pk", "local_id", "status", "din", *DATA_FIELDS)
    }
    taken = _dins_elsewhere(bank, dins)
    for local_id, (line, data) in list(good.items()):
        din = data.get("din")
        other = taken.get(din) if din else None
        if other is not None and other != local_id:
            problems.append(
                Problem(
                    line,
                    "din",
                    _("%(din)s already belongs to unit %(unit)s") % {"din": din, "unit": other},
                )
            )
            del good[local_id]
            continue
        old = existing.get(local_id)
        if old is None:
            if data["action"] == "withdraw":
                problems.append(
                    Problem(line, "local_id", _("no unit %(id)s to withdraw") % {"id": local_id})
                )
                del good[local_id]
            continue
        wants = UnitStatus.WITHDRAWN if data["action"] == "withdraw" else data["status"]
        if old[2] == UnitStatus.RESERVED and wants != UnitStatus.AVAILABLE:
            problems.append(
                Problem(
                    line,
                    "status",
                    _("%(id)s is reserved; end the reservation first") % {"id": local_id},
                )
            )
            del good[local_id]
    problems.sort(key=lambda p: (p.line, p.field))
    report: dict[str, Any] = {
        "bank": bank.provider_code,
        "mode": mode,
        "rows": total,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "withdrawn": 0,
        "skipped": len({p.line for p in problems if p.line > 1 or p.field != "(file)"}),
        "applied": False,
        "errors": [p.as_dict() for p in problems],
    }
    if (problems and not skip_invalid) or any(p.field == "(file)" for p in problems):
        report["skipped"] = 0
        return report
    _apply(actor, bank, mode, good, existing, report, generation, progress)
    report["applied"] = True
    return report


def _dins_elsewhere(bank: Institution, dins: dict[str, int]) -> dict[str, str]:
    """DIN -> local id (``BANK/local`` for another bank's unit) of units already holding it."""
    found: dict[str, str] = {}
    wanted = list(dins)
    quote = connection.ops.quote_name
    units, banks = quote(Unit._meta.db_table), quote(Institution._meta.db_table)
    din, bank_id, local_id = (quote(column(Unit, f)) for f in ("din", "bank", "local_id"))
    bank_pk, code = (quote(column(Institution, f)) for f in ("id", "provider_code"))
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start : start + 5000]
            cursor.execute(
                f"SELECT u.{din}, u.{bank_id}, u.{local_id}, b.{code} FROM {units} u "
                f"JOIN {banks} b ON b.{bank_pk} = u.{bank_id} "
                f"WHERE u.{din} IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            for number, owner, local, provider in cursor.fetchall():
                found[number] = local if owner == bank.pk else f"{provider}/{local}"
    return found


def _apply(
    actor: User | None,
    bank: Institution,
    mode: Mode,
    good: dict[str, tuple[int, dict[str, Any]]],
    existing: dict[str, tuple[Any, ...]],
    report: dict[str, Any],
    generation: int,
    progress: Progress | None,
) -> None:
    """Write the checked rows (inside `_import`'s transaction, which holds the writers' lock)."""
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    actor_id = None if actor is None else actor.pk
    # UnitEvent rows as (unit_id, kind, from_status, to_status, actor_id, note, at) tuples
    events: list[tuple[Any, ...]] = []
    new_units: list[tuple[str, str, dict[str, Any]]] = []
    changed: list[Unit] = []
    withdraw: list[tuple[int, str]] = []
    for local_id, (_line, data) in good.items():
        old = existing.get(local_id)
        if data["action"] == "withdraw":
            # _import turned a withdrawal of an unknown unit into a problem: `old` is there
            if old is not None and old[2] in (UnitStatus.AVAILABLE, UnitStatus.QUARANTINED):
                withdraw.append((old[0], old[2]))
            continue
        if old is None:
            new_units.append((local_id, data["status"], data))
            continue
        values = {name: data[name] for name in DATA_FIELDS}
        old_values = dict(zip(DATA_FIELDS, old[4:], strict=True))
        status = old[2]
        new_status = status
        if status in (UnitStatus.AVAILABLE, UnitStatus.QUARANTINED, UnitStatus.WITHDRAWN):
            new_status = data["status"]
        if old_values == values and new_status == status:
            report["unchanged"] += 1
            continue
        unit = Unit(pk=old[0], bank=bank, local_id=local_id, status=new_status, **values)
        changed.append(unit)
        if new_status != status:
            events.append((old[0], EventKind.STATUS, status, new_status, actor_id, "", stamp))
    if mode == "full":
        for local_id, old in existing.items():
            if local_id not in good and old[2] in (UnitStatus.AVAILABLE, UnitStatus.QUARANTINED):
                withdraw.append((old[0], old[2]))
    total = len(new_units) + len(changed) + len(withdraw)
    done = 0
    for start in range(0, len(new_units), BATCH):
        batch = new_units[start : start + BATCH]
        _insert(bank, batch, generation, stamp)
        done += len(batch)
        if progress:
            progress("write", done, total)
    if new_units:
        created = _created(bank, generation)
        events.extend(
            (created[local_id], EventKind.IMPORTED, "", status, actor_id, "", stamp)
            for local_id, status, _ in new_units
        )
    for unit in changed:
        unit.generation = generation
        unit.updated_at = now
    Unit.objects.bulk_update(
        changed, [*DATA_FIELDS, "status", "generation", "updated_at"], batch_size=500
    )
    done += len(changed)
    note = f"{mode} upload"
    for start in range(0, len(withdraw), BATCH):
        chunk = withdraw[start : start + BATCH]
        Unit.objects.filter(
            pk__in=[pk for pk, _ in chunk],
            status__in=(UnitStatus.AVAILABLE, UnitStatus.QUARANTINED),
        ).update(status=UnitStatus.WITHDRAWN, generation=generation, updated_at=now)
        events.extend(
            (pk, EventKind.WITHDRAWN, status, UnitStatus.WITHDRAWN, actor_id, note, stamp)
            for pk, status in chunk
        )
    done += len(withdraw)
    if progress:
        progress("write", done, total)
    _insert_events(events)
    report["created"] = len(new_units)
    report["updated"] = len(changed)
    report["withdrawn"] = len(withdraw)


INSERT_FIELDS = (
    "bank_id",
    "local_id",
    "status",
    *DATA_FIELDS,
    "generation",
    "created_at",
    "updated_at",
)
JSON_FIELDS = {"idm", "accreditation"}
_JSON_AT = [i for i, name in enumerate(DATA_FIELDS) if name in JSON_FIELDS]
_DATE_AT = [
    i
    for i, name in enumerate(DATA_FIELDS)
    if Unit._meta.get_field(name).get_internal_type() in ("DateField", "DateTimeField")
]


def _insert(
    bank: Institution, batch: list[tuple[str, str, dict[str, Any]]], generation: int, stamp: Any
) -> None:
    """Insert new units with one executemany (the ORM's bulk_create spends ~0.5 ms a row
    compiling SQL: 150 s at 300,000); their keys are read once afterwards (`_created`)."""
    rows = []
    json_of: dict[Any, str] = {}
    iso_of: dict[dt.date, str] = {}
    values_of = itemgetter(*DATA_FIELDS)
    for local_id, status, data in batch:
        row = list(values_of(data))
        for i in _JSON_AT:
            value = row[i]
            key = (i, tuple(value.items()) if isinstance(value, dict) else tuple(value))
            text = json_of.get(key)
            if text is None:
                text = json_of[key] = json.dumps(value)
            row[i] = text
        for i in _DATE_AT:
            value = row[i]
            if isinstance(value, dt.date):
                text = iso_of.get(value)
                if text is None:
                    text = iso_of[value] = value.isoformat()
                row[i] = text
        rows.append((bank.pk, local_id, status, *row, generation, stamp, stamp))
    table = connection.ops.quote_name(Unit._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in INSERT_FIELDS)
    marks = ", ".join(["%s"] * len(INSERT_FIELDS))
    _write_rows(table, columns, marks, rows)


def _write_rows(table: str, columns: str, marks: str, rows: list[tuple[Any, ...]]) -> None:
    """Many rows into one table: COPY on PostgreSQL (the server parses no INSERT per row),
    one executemany elsewhere."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _created(bank: Institution, generation: int) -> dict[str, int]:
    """local id -> primary key of the bank's units stamped with this generation (one query;
    in `_apply` these are exactly the units just inserted: updates are stamped after)."""
    quote = connection.ops.quote_name
    local_id, pk, bank_id, stamped = (
        quote(column(Unit, f)) for f in ("local_id", "id", "bank", "generation")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {local_id}, {pk} FROM {quote(Unit._meta.db_table)} "
            f"WHERE {bank_id} = %s AND {stamped} = %s",
            [bank.pk, generation],
        )
        return dict(cursor.fetchall())


def _insert_events(events: list[tuple[Any, ...]]) -> None:
    table = connection.ops.quote_name(UnitEvent._meta.db_table)
    names = ("unit_id", "kind", "from_status", "to_status", "actor_id", "note", "at")
    columns = ", ".join(connection.ops.quote_name(name) for name in names)
    marks = ", ".join(["%s"] * len(names))
    for start in range(0, len(events), BATCH):
        _write_rows(table, columns, marks, events[start : start + BATCH])
