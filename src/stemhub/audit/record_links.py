"""Where an audited row is shown in the application: the page of the record itself (a cell
line, a bank, a vial, a request, a member) or of the record it belongs to (a line's synonym,
a request's shipment). Resolved for a page of audit rows at once: a query per kind of record."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import reverse

from stemhub.accounts.permissions import Perm, user_can
from stemhub.audit.models import AuditEvent


@dataclass(frozen=True)
class Target:
    """The page of records of `model`; an audited row reaches it through its column `via`
    (None: the row is that record)."""

    model: str
    via: str | None
    url: Callable[[Any], str]
    name: Callable[[Any], str]
    perm: Perm


@dataclass(frozen=True)
class RecordLink:
    name: str
    url: str | None


LINE = ("registry.cellline", lambda line: reverse("registry:staff_line", args=[line.name]))
REQUEST = (
    "distribution.distributionrequest",
    lambda request: reverse("distribution:request", args=[request.pk]),
)
MEMBER = (
    "accounts.user",
    lambda user: (
        reverse("member", args=[user.institution.provider_code, user.username])
        if user.institution_id
        else ""
    ),
)
EQUIPMENT = ("equipment.equipment", lambda unit: reverse("equipment:detail", args=[unit.pk]))
QC_BANK = ("biobank.cellbank", lambda bank: reverse("quality:bank", args=[bank.pk]))


def _name(obj: Any) -> str:
    return str(getattr(obj, "name", "") or getattr(obj, "code", "") or obj)


def _target(model_url: tuple[str, Callable[[Any], str]], via: str | None, perm: Perm) -> Target:
    model, url = model_url
    names: dict[str, Callable[[Any], str]] = {
        "distribution.distributionrequest": lambda r: r.reference,
        "accounts.user": lambda u: u.display_name,
        "biobank.vial": lambda v: v.barcode,
    }
    return Target(model, via, url, names.get(model, _name), perm)


TARGETS: dict[str, Target] = {
    "registry.cellline": _target(LINE, None, Perm.VIEW_INTERNAL),
    **{
        f"registry.{child}": _target(LINE, "line_id", Perm.VIEW_INTERNAL)
        for child in (
            "synonym",
            "provider",
            "karyotype",
            "markerresult",
            "pluritest",
            "differentiation",
            "omicsdataset",
            "geneticmodification",
            "clinicalstudy",
            "publication",
            "crossreference",
            "derivedproduct",
        )
    },
    "biobank.container": _target(
        ("biobank.container", lambda c: reverse("biobank:container", args=[c.pk])),
        None,
        Perm.INVENTORY_VIEW,
    ),
    "biobank.cellbank": _target(
        ("biobank.cellbank", lambda b: reverse("biobank:bank", args=[b.pk])),
        None,
        Perm.INVENTORY_VIEW,
    ),
    "biobank.vial": _target(
        ("biobank.vial", lambda v: reverse("biobank:vial", args=[v.barcode])),
        None,
        Perm.INVENTORY_VIEW,
    ),
    "equipment.equipment": _target(EQUIPMENT, None, Perm.INVENTORY_VIEW),
    **{
        f"equipment.{child}": _target(EQUIPMENT, "equipment_id", Perm.INVENTORY_VIEW)
        for child in ("calibration", "maintenance", "temperaturelog", "excursion")
    },
    **{
        f"quality.{child}": _target(QC_BANK, "bank_id", Perm.INVENTORY_VIEW)
        for child in ("qcresult", "nonconformity", "release")
    },
    "distribution.distributionrequest": _target(REQUEST, None, Perm.DISTRIBUTION_REVIEW),
    **{
        f"distribution.{child}": _target(REQUEST, "request_id", Perm.DISTRIBUTION_REVIEW)
        for child in (
            "licencesignature",
            "allocation",
            "shipment",
            "receipt",
            "thawreport",
            "resultreport",
        )
    },
    "accounts.user": _target(MEMBER, None, Perm.MANAGE_MEMBERS),
    "accounts.rolegrant": _target(MEMBER, "user_id", Perm.MANAGE_MEMBERS),
}

# Requests open to any of their provider's distribution staff, not to reviewers only.
DISTRIBUTION_STAFF = (Perm.DISTRIBUTION_REVIEW, Perm.DISTRIBUTION_SHIP, Perm.DISTRIBUTION_COMMITTEE)


def _may_open(user: Any, target: Target, institution_id: int | None) -> bool:
    perms = DISTRIBUTION_STAFF if target.perm == Perm.DISTRIBUTION_REVIEW else (target.perm,)
    return any(user_can(user, perm, institution_id) for perm in perms)


def _values(event: AuditEvent, column: str) -> Any:
    for values in (event.new_values, event.old_values):
        if values and values.get(column) is not None:
            return values[column]
    return None


def record_links(user: Any, events: Iterable[AuditEvent]) -> dict[int, RecordLink]:
    """Event id → the record it shows on a page (name and URL, no URL when the user may not
    open that page or the record is gone)."""
    events = list(events)
    wanted: dict[int, tuple[Target, str]] = {}
    missing: dict[str, set[str]] = {}
    for event in events:
        target = TARGETS.get(event.model)
        if target is None:
            continue
        if target.via is None:
            wanted[event.pk] = (target, event.row_pk)
            continue
        value = _values(event, target.via)
        if value is None:
            missing.setdefault(event.model, set()).add(event.row_pk)
        else:
            wanted[event.pk] = (target, str(value))
    owners: dict[tuple[str, str], str] = {}
    for label, pks in missing.items():
        column = TARGETS[label].via
        rows = apps.get_model(label).objects.filter(pk__in=pks).values_list("pk", column)
        owners.update({(label, str(pk)): str(owner) for pk, owner in rows})
    for event in events:
        owner = owners.get((event.model, event.row_pk))
        if owner is not None:
            wanted[event.pk] = (TARGETS[event.model], owner)
    by_model: dict[str, set[str]] = {}
    for target, pk in wanted.values():
        by_model.setdefault(target.model, set()).add(pk)
    found: dict[tuple[str, str], Any] = {}
    for label, pks in by_model.items():
        rows = apps.get_model(label).objects.filter(pk__in=pks)
        if label == "accounts.user":
            rows = rows.select_related("institution")
        found.update({(label, str(obj.pk)): obj for obj in rows})
    institution_of = {event.pk: event.institution_id for event in events}
    links = {}
    for event_id, (target, pk) in wanted.items():
        obj = found.get((target.model, pk))
        if obj is None:
            continue
        url = target.url(obj) if _may_open(user, target, institution_of[event_id]) else ""
        links[event_id] = RecordLink(target.name(obj), url or None)
    return links
