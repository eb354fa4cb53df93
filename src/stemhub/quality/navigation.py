"""Quality's menu entries and home-page queues: banks to test (technicians), the release queue,
open nonconformities and excursions awaiting a decision (QA). Each queue reads its banks'
readiness together (`banks_readiness`): a fixed number of queries however many banks wait."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.permissions import Perm, permissions_of
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
from stemhub.equipment.models import ExcursionVial
from stemhub.quality import wording
from stemhub.quality.models import Nonconformity
from stemhub.quality.selectors import (
    Readiness,
    banks_readiness,
    open_excursions,
    released_banks,
    visible_nonconformities,
)

SHOWN = 6
# Badge classes of the shared stylesheet (the home page loads no app's CSS).
GOOD, BAD, WAITING = "status-published", "availability-withdrawn", "status-submitted"

register_section(Section("quality", _("Quality"), 32))
register_menu(
    MenuItem("quality", _("QC catalogue"), "quality:catalogue", (Perm.INVENTORY_VIEW,), 10),
    MenuItem(
        "quality", _("Nonconformities"), "quality:nonconformities", (Perm.INVENTORY_VIEW,), 20
    ),
    MenuItem(
        "quality", _("Temperature excursions"), "quality:excursions", (Perm.INVENTORY_VIEW,), 25
    ),
    MenuItem("quality", _("STR search"), "quality_public:str_search", (Perm.QC_RECORD,), 30),
)


def _releases(user: Any) -> bool:
    return Perm.QC_RELEASE in permissions_of(user)


def _unreleased(user: Any) -> list[tuple[Any, Readiness]]:
    """The user's unreleased banks, oldest freeze first, each with its readiness."""
    banks = list(
        visible_banks(user)
        .exclude(pk__in=released_banks().values("pk"))
        .select_related("line", "product__line")
        .order_by("freeze_date", "code")
    )
    readiness = banks_readiness(banks)
    return [(bank, readiness[bank.pk]) for bank in banks]


def _names(tests: list[Any]) -> str:
    shown = wording.listing(wording.term(t.name) for t in tests[:3])
    more = len(tests) - 3
    if more > 0:
        return ngettext("%(shown)s and %(n)d more", "%(shown)s and %(n)d more", more) % {
            "shown": shown,
            "n": more,
        }
    return shown


def qc_queue(user: Any) -> Queue:
    """Banks still lacking a result for a required test, with which tests; each opens the
    result form on the bank's QC page, the first missing test chosen."""
    waiting = [(b, r) for b, r in _unreleased(user) if r.missing]
    rows = [
        QueueRow(
            label=bank.code,
            url=reverse("quality:bank", args=[bank.pk])
            + f"?test={readiness.missing[0].code}#add-result",
            detail=f"{bank.source_name} · {bank.get_tier_display()} · "
            + gettext("to test: %(tests)s") % {"tests": _names(readiness.missing)},
            badge=ngettext("%(n)d test missing", "%(n)d tests missing", len(readiness.missing))
            % {"n": len(readiness.missing)},
            badge_class=WAITING,
        )
        for bank, readiness in waiting[:SHOWN]
    ]
    return Queue(
        count=len(waiting),
        rows=rows,
        more_url=reverse("biobank:banks"),
        empty=_("Every bank has its QC results. A new bank appears here until it is tested."),
    )


def _blocking(readiness: Readiness) -> str:
    said = []
    if readiness.failed:
        failed = wording.listing(
            f"{wording.term(r.test.name)} ({wording.term(r.value_display)[:20]})"
            for r in readiness.failed
        )
        said.append(gettext("failed: %(tests)s") % {"tests": failed})
    if readiness.open_nonconformities:
        said.append(
            gettext("open: %(ncs)s")
            % {"ncs": wording.listing(f"NC-{n.pk}" for n in readiness.open_nonconformities)}
        )
    if readiness.missing:
        said.append(gettext("to test: %(tests)s") % {"tests": _names(readiness.missing)})
    return wording.clauses(said)


