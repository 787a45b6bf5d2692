"""Whole pages for anonymous visitors, kept in the cache under the version of what they show.

Only for views whose every part comes from versioned sources, so a cached page is never older
than they are: the directory's list is its associations and counts, and the directory's version
changes with every committed change to a listing (``organisations.search.bump_directory_version``).
The front page, a listing and a municipality page also show other apps' sections: the key holds
each section's version too (``portal.registry.sections_version``), and sections that change with
time alone (upcoming events end) bound the page's lifetime: by a fixed ``max_age``
(``sections_max_age``), or, better, by saying while rendering when their content changes
(``page_changes_at``): a listing with no events coming up then stays cached until its versions move.
A visitor with a session or a pending message gets the view itself (their page differs: the
account menu, export links, the message), and a response that sets a cookie or carries a form
token is never stored.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

# As long as the facet counts: a page differs per filter, search and page number, so unused ones
# should leave Redis soon.
PAGE_CACHE_SECONDS = 300
# Campaign and click identifiers that newsletters and social media append to links. No page reads
# them, so every tagged address of a page is that page: without this, each newsletter recipient's
# tagged link would render (and cache) the page anew.
TRACKING_PARAMETERS = frozenset(
    {
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "utm_id",
        "fbclid",
        "gclid",
        "mc_cid",
        "mc_eid",
    }
)


def _drop_tracking_parameters(request: HttpRequest) -> None:
    """Forget the tracking parameters of an anonymous request before the page is looked up or
    rendered, so the page (its language links, chips and paging included) is the same for all."""
    if TRACKING_PARAMETERS.isdisjoint(request.GET):
        return
    kept = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        if name not in TRACKING_PARAMETERS:
            kept.setlist(name, values)
    request.GET = kept
    request.META["QUERY_STRING"] = kept.urlencode()


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


def page_changes_at(request: HttpRequest, moment: datetime) -> None:
    """Tell the page cache that the page being rendered changes by itself at ``moment`` (an event
    it lists as coming up ends then): its cached copy must not outlive that."""
    earliest = getattr(request, "_page_changes_at", None)
    if earliest is None or moment < earliest:
        request._page_changes_at = moment


def _lifetime(request: HttpRequest, seconds: int) -> int:
    changes_at = getattr(request, "_page_changes_at", None)
    if changes_at is None:
        return seconds
    # Rounded up, at least a second: a cache timeout of 0 would keep nothing at all.
    return max(1, min(seconds, math.ceil((changes_at - timezone.now()).total_seconds())))


def page_key(request: HttpRequest, version: object) -> str:
    query = sorted(request.GET.lists())
    state = (request.scheme, request.get_host(), request.path, query, get_language(), settings.PORTAL_REGIONS)
    # Several sections' versions read "3.17.2": no spaces or brackets in a cache key.
    version = ".".join(map(str, version)) if isinstance(version, tuple) else version
    return f"portal:page:{version}:{hashlib.sha256(repr(state).encode()).hexdigest()[:40]}"


def cache_anonymous_page(
    version: Callable[[], object | None], *, seconds: int | Callable[[], int] = PAGE_CACHE_SECONDS
):
    """Serve an anonymous GET from the cache while ``version()`` is unchanged.

    ``version()`` gives ``None`` when part of the page has no version (a section registered
    without one): such a page is rendered for every request. ``seconds`` may be a callable, for
    pages whose parts change with time alone (see ``portal.registry.sections_max_age``).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _anonymous_get(request):
                return view(request, *args, **kwargs)
            _drop_tracking_parameters(request)
            current = version()
            if current is None:
                return view(request, *args, **kwargs)
            key = page_key(request, current)
            cached = cache.get(key)
            if cached is not None:
                content_type, content = cached
                response = HttpResponse(content, content_type=content_type)
                # As the view's own answer says: a signed-in visitor gets another page.
                patch_vary_headers(response, ("Cookie",))
                return response
            response = view(request, *args, **kwargs)
            if _storable(request, response):
                lifetime = _lifetime(request, seconds() if callable(seconds) else seconds)
                cache.set(key, (response["Content-Type"], response.content), lifetime)
            return response

        return wrapped

    return decorator
