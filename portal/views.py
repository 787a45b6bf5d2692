import sys

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .page_cache import PAGE_CACHE_SECONDS, cache_anonymous_page
from .readiness import readiness
from .registry import home_sections, sections_max_age, sections_version


def home_version() -> tuple[object, ...] | None:
    return sections_version(home_sections())


def home_max_age() -> int:
    return sections_max_age(home_sections(), PAGE_CACHE_SECONDS)


@require_GET
# The front page is its sections: whole for anonymous visitors while none of them changed.
@cache_anonymous_page(home_version, seconds=home_max_age)
def home(request):
    """The front page: the sections the apps registered (``portal.registry``), in their order."""
    return render(request, "portal/home.html", {"sections": _home_sections_html(request)})


def _home_sections_html(request) -> list[str]:
    """The sections rendered, shared by every anonymous visitor while their versions stand.

    The whole page is cached per address, and campaign links (``?utm_content=…``, carried into the
    language links) make many addresses of one front page: their first visits reuse these.
    """

    def rendered() -> list[str]:
        return [
            render_to_string(section.template_name, section.context(request), request=request)
            for section in home_sections()
        ]

    version = home_version()
    if version is None or request.user.is_authenticated:
        return rendered()
    key = f"portal:home-sections:{'.'.join(map(str, version))}:{get_language()}:{','.join(settings.PORTAL_REGIONS)}"
    sections = cache.get(key)
    if sections is None:
        sections = rendered()
        cache.set(key, sections, home_max_age())
    return [mark_safe(html) for html in sections]  # noqa: S308  (our own templates' output)


@require_GET
def privacy_notice(request):
    return render(request, "portal/privacy.html", {"sign_in_retention_days": settings.SIGN_IN_RECORD_RETENTION_DAYS})


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /sv/admin/",
        "Disallow: /en/admin/",
        "Disallow: /tili/",
        "Disallow: /sv/tili/",
        "Disallow: /en/tili/",
        "Disallow: /healthz",
        "Disallow: /readyz",
        f"Sitemap: {request.build_absolute_uri(reverse('django.contrib.sitemaps.views.sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_GET
def healthz(request):
    """Liveness: the process answers. It needs nothing else, so a database or Redis outage never
    gets healthy web processes restarted; readiness (``/readyz``) says what is missing."""
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request):
    results = readiness()
    ready = all(result.ok for result in results.values())
    body = {
        "status": "ok" if ready else "unavailable",
        "failing": [name for name, result in results.items() if not result.ok],
        "checks": {name: {"ok": result.ok, **result.detail} for name, result in results.items()},
    }
    response = JsonResponse(body, status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 120


def server_error(request):
    # Django calls this inside its ``except`` block, wherever the error was raised: in the view or
    # in a middleware (sessions, authentication), which no middleware of ours could catch.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return service_unavailable(request)
    # Rendered without context processors' database access: the database may be what failed.
    return render(request, "500.html", status=500)


def service_unavailable(request):
    """The database is unreachable: a 503 the client may retry, rendered without the database."""
    # The locale middleware may not have run yet; the address says which language was asked for.
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        body = loader.get_template("503.html").render({"LANGUAGE_CODE": language})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
