"""Inventory import from CSV: vials that already sit in the tanks, with their banks.

Columns: `line`, `bank`, `barcode`, `location` (a path such as
`Site A/Room 1/Tank 2/Rack 3/Box 7/A1`), optional `status`, and for a bank not yet known
`tier`, `passage` and `freeze_date`. Every row is checked first and reported; the file is
applied only when every row is right, and then all at once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stemhub.accounts.models import Institution, User
from stemhub.accounts.permissions import Perm, require
from stemhub.audit.context import audit_context
from stemhub.biobank.barcodes import is_acceptable
from stemhub.biobank.dates import freeze_date_problem
from stemhub.biobank.models import (
    BankTier,
    CellBank,
    Container,
    CustodyEvent,
    PositionHold,
    Vial,
    VialStatus,
)
from stemhub.biobank.services import first_custody_events, lock_containers
from stemhub.core.errors import Conflict, InvalidInput, is_unique_violation
from stemhub.core.tabular import TableLimits, table_rows
from stemhub.core.validation import passage_problem
from stemhub.registry.models import Status as LineStatus
from stemhub.registry.selectors import visible_lines

REQUIRED = ("line", "bank", "barcode", "location")
OPTIONAL = ("status", "tier", "passage", "freeze_date")
STORED_STATUSES = (VialStatus.AVAILABLE, VialStatus.RESERVED, VialStatus.QUARANTINED)
# One file's limits, stated once: the page, the API and docs/biobank.md show them.
LIMITS = TableLimits(max_bytes=20 * 1024 * 1024, max_rows=50_000, max_columns=50, max_cell=1_000)
# progress(stage, done, total): "validate" (rows checked), then "write" (rows written).
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 1_000


@dataclass
class RowReport:
    number: int
    barcode: str
    location: str
    errors: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(message)


@dataclass
class ImportReport:
    rows: list[RowReport]
    dry_run: bool
    applied: bool = False
    new_banks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(not row.errors for row in self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    def as_dict(self) -> dict[str, Any]:
        """The report as the API answers it and as a task keeps it (JSON)."""
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "applied": self.applied,
            "rows": len(self.rows),
            "errors": self.error_count,
            "new_banks": self.new_banks,
            "report": [
                {"row": r.number, "barcode": r.barcode, "location": r.location, "errors": r.errors}
                for r in self.rows
            ],
        }

    def as_error(self) -> InvalidInput:
        """The failed rows as one error naming each row and column."""
        return InvalidInput(
            ngettext(
                "%(errors)s of %(rows)s row has errors; nothing was imported",
                "%(errors)s of %(rows)s rows have errors; nothing was imported",
                len(self.rows),
            )
            % {"errors": self.error_count, "rows": len(self.rows)},
            fields={
                f"rows[{row.number}].{column}": problems
                for row in self.rows
                for column, problems in row.errors.items()
            },
        )


@dataclass
class _Planned:
    report: RowReport
    bank_code: str
    box: Container
    row: int | None
    column: int | None
    status: str


def template_csv() -> str:
    # The header row names the file's columns, which stay in English whatever the language of
    # the page: a file is read the same by every centre.
    return (
        "line,bank,barcode,location,status,tier,passage,freeze_date\n"
        "NSCBi001-A,NSCBi001-A-MCB-01,LEGACY-0001,Site A/Room 1/Tank 2/Rack 3/Box 7/A1,"
        "available,mcb,12,2024-05-02\n"
    )


def _container_paths(institution_id: int) -> dict[str, Container]:
    containers = list(
        Container.objects.filter(institution_id=institution_id).select_related("type")
    )
    by_id = {c.pk: c for c in containers}
    paths: dict[int, str] = {}

    def path(c: Container) -> str:
        if c.pk not in paths:
            parent = by_id.get(c.parent_id) if c.parent_id else None
            paths[c.pk] = f"{path(parent)}/{c.name}" if parent else c.name
        return paths[c.pk]

    return {path(c).casefold(): c for c in containers}


def _locate(
    location: str, paths: dict[str, Container], report: RowReport
) -> tuple[Container | None, int | None, int | None]:
    clean = "/".join(part.strip() for part in location.strip().strip("/").split("/"))
    whole = paths.get(clean.casefold())
    if whole is not None and not whole.type.has_layout:
        return whole, None, None
    head, _slash, label = clean.rpartition("/")
    box = paths.get(head.casefold())
    if box is None:
        report.fail("location", _("no container at %(path)r") % {"path": head or clean})
        return None, None, None
    try:
        row, column = box.type.parse(label)
    except ValueError:
        report.fail(
            "location", _("%(name)s has no position %(label)r") % {"name": box.name, "label": label}
        )
        return None, None, None
    return box, row, column


def _parse(text: str) -> list[dict[str, str]]:
    """The rows as {column: text}, read within LIMITS (rows numbered from 2 in reports)."""
    reader = table_rows(text.encode("utf-8"), filename="inventory.csv", limits=LIMITS)
    header = next(reader, (1, []))[1]
    columns = [c.lower() for c in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise InvalidInput(
            ngettext(
                "The file lacks the column %(columns)s",
                "The file lacks the columns %(columns)s",
                len(missing),
            )
            % {"columns": ", ".join(missing)},
            fields={"file": [_("missing column %(column)s") % {"column": c} for c in missing]},
        )
    return [
        dict(zip(columns, cells + [""] * (len(columns) - len(cells)), strict=False))
        for _number, cells in reader
        if any(cells)
    ]


def inventory_import(
    *,
    actor: User,
    text: str,
    dry_run: bool = True,
    filename: str = "",
    institution: Institution | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row; unless it is a dry run and if all rows pass, create banks and vials
    in the storage of `institution` (the actor's own by default). `progress`, when given, hears
    the rows checked ("validate") and the rows written ("write")."""
    institution_id = institution.pk if institution else actor.institution_id
    if not institution_id:
        raise InvalidInput(_("Name the institution"), fields={"institution": [_("required")]})
    require(actor, Perm.INVENTORY_EDIT, institution_id)
    rows = _parse(text)
    paths = _container_paths(institution_id)
    line_names = {r.get("line", "") for r in rows}
    lines = {line.name: line for line in visible_lines(actor).filter(name__in=line_names)}
    bank_codes = {r.get("bank", "") for r in rows}
    banks = {b.code: b for b in CellBank.objects.filter(code__in=bank_codes)}
    barcodes = [r.get("barcode", "") for r in rows]
    existing = set(Vial.objects.filter(barcode__in=barcodes).values_list("barcode", flat=True))
    report = ImportReport(rows=[], dry_run=dry_run)
    planned: list[_Planned] = []
    new_banks: dict[str, dict[str, Any]] = {}
    seen_barcodes: set[str] = set()
    seen_positions: dict[tuple[int, int, int], int] = {}
    boxes: dict[int, Container] = {}
    total = len(rows)
    if progress:
        progress("validate", 0, total)
    for number, values in enumerate(rows, start=2):
        if progress and number > 2 and (number - 2) % PROGRESS_EVERY == 0:
            progress("validate", number - 2, total)
        row = RowReport(number, values.get("barcode", ""), values.get("location", ""))
        report.rows.append(row)
        for column in REQUIRED:
            if not values.get(column):
                row.fail(column, _("required"))
        line = lines.get(values.get("line", ""))
        if values.get("line") and line is None:
            row.fail("line", _("no cell line %(line)r that you may see") % {"line": values["line"]})
        if (
            line is not None
            and line.institution_id != institution_id
            and line.status != LineStatus.PUBLISHED
        ):
            row.fail("line", _("another institution's unpublished line"))
        barcode = values.get("barcode", "")
        if barcode and not is_acceptable(barcode):
            row.fail("barcode", _("not a usable barcode (letters, digits, . _ -; 3-64 long)"))
        elif barcode in existing:
            row.fail("barcode", _("already in the inventory"))
        elif barcode in seen_barcodes:
            row.fail("barcode", _("twice in this file"))
        seen_barcodes.add(barcode)
        status = values.get("status") or VialStatus.AVAILABLE
        if status not in STORED_STATUSES:
            row.fail(
                "status",
                _("one of %(statuses)s for a stored vial")
                % {"statuses": ", ".join(STORED_STATUSES)},
            )
        code = values.get("bank", "")
        bank = banks.get(code)
        if bank is not None:
            if bank.institution_id != institution_id:
                row.fail("bank", _("another institution's bank"))
            elif line is not None and bank.line_id != line.pk:
                row.fail("bank", _("bank %(code)s is of another line") % {"code": code})
        elif code and line is not None:
            _plan_bank(code, line, values, new_banks, row)
        box, r, c = _locate(values.get("location", ""), paths, row)
        if box is not None:
            _check_position(box, r, c, row, seen_positions, number)
            boxes[box.pk] = box
            planned.append(_Planned(row, code, box, r, c, status))
    if progress:
        progress("validate", total, total)
    report.new_banks = sorted(new_banks)
    if not report.ok or dry_run:
        return report
    if progress:
        progress("write", 0, total)
    _apply(actor, institution_id, report, planned, banks, new_banks, boxes, filename)
    report.applied = True
    if progress:
        progress("write", total, total)
    return report


