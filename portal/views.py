from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .registry import home_sections


@require_GET
def home(request):
    """The front page: the sections the apps registered (``portal.registry``), in their order."""
    sections = [
        render_to_string(section.template_name, section.context(request), request=request)
        for section in home_sections()
    ]
    return render(request, "portal/home.html", {"sections": sections})


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
        f"Sitemap: {request.build_absolute_uri(reverse('django.contrib.sitemaps.views.sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without context processors' database access: the database may be what failed.
    return render(request, "500.html", status=500)
