"""The request-size gate: a body larger than `STEMHUB_MAX_UPLOAD_MB` is answered 413 before it
is read, with a message naming the limit (the API in its error shape, a page as text), instead
of being spooled to disk and then failing deep inside an import. Each import's own, smaller
limits (core.tabular) still apply below this one. It runs before the session and the locale
middleware (nothing of the body is read), so the message is in the language of the switch's
cookie or the browser's Accept-Language."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext


def max_upload_bytes() -> int:
    return int(settings.STEMHUB_MAX_UPLOAD_MB) * 1024 * 1024


class RequestSizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_upload_bytes():
            with translation.override(translation.get_language_from_request(request)):
                return self._refused(request, length)
        return self.get_response(request)

    def _refused(self, request: HttpRequest, length: int) -> HttpResponse:
        message = gettext(
            "The request is %(size)s MB; the limit for one upload is %(limit)s MB. Split the file."
        ) % {"size": f"{length / (1024 * 1024):,.1f}", "limit": settings.STEMHUB_MAX_UPLOAD_MB}
        if request.path.startswith("/api/"):
            error = {"code": "too_large", "message": message, "fields": {"file": [message]}}
            return JsonResponse({"error": error}, status=413)
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
