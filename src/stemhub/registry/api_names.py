"""/api/v1/names: look up, check and issue hPSCreg standard names."""

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from stemhub.core.api import AUTHENTICATED, OPTIONAL
from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.registry.name_services import standard_name_issue
from stemhub.registry.naming import Verdict, check_name
from stemhub.registry.selectors import resolve_name

router = Router(tags=["names"])


class NameLookupOut(Schema):
    name: str
    query: str


class NamesCheckIn(Schema):
    names: Annotated[list[str], Field(max_length=1000)]


class NameVerdictOut(Schema):
    name: str
    verdict: Verdict
    messages: list[str]


class NameNextIn(Schema):
    provider: str
    type: Literal["i", "e"]
    same_donor: str | None = None
    subclone_of: str | None = None


class NameOut(Schema):
    name: str


@router.post("/names/check", response=list[NameVerdictOut], auth=None)
def names_check(request: HttpRequest, payload: NamesCheckIn) -> list[dict[str, Any]]:
    """Public: the verdict on each name (`valid`, `warning` for a registered legacy form,
    `invalid`) with the reasons. At most 1,000 names a request."""
    return [
        {"name": v.name, "verdict": v.verdict, "messages": list(v.messages)}
        for v in map(check_name, payload.names)
    ]


@router.post("/names/next", response={201: NameOut}, auth=AUTHENTICATED)
def name_next(request: AuthenticatedHttpRequest, payload: NameNextIn) -> Status[dict[str, str]]:
    """Needs registry.issue_names in the institution owning the provider code: issues the next
    standard name, a new clone of a donor (`same_donor`) or a subclone (`subclone_of`)."""
    name = standard_name_issue(
        actor=request.user,
        provider_code=payload.provider,
        type_letter=payload.type,
        same_donor=payload.same_donor,
        subclone_of=payload.subclone_of,
    )
    return Status(201, {"name": name})


# Last: its URL pattern would otherwise catch /names/check and /names/next.
@router.get("/names/{name}", response=NameLookupOut, auth=OPTIONAL)
def name_lookup(request: HttpRequest, name: str) -> dict[str, Any]:
    """Public for published lines (staff also see their institution's unpublished ones): the
    standard name that a standard name or synonym (any case) refers to."""
    return {"name": resolve_name(name, request.user).name, "query": name}
