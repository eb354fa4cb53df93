"""What happens next with a request, in words, for the person looking at it: the researcher who
made it, or the provider's reviewers, committee and technicians."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.permissions import Perm, user_can
from stemhub.distribution.committee import is_committee_member
from stemhub.distribution.models import DistributionRequest, RequestStatus

Text = str | Promise


@dataclass(frozen=True)
class NextStep:
    text: Text
    yours: bool  # the person looking at it is the one to act


# The researcher's view: what they do, or what they wait for.
FOR_RESEARCHER: dict[str, NextStep] = {
    RequestStatus.SUBMITTED: NextStep(_("Wait for the provider's curator to review it."), False),
    RequestStatus.AWAITING_COMMITTEE: NextStep(
        _("Wait for the access committee's decision on this managed-access line."), False
    ),
    RequestStatus.APPROVED: NextStep(_("Approved: the bank reserves your vials next."), False),
    RequestStatus.ALLOCATED: NextStep(_("Vials reserved: the bank ships them next."), False),
    RequestStatus.SHIPPED: NextStep(_("Confirm receipt when the package arrives."), True),
    RequestStatus.RECEIVED: NextStep(_("Thaw a vial and report the post-thaw results."), True),
    RequestStatus.REPORTED: NextStep(
        _("Share publications or results from the project when you have them."), True
    ),
    RequestStatus.REJECTED: NextStep(
        _("Rejected: read the reason in the timeline; you may request again."), False
    ),
    RequestStatus.WITHDRAWN: NextStep(_("Withdrawn: nothing more to do."), False),
}


def next_step(request: DistributionRequest, user: Any) -> NextStep:
    """The next step of `request` as `user` should read it."""
    if request.researcher_id == getattr(user, "pk", None):
        return FOR_RESEARCHER[request.status]
    provider = request.provider_id
    status = request.status
    if status == RequestStatus.SUBMITTED:
        yours = user_can(user, Perm.DISTRIBUTION_REVIEW, provider)
        return NextStep(_("Review: approve or reject it."), yours)
    if status == RequestStatus.AWAITING_COMMITTEE:
        yours = is_committee_member(user, provider) and user.pk != request.reviewed_by_id
        return NextStep(_("The access committee approves or rejects it."), yours)
    ships = user_can(user, Perm.DISTRIBUTION_SHIP, provider)
    if status == RequestStatus.APPROVED:
        return NextStep(_("Allocate vials from a released distribution lot."), ships)
    if status == RequestStatus.ALLOCATED:
        return NextStep(_("Pick the vials and record the shipment."), ships)
    if status == RequestStatus.SHIPPED:
        return NextStep(_("Waiting for the researcher to confirm receipt."), False)
    if status == RequestStatus.RECEIVED:
        return NextStep(_("Waiting for the researcher's post-thaw report."), False)
    if status == RequestStatus.REPORTED:
        return NextStep(_("Done; the researcher may still share results."), False)
    return NextStep(_("Closed: nothing more to do."), False)


def time_waited(since: datetime) -> str:
    """How long since `since`, to the day ("less than a day", "3 days", "2 weeks")."""
    if timezone.now() - since < timedelta(days=1):
        return gettext("less than a day")
    return timesince(since, depth=1)
