"""Request-wide guards that belong to no app."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

NUL = "\x00"


class NulCharacterInRequest(SuspiciousOperation):
    """A NUL in the path, query, form or cookies: no browser sends one, and PostgreSQL refuses
    NUL in text, so the lookup it reaches would fail with a 500 instead of a 400."""


def _contains_nul(values: Iterable[str]) -> bool:
    return any(NUL in value for value in values)


class RejectNulCharactersMiddleware:
    """Answer 400 (``handler400``'s translated page) before a NUL can reach the database.

    Django has already percent-decoded ``request.path``, the query string and urlencoded or
    multipart form fields, so ``%00`` and a raw NUL are caught alike. It sits after the locale
    middleware (the 400 page speaks the visitor's language) and before authentication, which
    would look the session cookie up in the database.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            # Django turns a SuspiciousOperation into handler400's page and logs it to
            # django.security, like the other malformed requests it refuses itself.
            raise NulCharacterInRequest("NUL character in the request")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if NUL in request.path or NUL in request.path_info:
            return True
        if _contains_nul(request.COOKIES.keys()) or _contains_nul(request.COOKIES.values()):
            return True
        forms = [request.GET, request.POST] if request.method == "POST" else [request.GET]
        for form in forms:
            if _contains_nul(form.keys()) or _contains_nul(value for _key, values in form.lists() for value in values):
                return True
        return request.method == "POST" and _contains_nul(upload.name or "" for upload in request.FILES.values())


class PrivateCacheControlMiddleware:
    """Keep pages for a signed-in person out of every shared and browser cache.

    Such a page carries the person's name, associations or moderation queue; a proxy or the
    browser's back button must not show it to the next user of a shared computer. A view that
    sets its own ``Cache-Control`` (exports, data download) keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
