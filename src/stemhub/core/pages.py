"""What every page view shares: the error page, and the gate that declares who may open it."""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.permissions import Perm, permissions_of
from stemhub.core.errors import Forbidden, StemhubError

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from stemhub.accounts.models import User

    class HtmxHttpRequest(HttpRequest):
        """Any request, as django-htmx's middleware leaves it: `request.htmx` tells an htmx
        swap from a full page load."""

        htmx: HtmxDetails

    class AuthenticatedHttpRequest(HtmxHttpRequest):
        """The request of a view behind `@page(...)` (login required) or of an API operation
        that needs a token or a session (core.api): its user is signed in."""

        user: User

else:  # for type checking only: at run time both are the plain request
    HtmxHttpRequest = AuthenticatedHttpRequest = HttpRequest

View = Callable[..., HttpResponseBase]  # a page, or a streamed download
THIS_PAGE = _("This page")


def error_page(request: HttpRequest, error: StemhubError) -> HttpResponse:
    """A service's error as a page, with its status (400, 403, 404, 409)."""
    return render(request, "core/error.html", {"error": error}, status=error.status)


def page(
    *perms: Perm, what: str | Promise = THIS_PAGE, hint: str | Promise = ""
) -> Callable[[View], View]:
    """Anonymous visitors go to the login page; a user holding none of `perms` gets 403 naming
    them (with no `perms`, any signed-in user may enter); a service's error inside the view
    becomes an error page with its status. The view still checks the record's institution.
    `what` and `hint` are marked lazily (`gettext_lazy`) by the caller: they are read in the
    language of each request."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if perms and not set(perms) & permissions_of(request.user):
                needed = gettext(" or ").join(str(p) for p in perms)
                message = gettext("%(what)s needs the permission %(perms)s.") % {
                    "what": what,
                    "perms": needed,
                }
                return error_page(request, Forbidden(f"{message} {hint}".strip()))
            try:
                return view(request, *args, **kwargs)
            except StemhubError as error:
                return error_page(request, error)

        return wrapper

    return decorate
