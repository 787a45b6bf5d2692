from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.i18n import set_language

from organisations.sitemaps import MunicipalitySitemap, OrganisationSitemap

from . import views

# The admin's own login form would skip allauth's two-factor stage and the lockout; send it there.
admin.site.login = secure_admin_login(admin.site.login)

sitemaps = {"organisations": OrganisationSitemap, "municipalities": MunicipalitySitemap}

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # An index of sections: a sitemap file may list at most 50,000 addresses, the directory more.
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap_section"},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": sitemaps}, name="sitemap_section"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]

# Finnish lives at the root (/yhdistykset/); Swedish and English under /sv/ and /en/.
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("", include("organisations.urls")),
    path("", include("council.urls")),
    path("", include("forums.urls")),
    path("admin/", admin.site.urls),
    path("tili/", include("accounts.urls")),
    path("tili/", include("accounts.allauth_urls")),
    path("tili/", include("allauth.urls")),
    path("tietosuoja/", views.privacy_notice, name="privacy"),
    path("uutiskirje/", include("newsletter.urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
