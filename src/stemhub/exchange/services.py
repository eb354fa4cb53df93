"""hPSCreg exchange: export our lines in hPSCreg's shape, import hPSCreg records by name.

Imported lines are written through the registry services (so a change to a published line is a
version with its reason) by a service account of the hPSCreg registry institution, which owns
them; their providers are kept as provider rows of the institutions named in the record.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from stemhub.accounts.models import Institution, Role, RoleGrant, User
from stemhub.catalogue.services import catalogue_entry_refresh
from stemhub.core.errors import InvalidInput, StemhubError
from stemhub.exchange.hpscreg import (
    RecordProblem,
    hpscreg_to_data,
    line_to_hpscreg,
    provider_entries,
)
from stemhub.registry import services as registry
from stemhub.registry.models import (
    Availability,
    CellLine,
    CurationEvent,
    LineType,
    LineVersion,
    Source,
    Status,
)
from stemhub.registry.naming import HUMAN
from stemhub.registry.records import RECORD_PREFETCH, line_record
from stemhub.registry.validation import line_problems

HPSCREG_CODE = "HPSCR"
HPSCREG_NAME = "hPSCreg (Human Pluripotent Stem Cell Registry)"
IMPORT_USERNAME = "hpscreg-import"
REASON = "As recorded in hPSCreg"
PROVIDER_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def hpscreg_institution() -> Institution:
    institution, _ = Institution.objects.get_or_create(
        provider_code=HPSCREG_CODE,
        defaults={
            "name": HPSCREG_NAME,
            "kind": Institution.Kind.REGISTRY,
            "website": "https://hpscreg.eu/",
        },
    )
    return institution


def hpscreg_import_account(institution: Institution) -> User:
    """The account imports act as: a curator of the hPSCreg institution who cannot log in."""
    user = User.objects.filter(username=IMPORT_USERNAME).first()
    if user is None:
        user = User(username=IMPORT_USERNAME, institution=institution, first_name="hPSCreg import")
        user.set_unusable_password()
        user.save()
        RoleGrant.objects.create(user=user, role=Role.CURATOR)
    return user


def export_lines() -> list[CellLine]:
    """What may go to hPSCreg, by name: published human lines (hPSCreg registers human lines
    only, and a draft is nobody's to share yet), not the Cellosaurus reference entries."""
    return list(
        CellLine.objects.filter(status=Status.PUBLISHED, species=HUMAN)
        .exclude(source=Source.CELLOSAURUS)
        .select_related("institution", "parent", "donor")
        .prefetch_related(*RECORD_PREFETCH, "providers__institution")
        .order_by("name")
    )


def hpscreg_export() -> list[dict[str, Any]]:
    return [line_to_hpscreg(line, line_record(line)) for line in export_lines()]


def hpscreg_dumps(records: list[dict[str, Any]]) -> str:
    """The export document: deterministic (records by name, keys sorted)."""
    return json.dumps(records, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@dataclass
class Incoming:
    index: int
    where: str
    name: str
    data: dict[str, Any]
    providers: list[dict[str, str]] | None
    status: str
    availability: str

    @property
    def label(self) -> str:
        return gettext("record %(index)s (%(where)s, %(name)r)") % {
            "index": self.index,
            "where": self.where,
            "name": self.name,
        }


def _problem(index: int, where: str, name: Any, key: str, message: str) -> InvalidInput:
    return InvalidInput(
        gettext(
            "record %(index)s (%(where)s, %(name)r): key %(key)r: %(problem)s; nothing was imported"
        )
        % {"index": index, "where": where, "name": name, "key": key, "problem": message},
        fields={f"records[{index}].{key}": [message]},
    )


@contextmanager
def _blame(item: Incoming) -> Iterator[None]:
    """Errors of the registry services, re-raised naming the record they came from."""
    try:
        yield
    except StemhubError as error:
        keys = ", ".join(error.fields) or "(record)"
        raise type(error)(
            gettext("%(record)s: %(problem)s (keys: %(keys)s); nothing was imported")
            % {"record": item.label, "problem": error.message, "keys": keys},
            fields={f"records[{item.index}].{k}": v for k, v in error.fields.items()},
        ) from None


def _one_of(values: list[str]) -> str:
    return gettext("one of %(values)s") % {"values": ", ".join(values)}


def _parse(index: int, where: str, record: dict[str, Any]) -> Incoming:
    name = record.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _problem(index, where, name, "name", gettext("required"))
    try:
        data = hpscreg_to_data(record)
        providers = provider_entries(record) if "providers" in record else None
    except RecordProblem as problem:
        raise _problem(index, where, name, problem.key, problem.message) from None
    status = record.get("status") or Status.PUBLISHED.value
    if status not in Status.values:
        raise _problem(index, where, name, "status", _one_of(Status.values))
    availability = record.get("availability") or Availability.NOT_AVAILABLE.value
    if availability not in Availability.values:
        raise _problem(index, where, name, "availability", _one_of(Availability.values))
    data["source"] = Source.HPSCREG.value
    data["external_accession"] = str(record.get("id") or "")
    return Incoming(index, where, name.strip(), data, providers, status, availability)


def _in_dependency_order(items: list[Incoming]) -> list[Incoming]:
    """Parents and isogenic controls before the lines that name them."""
    names = {item.name for item in items}
    done: set[str] = set()
    ordered: list[Incoming] = []
    pending = list(items)
    while pending:
        ready = []
        for item in pending:
            needs = {item.data.get("parent")} | {
                m.get("isogenic_control") for m in item.data.get("modifications", [])
            }
            if (needs & names) - {item.name} <= done:
                ready.append(item)
        if not ready:
            first = pending[0]
            raise _problem(
                first.index, first.where, first.name, "subclone_of", "circular parent links"
            )
        for item in ready:
            pending.remove(item)
            done.add(item.name)
            ordered.append(item)
    return ordered


def _canonical(value: Any) -> Any:
    """Lists compared as sets of items: the order of a record's lists carries no meaning."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((_canonical(v) for v in value), key=lambda v: json.dumps(v, default=str))
    return value


def _providers(item: Incoming, warnings: list[str]) -> list[dict[str, str]]:
    out = []
    for provider in item.providers or []:
        code = provider["code"]
        if not (2 <= len(code) <= 5 and set(code) <= PROVIDER_CODE_CHARS):
            warnings.append(
                gettext(
                    "%(record)s: provider code %(code)r cannot name an institution here "
                    "(2-5 uppercase letters); that provider is left out"
                )
                % {"record": item.label, "code": code}
            )
            continue
        if not Institution.objects.filter(provider_code=code).exists():
            name = provider["name"] or code
            if Institution.objects.filter(name=name).exists():
                name = f"{name} ({code})"
            Institution.objects.create(
                name=name, provider_code=code, kind=Institution.Kind.RESEARCH_INSTITUTION
            )
        out.append({"institution": code, "role": provider["role"]})
    return out


def _set_status(line: CellLine, status: str, actor: User) -> None:
    if line.status == status:
        return
    CurationEvent.objects.create(
        line=line, from_status=line.status, to_status=status, note=REASON, actor=actor
    )
    if status == Status.PUBLISHED and line.published_at is None:
        line.published_at = timezone.now()
        line.version += 1
        LineVersion.objects.create(
            line=line,
            number=line.version,
            changes={"status": [line.status, status]},
            note=REASON,
            actor=actor,
        )
    line.status = status
    line.save(update_fields=["status", "published_at", "version", "updated_at"])


def _stored_data(line: CellLine) -> dict[str, Any]:
    fresh = (
        CellLine.objects.select_related("institution", "parent", "donor")
        .prefetch_related(*RECORD_PREFETCH, "providers__institution")
        .get(pk=line.pk)
    )
    record = line_to_hpscreg(fresh, line_record(fresh))
    data = hpscreg_to_data(record)
    data["source"] = fresh.source
    data["external_accession"] = fresh.external_accession
    data["providers"] = [{"institution": p["code"], "role": p["role"]} for p in record["providers"]]
    return data


@transaction.atomic
def hpscreg_import(
    *, records: list[tuple[str, dict[str, Any]]], actor: User | None = None
) -> dict[str, Any]:
    """Create or update lines by name from hPSCreg records; all or nothing.

    Lines registered here or taken from Cellosaurus are never overwritten: a record with such a
    name is listed under "kept" instead.
    """
    institution = hpscreg_institution()
    actor = actor or hpscreg_import_account(institution)
    items = [_parse(index, where, record) for index, (where, record) in enumerate(records)]
    seen: dict[str, int] = {}
    for item in items:
        if item.name in seen:
            raise _problem(
                item.index,
                item.where,
                item.name,
                "name",
                gettext("also in record %(index)s") % {"index": seen[item.name]},
            )
        seen[item.name] = item.index
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    kept: list[str] = []
    warnings: list[str] = []
    for item in _in_dependency_order(items):
        line = CellLine.objects.filter(name=item.name).first()
        if line is not None and line.source != Source.HPSCREG:
            kept.append(item.name)
            continue
        with _blame(item):
            data = dict(item.data)
            if item.providers is not None:
                data["providers"] = _providers(item, warnings)
            if line is None:
                if data.get("line_type") not in LineType.values:
                    raise _problem(
                        item.index,
                        item.where,
                        item.name,
                        "type",
                        _one_of(LineType.values),
                    )
                # cell_line_create holds names to the owning institution's provider code; an
                # hPSCreg line keeps its registered name, so the row is made here and every
                # field is then written (and validated) by the registry service.
                line = CellLine.objects.create(
                    name=item.name,
                    institution=institution,
                    line_type=data.get("line_type") or "",
                    source=Source.HPSCREG,
                )
                line = registry.cell_line_update(actor=actor, line=line, data=data)
                counts["created"] += 1
            else:
                stored = _stored_data(line)
                changes = {
                    k: v for k, v in data.items() if _canonical(stored.get(k)) != _canonical(v)
                }
                if (
                    not changes
                    and line.status == item.status
                    and (line.availability == item.availability)
                ):
                    counts["unchanged"] += 1
                    continue
                if changes:
                    line = registry.cell_line_update(
                        actor=actor, line=line, data=changes, reason=REASON
                    )
                counts["updated"] += 1
            line.refresh_from_db()
            warnings.extend(f"{item.label}: {p.message}" for p in line_problems(line))
            _set_status(line, item.status, actor)
            catalogue_entry_refresh(line=line)
            if line.availability != item.availability:
                registry.cell_line_set_availability(
                    actor=actor, line=line, availability=item.availability, reason=REASON
                )
    return {"records": len(items), "cell_lines": counts, "kept": kept, "warnings": warnings}
