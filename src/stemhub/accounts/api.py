"""/api/v1/me, /tokens, /institutions."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from stemhub.accounts import services
from stemhub.accounts.models import Institution
from stemhub.core.api import AUTHENTICATED, WORDS_PATTERN
from stemhub.core.pages import AuthenticatedHttpRequest

router = Router(tags=["accounts"])


class InstitutionOut(Schema):
    name: str = Field(description="The English name")
    name_zh: str = Field(description="The Chinese name (empty when none is recorded)")
    kind: str
    provider_code: str
    country: str
    city: str
    website: str


class MeOut(Schema):
    username: str
    email: str
    full_name: str = Field(description="First and last name")
    name_zh: str = Field(description="The Chinese name, family name first (empty when none)")
    institution: InstitutionOut | None
    roles: list[str]


class TokenIn(Schema):
    name: str = Field(max_length=100, pattern=WORDS_PATTERN, description="What the token is for")


class TokenOut(Schema):
    id: int
    name: str
    hint: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    secret: str


@router.get("/institutions", response=list[InstitutionOut], auth=None)
def institutions(request: HttpRequest) -> list[Institution]:
    """Public: every institution of the network."""
    return list(Institution.objects.all())


@router.get("/me", response=MeOut, auth=AUTHENTICATED)
def me(request: AuthenticatedHttpRequest) -> dict[str, object]:
    """Authenticated: who you are, your institution and roles."""
    user = request.user
    return {
        "username": user.username,
        "email": user.email,
        "full_name": user.get_full_name(),
        "name_zh": user.name_zh,
        "institution": user.institution,
        "roles": sorted(user.roles),
    }


@router.get("/tokens", response=list[TokenOut], auth=AUTHENTICATED)
def token_list(request: AuthenticatedHttpRequest) -> list[object]:
    """Authenticated: your API tokens (never their secrets)."""
    return list(request.user.api_tokens.all())


@router.post("/tokens", response={201: NewTokenOut}, auth=AUTHENTICATED)
def token_create(request: AuthenticatedHttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    """Authenticated: a new token for your scripts; its secret is shown only in this answer."""
    token, secret = services.api_token_create(user=request.user, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).dict(), "secret": secret})


@router.delete("/tokens/{token_id}", response=TokenOut, auth=AUTHENTICATED)
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> object:
    """Authenticated: revoke one of your tokens."""
    return services.api_token_revoke(user=request.user, token_id=token_id)