def _plan_bank(
    code: str,
    line: Any,
    values: dict[str, str],
    new_banks: dict[str, dict[str, Any]],
    row: RowReport,
) -> None:
    if code in new_banks:
        new_banks[code]["count"] += 1
        if new_banks[code]["line"] != line:
            row.fail(
                "bank",
                _("bank %(code)s is of %(line)s in an earlier row")
                % {"code": code, "line": new_banks[code]["line"].name},
            )
        return
    tier = values.get("tier", "")
    if tier not in BankTier.values:
        row.fail(
            "tier", _("a new bank needs a tier: %(tiers)s") % {"tiers": ", ".join(BankTier.values)}
        )
    try:
        passage = int(values.get("passage", ""))
    except ValueError:
        row.fail("passage", _("a new bank needs its passage number"))
        passage = 0
    if problem := passage_problem(passage):
        row.fail("passage", problem)
    try:
        frozen = date.fromisoformat(values.get("freeze_date", ""))
    except ValueError:
        row.fail("freeze_date", _("a new bank needs its freeze date (YYYY-MM-DD)"))
        frozen = None
    if frozen is not None:
        problem = freeze_date_problem(frozen, line, today=timezone.localdate())
        if problem:
            row.fail("freeze_date", problem)
    new_banks[code] = {"line": line, "tier": tier, "passage": passage, "frozen": frozen, "count": 1}


