"""Distribution's menu entries, and the queues of researchers, reviewers, the access committee
and the technicians who ship."""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.models import Role
from stemhub.accounts.permissions import Perm
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
from stemhub.distribution.models import CLOSED, DistributionRequest, RequestStatus
from stemhub.distribution.selectors import visible_requests

SHOWN = 6
STAFF = (Perm.DISTRIBUTION_REVIEW, Perm.DISTRIBUTION_SHIP, Perm.DISTRIBUTION_COMMITTEE)

register_section(Section("distribution", _("Requests"), 40))
register_menu(
    MenuItem("distribution", _("My requests"), "distribution:requests", SIGNED_IN, order=10),
    MenuItem(
        "distribution",
        _("To review"),
        "distribution:requests",
        (Perm.DISTRIBUTION_REVIEW,),
        order=20,
        query="status=submitted",
    ),
    MenuItem(
        "distribution",
        _("Committee decisions"),
        "distribution:requests",
        (Perm.DISTRIBUTION_COMMITTEE,),
        order=30,
        query="status=awaiting_committee",
    ),
    MenuItem(
        "distribution",
        _("To allocate and ship"),
        "distribution:requests",
        (Perm.DISTRIBUTION_SHIP,),
        order=40,
        query="status=approved",
    ),
    MenuItem(
        "distribution",
        _("Statistics"),
        "distribution:statistics",
        (Perm.DISTRIBUTION_REVIEW, Perm.DISTRIBUTION_SHIP),
        order=50,
    ),
)


def _row(found: DistributionRequest) -> QueueRow:
    return QueueRow(
        label=f"{found.reference} · {found.line.name}",
        url=reverse("distribution:request", args=[found.pk]),
        detail=f"{found.researcher.get_full_name()} · {found.submitted_at:%Y-%m-%d}",
        badge=found.get_status_display(),
        badge_class=f"request-{found.status}",
    )


def _queue(requests: QuerySet[DistributionRequest], more: str, empty: Any) -> Queue:
    requests = requests.select_related("line", "researcher")
    return Queue(
        count=requests.count(),
        rows=[_row(r) for r in requests[:SHOWN]],
        more_url=more,
        empty=empty,
    )


def _theirs(user: Any, status: str) -> QuerySet[DistributionRequest]:
    return (
        visible_requests(user)
        .exclude(researcher=user)
        .filter(status=status)
        .order_by("submitted_at", "id")
    )


def _list_url(status: str = "") -> str:
    url = reverse("distribution:requests")
    return f"{url}?status={status}" if status else url


def my_requests(user: Any) -> Queue:
    """The researcher's own requests that are still under way."""
    mine = (
        visible_requests(user)
        .filter(researcher=user)
        .exclude(status__in=[*CLOSED, RequestStatus.REPORTED])
    )
    return _queue(
        mine,
        _list_url(),
        _("No request under way. Find a line in the catalogue and press Request this line."),
    )


def reports_due(user: Any) -> Queue:
    """Vials the researcher received (or was sent) and has not yet reported on."""
    due = visible_requests(user).filter(
        researcher=user, status__in=[RequestStatus.SHIPPED, RequestStatus.RECEIVED]
    )
    queue = _queue(due, _list_url(), _("No report is due. Reports open once vials arrive."))
    queue.tone = "warn"
    return queue


def to_review(user: Any) -> Queue:
    return _queue(
        _theirs(user, RequestStatus.SUBMITTED),
        _list_url(RequestStatus.SUBMITTED),
        _("No request waits for review."),
    )


def committee_pending(user: Any) -> Queue:
    return _queue(
        _theirs(user, RequestStatus.AWAITING_COMMITTEE),
        _list_url(RequestStatus.AWAITING_COMMITTEE),
        _("No managed-access request waits for the committee."),
    )


def to_ship(user: Any) -> Queue:
    """Approved requests to allocate vials for, then allocated ones to pick and ship."""
    waiting = (
        visible_requests(user)
        .exclude(researcher=user)
        .filter(status__in=[RequestStatus.APPROVED, RequestStatus.ALLOCATED])
        .order_by("status", "submitted_at")
    )
    return _queue(
        waiting,
        _list_url(RequestStatus.APPROVED),
        _("Nothing to allocate or ship. Approved requests appear here."),
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
)
