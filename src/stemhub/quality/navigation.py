"""Quality's menu entries and the queues of QC work, releases and nonconformities."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.permissions import Perm
from stemhub.biobank.selectors import visible_banks
from stemhub.core.navigation import (
    MenuItem,
    Panel,
    Queue,
    QueueRow,
    Section,
    register_menu,
    register_panel,
    register_section,
)
from stemhub.quality.models import Nonconformity
from stemhub.quality.selectors import bank_readiness, released_banks, visible_nonconformities

SHOWN = 6

register_section(Section("quality", _("Quality"), 32))
register_menu(
    MenuItem("quality", _("QC catalogue"), "quality:catalogue", (Perm.INVENTORY_VIEW,), 10),
    MenuItem(
        "quality", _("Nonconformities"), "quality:nonconformities", (Perm.INVENTORY_VIEW,), 20
    ),
    MenuItem("quality", _("STR search"), "quality_public:str_search", (Perm.QC_RECORD,), 30),
)


def _unreleased(user: Any) -> list[Any]:
    banks = visible_banks(user).exclude(pk__in=released_banks().values("pk"))
    return list(banks.select_related("line", "product__line").order_by("freeze_date", "code"))


def _bank_row(bank: Any, detail: str) -> QueueRow:
    return QueueRow(
        label=bank.code,
        url=reverse("quality:bank", args=[bank.pk]),
        detail=f"{bank.source_name} · {bank.get_tier_display()} · {detail}",
    )


def release_queue(user: Any) -> Queue:
    """Banks whose required tests all passed, with no open nonconformity: ready to sign."""
    ready = [bank for bank in _unreleased(user) if bank_readiness(bank).ready]
    return Queue(
        count=len(ready),
        rows=[_bank_row(bank, str(_("ready for release"))) for bank in ready[:SHOWN]],
        more_url=reverse("biobank:banks"),
        empty=_("No bank is ready for release. Banks appear here once every required test passed."),
    )


def qc_queue(user: Any) -> Queue:
    """Banks still lacking a result for a required test."""
    waiting = []
    for bank in _unreleased(user):
        readiness = bank_readiness(bank)
        if readiness.missing:
            waiting.append((bank, readiness))
    return Queue(
        count=len(waiting),
        rows=[
            _bank_row(bank, ", ".join(t.name for t in readiness.missing[:3]))
            for bank, readiness in waiting[:SHOWN]
        ],
        more_url=reverse("biobank:banks"),
        empty=_("Every bank has its QC results. New banks appear here."),
    )


def open_nonconformities(user: Any) -> Queue:
    found = visible_nonconformities(user).filter(status=Nonconformity.Status.OPEN).order_by("pk")
    return Queue(
        count=found.count(),
        rows=[
            QueueRow(
                label=f"NC-{nc.pk} · {nc.bank.code}",
                url=reverse("quality:nonconformities") + f"#nc-{nc.pk}",
                detail=nc.description[:120],
            )
            for nc in found[:SHOWN]
        ],
        more_url=reverse("quality:nonconformities"),
        empty=_("No open nonconformity."),
        tone="bad",
    )


register_panel(
    Panel("release", _("Release queue"), (Perm.QC_RELEASE,), release_queue, order=10),
    Panel("qc", _("Banks awaiting QC results"), (Perm.QC_RECORD,), qc_queue, order=25),
    Panel(
        "nonconformities",
        _("Open nonconformities"),
        (Perm.QC_RECORD, Perm.QC_RELEASE),
        open_nonconformities,
        order=15,
    ),
)
