"""Writes for people and their tokens."""

from django.db import transaction
from django.utils import timezone

from stemhub.accounts.models import ApiToken, User
from stemhub.core.errors import InvalidInput, NotFound


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token; the secret is returned once and never stored."""
    name = name.strip()
    if not name:
        raise InvalidInput(
            "Give the token a name, e.g. the script it is for", fields={"name": ["required"]}
        )
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user, name=name[:100], digest=ApiToken.digest_of(secret), hint=secret[:10]
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound(f"You have no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
