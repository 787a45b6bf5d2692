"""Whole pages for anonymous visitors, kept in the cache under the version of what they show.

Only for views whose every part comes from one versioned source, so a cached page is never older
than that source: the directory's list is its associations and counts, and the directory's version
changes with every committed change to a listing (``organisations.search.bump_directory_version``).
A visitor with a session or a pending message gets the view itself (their page differs: the
account menu, export links, the message), and a response that sets a cookie or carries a form
token is never stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

# As long as the facet counts: a page differs per filter, search and page number, so unused ones
# should leave Redis soon.
PAGE_CACHE_SECONDS = 300


def _anonymous_get(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # The page asked for a CSRF token: it holds a form that only works with the visitor's cookie.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def page_key(request: HttpRequest, version: object) -> str:
    query = sorted(request.GET.lists())
    state = (request.scheme, request.get_host(), request.path, query, get_language(), settings.PORTAL_REGIONS)
    return f"portal:page:{version}:{hashlib.sha256(repr(state).encode()).hexdigest()[:40]}"


def cache_anonymous_page(version: Callable[[], object], *, seconds: int = PAGE_CACHE_SECONDS):
    """Serve an anonymous GET from the cache while ``version()`` is unchanged."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _anonymous_get(request):
                return view(request, *args, **kwargs)
            key = page_key(request, version())
            cached = cache.get(key)
            if cached is not None:
                content_type, content = cached
                response = HttpResponse(content, content_type=content_type)
                # As the view's own answer says: a signed-in visitor gets another page.
                patch_vary_headers(response, ("Cookie",))
                return response
            response = view(request, *args, **kwargs)
            if _storable(request, response):
                cache.set(key, (response["Content-Type"], response.content), seconds)
            return response

        return wrapped

    return decorator
