"""Account pages: your profile and API tokens (login, logout and password reset are Django's
own views)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from stemhub.accounts import services
from stemhub.accounts.models import Role
from stemhub.core.errors import StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest


@login_required
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Authenticated: list, create (secret shown once) and revoke your API tokens."""
    context: dict[str, object] = {}
    if request.method == "POST":
        try:
            token, secret = services.api_token_create(
                user=request.user, name=request.POST.get("name", "")
            )
            context["new_secret"] = secret
            context["new_token"] = token
        except StemhubError as error:
            context["error"] = error.message
    context["tokens"] = request.user.api_tokens.all()
    return render(request, "accounts/tokens.html", context)


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    """Authenticated: revoke one of your own tokens (404 for anyone else's)."""
    try:
        services.api_token_revoke(user=request.user, token_id=token_id)
    except StemhubError as error:
        return render(request, "core/error.html", {"error": error}, status=error.status)
    return redirect("tokens")


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Authenticated: your own account: name, institution, roles and where to manage tokens."""
    user = request.user
    roles = sorted(
        Role(grant.role).label for grant in user.role_grants.all() if grant.role in Role.values
    )
    return render(request, "accounts/profile.html", {"account": user, "roles": roles})
