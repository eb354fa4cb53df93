from django.http import HttpRequest

from stemhub.accounts.permissions import permissions_of


def permissions(request: HttpRequest) -> dict[str, object]:
    """`held`: the permissions of the signed-in user, so menus show only what they may open."""
    return {"held": {str(p) for p in permissions_of(getattr(request, "user", None))}}
