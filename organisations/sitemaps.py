from django.contrib.sitemaps import Sitemap

from .models import Municipality, Organisation


class OrganisationSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return Organisation.objects.published().in_served_regions().only("slug", "updated_at").order_by("pk")

    def lastmod(self, organisation):
        return organisation.updated_at


class MunicipalitySitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Municipality.objects.served().only("slug").order_by("code")
