"""What every step of the request workflow shares: the request locked before its status is
read, the status it must be in, the event row each step writes, and field checks that name the
field."""

from django.utils.translation import gettext

from stemhub.accounts.models import User
from stemhub.core.errors import Conflict
from stemhub.distribution.models import DistributionRequest, RequestEvent, RequestStatus


def request_event(
    request: DistributionRequest, kind: str, actor: User, before: str, note: str = ""
) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        kind=kind,
        from_status=before,
        to_status=request.status,
        actor=actor,
        note=note,
    )


def locked_request(request: DistributionRequest) -> DistributionRequest:
    return (
        DistributionRequest.objects.select_for_update(of=("self",))
        .select_related("line", "researcher", "licence", "provider")
        .get(pk=request.pk)
    )


def expect_status(request: DistributionRequest, *states: str) -> None:
    if request.status not in states:
        wanted = gettext(" or ").join(str(RequestStatus(s).label).lower() for s in states)
        raise Conflict(
            gettext("%(reference)s is %(status)s, not %(wanted)s")
            % {
                "reference": request.reference,
                "status": str(request.get_status_display()).lower(),
                "wanted": wanted,
            },
            fields={"status": [request.status]},
        )
