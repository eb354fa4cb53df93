"""Distribution's menu entries, and the queues of researchers, reviewers, the access committee
and the technicians who ship."""

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from stemhub.accounts.models import Role
from stemhub.accounts.permissions import Perm, is_platform_admin
from stemhub.core.navigation import (
    SIGNED_IN,
    MenuItem,
    Panel,
    Queue,
    QueueRow,
    Section,
    register_menu,
    register_panel,
    register_section,
)
from stemhub.distribution.models import (
    CLOSED,
    DistributionRequest,
    RequestStatus,
    ResultReport,
)
from stemhub.distribution.next_steps import next_step, time_waited
from stemhub.distribution.selectors import filtered_requests, status_counts

if TYPE_CHECKING:
    from stemhub.distribution.selectors import WaitingRequest

SHOWN = 6
STAFF = (Perm.DISTRIBUTION_REVIEW, Perm.DISTRIBUTION_SHIP, Perm.DISTRIBUTION_COMMITTEE)

register_section(Section("distribution", _("Requests"), 40))


def _queue_link(name: str) -> Any:
    return lambda user: {"queue": name}


register_menu(
    MenuItem(
        "distribution",
        _("My requests"),
        "distribution:request_queue",
        SIGNED_IN,
        order=10,
        kwargs=_queue_link("mine"),
    ),
    MenuItem("distribution", _("All requests"), "distribution:requests", STAFF, order=15),
    MenuItem(
        "distribution",
        _("To review"),
        "distribution:request_queue",
        (Perm.DISTRIBUTION_REVIEW,),
        order=20,
        kwargs=_queue_link("to-review"),
    ),
    MenuItem(
        "distribution",
        _("Committee decisions"),
        "distribution:request_queue",
        (Perm.DISTRIBUTION_COMMITTEE,),
        order=30,
        kwargs=_queue_link("committee"),
    ),
    MenuItem(
        "distribution",
        _("To allocate and ship"),
        "distribution:request_queue",
        (Perm.DISTRIBUTION_SHIP,),
        order=40,
        kwargs=_queue_link("to-ship"),
    ),
    MenuItem(
        "distribution",
        _("Statistics"),
        "distribution:statistics",
        (Perm.DISTRIBUTION_REVIEW, Perm.DISTRIBUTION_SHIP),
        order=50,
    ),
)


def _waited(since: Any) -> str:
    return gettext("waiting %(time)s") % {"time": time_waited(since)}


def _row(found: Any, detail: str, *, badge: bool = True) -> QueueRow:
    return QueueRow(
        label=f"{found.reference} · {found.line.name}",
        url=reverse("distribution:request", args=[found.pk]),
        detail=detail,
        badge=str(found.get_status_display()) if badge else "",
        badge_class=f"request-{found.status}",
    )


def _staff_row(found: Any, *, badge: bool = False) -> QueueRow:
    """The researcher, the project and the wait; the state only where a queue mixes two."""
    who = found.researcher.display_name
    detail = f"{who} · {found.project_title} · {_waited(found.waiting_since)}"
    return _row(found, detail, badge=badge)


def _queue(requests: QuerySet[Any], row: Any, more: str, empty: Any) -> Queue:
    return Queue(
        count=requests.count(),
        rows=[row(r) for r in requests[:SHOWN]],
        more_url=more,
        empty=empty,
    )


def _theirs(user: Any, *statuses: str) -> "QuerySet[WaitingRequest]":
    return (
        filtered_requests(user, statuses=statuses)
        .exclude(researcher=user)
        .order_by("waiting_since", "id")
    )


def _list_url(query: str = "") -> str:
    url = reverse("distribution:requests")
    return f"{url}?{query}" if query else url


def _queue_url(name: str) -> str:
    return reverse("distribution:request_queue", args=[name])


def my_requests(user: Any) -> Queue:
    """The researcher's requests still under way, by where they stand in the workflow, each
    with what happens next."""
    order = {status: n for n, status in enumerate(RequestStatus.values)}
    mine = sorted(
        filtered_requests(user, mine=True).exclude(status__in=[*CLOSED, RequestStatus.REPORTED]),
        key=lambda r: (order[r.status], r.submitted_at),
    )
    return Queue(
        count=len(mine),
        rows=[_row(r, f"{r.project_title} · {next_step(r, user).text}") for r in mine[:SHOWN]],
        more_url=_queue_url("mine"),
        empty=_("No request under way. Find a line in the catalogue and press Request this line."),
    )