def _check_position(
    box: Container,
    r: int | None,
    c: int | None,
    row: RowReport,
    seen: dict[tuple[int, int, int], int],
    number: int,
) -> None:
    if not box.type.holds_vials:
        row.fail("location", _("%(name)s does not hold vials") % {"name": box.name})
        return
    if box.blocked:
        row.fail("location", _("%(name)s is blocked") % {"name": box.name})
    if r is None or c is None:
        return
    key = (box.pk, r, c)
    if key in seen:
        row.fail("location", _("the same position as row %(row)s") % {"row": seen[key]})
        return
    seen[key] = number
    if Vial.objects.filter(container=box, row=r, column=c).exists():
        row.fail("location", _("position holds a vial already"))
    elif PositionHold.objects.filter(container=box, row=r, column=c, kind="blocked").exists():
        row.fail("location", _("position is blocked"))


@transaction.atomic
def _apply(
    actor: User,
    institution_id: int,
    report: ImportReport,
    planned: list[_Planned],
    banks: dict[str, CellBank],
    new_banks: dict[str, dict[str, Any]],
    boxes: dict[int, Container],
    filename: str,
) -> None:
    # Written for the actor, in the actor's language, like a reason typed on a form.
    reason = (
        _("Inventory import from %(file)s") % {"file": filename}
        if filename
        else _("Inventory import")
    )
    with audit_context(actor=actor, reason=reason):
        lock_containers(*boxes.values())
        for code, spec in new_banks.items():
            banks[code] = CellBank.objects.create(
                institution_id=institution_id,
                code=code,
                tier=spec["tier"],
                line=spec["line"],
                passage_number=spec["passage"],
                freeze_date=spec["frozen"],
                vial_count=spec["count"],
                created_by=actor,
                notes=reason,
            )
        try:
            with transaction.atomic():
                vials = Vial.objects.bulk_create(
                    Vial(
                        barcode=p.report.barcode,
                        bank=banks[p.bank_code],
                        status=p.status,
                        container=p.box,
                        row=p.row,
                        column=p.column,
                    )
                    for p in planned
                )
        except IntegrityError as error:
            if not is_unique_violation(error):
                raise
            raise Conflict(
                _("A position or barcode was taken meanwhile: %(error)s") % {"error": error}
            ) from None
        first_custody_events(
            [(vial, plan.report.location) for vial, plan in zip(vials, planned, strict=True)],
            kind=CustodyEvent.Kind.IMPORT,
            actor=actor,
            reason=reason,
        )
