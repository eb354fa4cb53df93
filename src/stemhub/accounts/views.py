"""Account pages: your profile and API tokens (login, logout and password reset are Django's
own views)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from stemhub.accounts import services
from stemhub.accounts.models import Role, User
from stemhub.core.errors import StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Public: the language switch on every page. Sets the language cookie and returns to the
    page (django's own view); a signed-in person's profile keeps the choice too."""
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and (language in dict(settings.LANGUAGES) or language == ""):
        User.objects.filter(pk=user.pk).update(language=language)
    response = django_set_language(request)
    if language == "":  # "the browser's language": forget the switch's choice too
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response


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
