"""Reference data: regions, municipalities and the directory's classifications.

Reference rows carry their own names per language instead of going through gettext.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Sectors, target groups and languages are few; their primary keys index the bits of a bigint
# (the facet bit sets, see organisations.search.index), so an id must stay below this.
MASK_BITS = 63
FACET_LIMIT_MESSAGE = _(
    "The directory supports at most 63 sectors, target groups and languages of each kind (ids below 63)."
)


_URL_PREFIX_SLUG = "url-prefix-slug"
_url_prefixes: dict[tuple, str] = {}


def url_prefix(view_name: str) -> str:
    """The address of ``view_name``'s page for a slug, without the slug (``/sv/yhdistykset/``),
    in the active language, script prefix and URL configuration: a page linking hundreds of
    listings or municipalities reverses the address once, not once per link."""
    key = (view_name, get_language(), get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)
    prefix = _url_prefixes.get(key)
    if prefix is None:
        url = reverse(view_name, args=[_URL_PREFIX_SLUG])
        prefix = _url_prefixes[key] = url[: url.rindex(_URL_PREFIX_SLUG)]
    return prefix


def slug_url(view_name: str, slug: str) -> str:
    """The address of ``view_name``'s page for ``slug`` (a listing's, a municipality's)."""
    return url_prefix(view_name) + slug + "/"


def swedish_active() -> bool:
    """Whether the request is in Swedish: the language in which names have a translation of their own."""
    return (get_language() or "fi")[:2] == "sv"


def _fits_bit_set(model_name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(id__lt=MASK_BITS),
        name=f"{model_name}_id_fits_facet_bit_set",
        violation_error_message=FACET_LIMIT_MESSAGE,
    )


class FacetMixin(models.Model):
    """A sector, target group or language: its id is a bit of the associations' facet bit sets.

    ``clean()`` refuses a new row once the ids are used up (the admin shows the message); the
    database constraint refuses whatever bypasses it (the shell, a data migration).
    """

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self._state.adding:
            latest = type(self).objects.aggregate(latest=models.Max("pk"))["latest"] or 0
            next_id = self.pk if self.pk is not None else latest + 1
            if next_id >= MASK_BITS:
                raise ValidationError(FACET_LIMIT_MESSAGE, code="facet_limit")


class LocalisedName:
    """``name`` in the active language, from ``name_fi``/``name_sv``/``name_en`` (Finnish when missing).

    Shared by the reference models and the directory's cached snapshot of them (``Option``).
    """

    name_fi: str

    @property
    def name(self) -> str:
        language = (get_language() or "fi")[:2]
        return getattr(self, f"name_{language}", "") or self.name_fi


class LocalisedNameMixin(LocalisedName, models.Model):
    """Reference data carries its own names per language instead of going through gettext."""

    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class RegionQuerySet(models.QuerySet):
    def served(self) -> RegionQuerySet:
        return self.filter(code__in=settings.PORTAL_REGIONS)


class Region(LocalisedNameMixin):
    code = models.CharField(_("code"), max_length=2, unique=True)
    slug = models.SlugField(unique=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class MunicipalityQuerySet(models.QuerySet):
    def served(self) -> MunicipalityQuerySet:
        return self.filter(region__code__in=settings.PORTAL_REGIONS)


class Municipality(LocalisedNameMixin):
    code = models.CharField(_("code"), max_length=3, unique=True, help_text=_("Statistics Finland code"))
    slug = models.SlugField(unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="municipalities")
    subregion_code = models.CharField(_("sub-region code"), max_length=3, blank=True)
    subregion_name = models.CharField(_("sub-region"), max_length=100, blank=True)

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["name_fi"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def get_absolute_url(self) -> str:
        return slug_url("organisations:municipality", self.slug)


class Sector(FacetMixin, LocalisedNameMixin):
    """Field of activity (toimiala), following PRH's classification of associations."""

    slug = models.SlugField(unique=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name_fi"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        constraints = [_fits_bit_set("sector")]


class TargetGroup(FacetMixin, LocalisedNameMixin):
    slug = models.SlugField(unique=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name_fi"]
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        constraints = [_fits_bit_set("targetgroup")]


class Language(FacetMixin, LocalisedNameMixin):
    code = models.CharField(_("code"), max_length=8, unique=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name_fi"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        constraints = [_fits_bit_set("language")]