def release_queue(user: Any) -> Queue:
    """Banks ready to sign, then banks in QC that something blocks (a failure, an open
    nonconformity, results still to come), each with the reason."""
    banks = [(b, r) for b, r in _unreleased(user) if r.started]
    ready = [(b, r) for b, r in banks if r.ready]
    blocked = sorted(
        ((b, r) for b, r in banks if not r.ready), key=lambda item: not item[1].blocked
    )
    rows = [
        QueueRow(
            label=bank.code,
            url=reverse("quality:bank", args=[bank.pk]) + "#release-form",
            detail=f"{bank.source_name} · {bank.get_tier_display()} · "
            + ngettext(
                "%(n)d required test passed",
                "all %(n)d required tests passed",
                len(readiness.required),
            )
            % {"n": len(readiness.required)},
            badge=gettext("Ready to sign"),
            badge_class=GOOD,
        )
        for bank, readiness in ready
    ] + [
        QueueRow(
            label=bank.code,
            url=reverse("quality:bank", args=[bank.pk]) + "#release-state",
            detail=f"{bank.source_name} · {bank.get_tier_display()} · {_blocking(readiness)}",
            badge=gettext("Blocked") if readiness.blocked else gettext("In testing"),
            badge_class=BAD if readiness.blocked else WAITING,
        )
        for bank, readiness in blocked
    ]
    return Queue(
        count=len(rows),
        rows=rows[:SHOWN],
        more_url=reverse("biobank:banks"),
        empty=_(
            "No bank is in QC. A bank appears here with its first result, and is ready to "
            "sign once every required test passed."
        ),
        tone="warn" if ready else "",
    )


def open_nonconformities(user: Any) -> Queue:
    """Open nonconformities, oldest first, with their age; each opens the bank's QC page at the
    form that closes it."""
    found = visible_nonconformities(user).filter(status=Nonconformity.Status.OPEN)
    found = found.order_by("opened_at", "pk")
    today = timezone.localdate()
    rows = []
    for nc in found[:SHOWN]:
        age = (today - timezone.localdate(nc.opened_at)).days
        rows.append(
            QueueRow(
                label=f"NC-{nc.pk} · {nc.bank.code}",
                url=reverse("quality:bank", args=[nc.bank_id]) + f"#nc-{nc.pk}",
                detail=wording.recorded(nc.description)[:120],
                badge=ngettext("%(n)d day open", "%(n)d days open", age) % {"n": age}
                if age
                else gettext("Opened today"),
                badge_class=BAD,
            )
        )
    return Queue(
        count=found.count(),
        rows=rows,
        more_url=reverse("quality:nonconformities") + "?status=open",
        empty=_("No open nonconformity. A failed QC result opens one here."),
        tone="bad",
    )


def excursion_queue(user: Any) -> Queue:
    """Temperature excursions awaiting QA's decision, oldest first, with the vials they keep
    in quarantine; each opens the excursion's page where QA decides."""
    waiting = list(open_excursions(user)[:SHOWN])
    held: dict[int, int] = {e.pk: 0 for e in waiting}
    flagged = ExcursionVial.objects.filter(excursion_id__in=held, quarantined=True)
    for excursion_id in flagged.values_list("excursion_id", flat=True):
        held[excursion_id] += 1
    rows = [
        QueueRow(
            label=f"{e.equipment.name} · {timezone.localtime(e.start):%Y-%m-%d %H:%M}",
            url=reverse("quality:excursion", args=[e.pk]),
            detail=ngettext(
                "%(low)s °C to %(high)s °C, %(n)d reading out of range",
                "%(low)s °C to %(high)s °C, %(n)d readings out of range",
                e.reading_count,
            )
            % {
                "low": f"{e.min_temperature_c:.1f}",
                "high": f"{e.max_temperature_c:.1f}",
                "n": e.reading_count,
            },
            badge=ngettext("%(n)d vial quarantined", "%(n)d vials quarantined", held[e.pk])
            % {"n": held[e.pk]},
            badge_class=BAD,
        )
        for e in waiting
    ]
    return Queue(
        count=open_excursions(user).count(),
        rows=rows,
        more_url=reverse("quality:excursions"),
        empty=_(
            "No temperature excursion awaits a decision. One appears here when an uploaded "
            "temperature log has readings out of range."
        ),
        tone="bad",
    )


register_panel(
    Panel("release", _("Release queue"), (Perm.QC_RELEASE,), release_queue, order=10),
    Panel(
        "nonconformities",
        _("Open nonconformities"),
        (Perm.QC_RELEASE,),
        open_nonconformities,
        order=15,
    ),
    Panel(
        "excursions",
        _("Excursions awaiting a decision"),
        (Perm.QC_RELEASE, Perm.EQUIPMENT_MANAGE),
        excursion_queue,
        order=20,
    ),
    Panel(
        "qc",
        _("Banks to test"),
        (Perm.QC_RECORD,),
        qc_queue,
        order=5,
        when=lambda user: not _releases(user),
    ),
)