DUE: dict[str, StrOrPromise] = {
    RequestStatus.SHIPPED: _("Confirm receipt"),
    RequestStatus.RECEIVED: _("Report the post-thaw results"),
    RequestStatus.REPORTED: _("Share publications or results"),
}


def reports_due(user: Any) -> Queue:
    """What the researcher owes the provider: receipt of a shipment, the post-thaw report of
    received vials, then the project's results (requests reported on but with none shared)."""
    shared = ResultReport.objects.values("request_id")
    due = (
        filtered_requests(user, mine=True)
        .filter(
            Q(status__in=[RequestStatus.SHIPPED, RequestStatus.RECEIVED])
            | (Q(status=RequestStatus.REPORTED) & ~Q(pk__in=shared))
        )
        .order_by("waiting_since", "id")
    )
    order = {status: n for n, status in enumerate(DUE)}
    rows = sorted(due, key=lambda r: order[r.status])
    queue = Queue(
        count=len(rows),
        rows=[
            _row(
                r,
                gettext("%(due)s · waiting %(time)s")
                % {"due": DUE[r.status], "time": time_waited(r.waiting_since)},
            )
            for r in rows[:SHOWN]
        ],
        more_url=_list_url("mine=1&status=shipped&status=received&status=reported"),
        empty=_("No report is due. Reports open once vials arrive."),
    )
    queue.tone = "warn" if any(r.status != RequestStatus.REPORTED for r in rows) else ""
    return queue


def to_review(user: Any) -> Queue:
    return _queue(
        _theirs(user, RequestStatus.SUBMITTED),
        _staff_row,
        _queue_url("to-review"),
        _("No request waits for review. New requests for your lines appear here."),
    )


def committee_pending(user: Any) -> Queue:
    """Managed-access requests the curator approved, waiting for the committee: the line, the
    project and how long they have waited."""
    return _queue(
        _theirs(user, RequestStatus.AWAITING_COMMITTEE),
        _staff_row,
        _queue_url("committee"),
        _(
            "No managed-access request waits for the committee. They appear here once a curator "
            "approves them."
        ),
    )


def to_ship(user: Any) -> Queue:
    """Approved requests to allocate vials for, then allocated ones to pick and ship."""
    return _queue(
        _theirs(user, RequestStatus.APPROVED, RequestStatus.ALLOCATED),
        lambda found: _staff_row(found, badge=True),
        _queue_url("to-ship"),
        _("Nothing to allocate or ship. Approved requests appear here."),
    )


def requests_by_status(user: Any) -> Queue:
    """Platform admins: every request of the network, counted per status."""
    counts = status_counts(filtered_requests(user))
    rows = [
        QueueRow(
            label=str(RequestStatus(status).label),
            url=_list_url(f"status={status}"),
            badge=ngettext("%(n)d request", "%(n)d requests", n) % {"n": n},
            badge_class=f"request-{status}",
        )
        for status, n in counts.items()
    ]
    return Queue(
        count=sum(counts.values()),
        rows=rows,
        more_url=_list_url(),
        empty=_("No request yet. Researchers request published lines from the catalogue."),
    )


def _requests_lines(user: Any) -> bool:
    """Researchers, and anyone else who has requested a line."""
    return (
        Role.RESEARCHER in user.roles
        or DistributionRequest.objects.filter(researcher=user).exists()
    )


register_panel(
    Panel("my-requests", _("My requests"), SIGNED_IN, my_requests, 5, when=_requests_lines),
    Panel("reports-due", _("Reports due"), SIGNED_IN, reports_due, 6, when=_requests_lines),
    Panel("to-review", _("Requests to review"), (Perm.DISTRIBUTION_REVIEW,), to_review, 20),
    Panel(
        "committee",
        _("Committee decisions"),
        (Perm.DISTRIBUTION_COMMITTEE,),
        committee_pending,
        order=20,
    ),
    Panel("to-ship", _("Pick lists and shipments"), (Perm.DISTRIBUTION_SHIP,), to_ship, 30),
    Panel(
        "requests-by-status",
        _("Requests by status"),
        SIGNED_IN,
        requests_by_status,
        order=3,
        when=is_platform_admin,
    ),
)
