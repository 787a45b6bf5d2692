"""The directory's associations."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..validators import validate_business_id, validate_logo, validate_register_number
from .fields import PhoneNumberField
from .reference import Language, Municipality, Sector, TargetGroup, slug_url, swedish_active


class OrganisationQuerySet(models.QuerySet):
    def published(self) -> OrganisationQuerySet:
        return self.filter(status=Organisation.Status.PUBLISHED)

    def in_municipalities(self, municipalities) -> OrganisationQuerySet:
        """Associations based in, or working in, any of the given municipalities."""
        return self.filter(
            models.Q(home_municipality__in=municipalities) | models.Q(municipalities__in=municipalities)
        ).distinct()

    def in_served_regions(self) -> OrganisationQuerySet:
        return self.filter(home_municipality__region__code__in=settings.PORTAL_REGIONS)

    def edited_by(self, user) -> OrganisationQuerySet:
        return self.filter(editorships__user=user)

    def awaiting_moderation(self) -> OrganisationQuerySet:
        return self.filter(status=Organisation.Status.PENDING)

    def with_last_confirmed(self) -> OrganisationQuerySet:
        """Annotate ``last_confirmed``: the last confirmation, or the creation for never-confirmed listings."""
        return self.annotate(last_confirmed=Coalesce("information_confirmed_at", "created_at"))

    def confirmed_before(self, moment: datetime) -> OrganisationQuerySet:
        return self.with_last_confirmed().filter(last_confirmed__lt=moment)

    def stale(self, now: datetime | None = None) -> OrganisationQuerySet:
        """Published listings nobody has confirmed for longer than ORGANISATION_STALE_AFTER_DAYS."""
        now = now or timezone.now()
        return self.published().confirmed_before(now - timedelta(days=settings.ORGANISATION_STALE_AFTER_DAYS))

    def confirmation_due(self, now: datetime | None = None) -> OrganisationQuerySet:
        """Published listings whose editors should be asked to confirm them (with editors to ask)."""
        now = now or timezone.now()
        interval = timedelta(days=settings.ORGANISATION_CONFIRMATION_INTERVAL_DAYS)
        return self.published().filter(editorships__isnull=False).distinct().confirmed_before(now - interval)

    def likely_duplicates(
        self,
        *,
        name: str,
        home_municipality: Municipality | None,
        register_number: str = "",
        business_id: str = "",
    ) -> OrganisationQuerySet:
        """Listings that are probably the association being registered.

        The same register number or Business ID is certain; a very similar name in the same
        home municipality is likely (trigram similarity on PostgreSQL, a normalised comparison
        elsewhere).
        """
        matches = models.Q(pk__in=[])
        if register_number:
            matches |= models.Q(register_number=register_number)
        if business_id:
            matches |= models.Q(business_id=business_id)
        if name and home_municipality is not None:
            same_place = self.filter(home_municipality=home_municipality)
            normalised = normalise_organisation_name(name)
            if connection.vendor == "postgresql":
                similar = (
                    same_place.annotate(name_similarity=TrigramSimilarity(Lower("name"), normalised))
                    .filter(name_similarity__gte=NAME_SIMILARITY_THRESHOLD)
                    .values("pk")
                )
                matches |= models.Q(pk__in=similar)
            else:
                similar_ids = [
                    pk
                    for pk, other in same_place.values_list("pk", "name")
                    if normalise_organisation_name(other) == normalised
                ]
                matches |= models.Q(pk__in=similar_ids)
        return self.filter(matches).exclude(status=Organisation.Status.ARCHIVED)


# Trigram similarity of names (lower-cased, legal-form suffix removed) above which two listings in
# the same municipality are probably one association: "Kuopion Kyläyhdistys ry" and "Kuopion
# kyläyhdistys" score about 0.9, two villages' associations in one town well under 0.6.
NAME_SIMILARITY_THRESHOLD = 0.6
_LEGAL_FORM_RE = re.compile(r"\b(ry|r\.y\.|rf|r\.f\.|ry\.|rf\.)$")
_NON_WORD_RE = re.compile(r"[^\w]+")


def normalise_organisation_name(name: str) -> str:
    """Lower-case, without the legal-form suffix (ry, rf) and punctuation: for comparing names."""
    name = " ".join((name or "").lower().split())
    name = _LEGAL_FORM_RE.sub("", name).strip()
    return " ".join(_NON_WORD_RE.sub(" ", name).split())


class Visibility(models.TextChoices):
    """Who may see a piece of personal data in a listing (the contact person's name, e-mail, phone)."""

    PUBLIC = "public", _("Everyone")
    MUNICIPAL = "municipal", _("Municipal contacts and staff")
    STAFF = "staff", _("Staff only")


class ListedName:
    """An association's name in the active language and the address of its listing, from its
    ``name``, ``name_sv`` and ``slug``: shared by ``Organisation`` and the light rows of pages
    that link many listings (``organisations.selectors.municipal.SampleListing``)."""

    name: str
    name_sv: str
    slug: str

    def get_absolute_url(self) -> str:
        # A directory page links twenty listings, the sitemap thousands: the address is the same
        # prefix for all of them, reversed once per language and URL configuration.
        return slug_url("organisations:detail", self.slug)

    @property
    def localised_name(self) -> str:
        if swedish_active() and self.name_sv:
            return self.name_sv
        return self.name


class Organisation(ListedName, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for moderation")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Accessibility(models.TextChoices):
        UNKNOWN = "unknown", _("Not known")
        ACCESSIBLE = "accessible", _("Accessible")
        PARTLY = "partly", _("Partly accessible")
        NOT_ACCESSIBLE = "not_accessible", _("Not accessible")

    name = models.CharField(_("name"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    slug = models.SlugField(_("address name"), max_length=220, unique=True)
    register_number = models.CharField(
        _("association register number"), max_length=16, blank=True, validators=[validate_register_number]
    )
    business_id = models.CharField(
        _("Business ID (Y-tunnus)"), max_length=9, blank=True, validators=[validate_business_id]
    )
    home_municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="home_organisations", verbose_name=_("home municipality")
    )
    municipalities = models.ManyToManyField(
        Municipality,
        blank=True,
        related_name="active_organisations",
        verbose_name=_("municipalities of activity"),
    )
    sectors = models.ManyToManyField(Sector, blank=True, related_name="organisations", verbose_name=_("sectors"))
    target_groups = models.ManyToManyField(
        TargetGroup, blank=True, related_name="organisations", verbose_name=_("target groups")
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="organisations", verbose_name=_("languages of activity")
    )
    description = models.TextField(_("description"), blank=True, max_length=5000)
    website = models.URLField(_("website"), blank=True)
    facebook_url = models.URLField(_("Facebook"), blank=True)
    instagram_url = models.URLField(_("Instagram"), blank=True)
    other_social_url = models.URLField(_("other social media"), blank=True)
    email = models.EmailField(_("public e-mail"), blank=True)
    phone = PhoneNumberField(_("public phone"), max_length=30, blank=True)
    meeting_place = models.CharField(_("meeting place"), max_length=200, blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    post_office = models.CharField(_("post office"), max_length=100, blank=True)
    accessibility = models.CharField(
        _("accessibility of premises"), max_length=20, choices=Accessibility.choices, default=Accessibility.UNKNOWN
    )
    accessibility_details = models.CharField(_("accessibility details"), max_length=500, blank=True)
    # The contact person is personal data: shown publicly only with consent, each field with its own
    # visibility (see organisations.permissions.visible_contact_fields).
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact person's e-mail"), blank=True)
    contact_phone = PhoneNumberField(_("contact person's phone"), max_length=30, blank=True)
    contact_name_visibility = models.CharField(
        _("visibility of the name"), max_length=10, choices=Visibility.choices, default=Visibility.STAFF
    )
    contact_email_visibility = models.CharField(
        _("visibility of the e-mail"), max_length=10, choices=Visibility.choices, default=Visibility.STAFF
    )
    contact_phone_visibility = models.CharField(
        _("visibility of the phone"), max_length=10, choices=Visibility.choices, default=Visibility.STAFF
    )
    contact_consent_at = models.DateTimeField(_("consent to publish contact details given"), null=True, blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/%Y/", blank=True, validators=[validate_logo])
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    information_confirmed_at = models.DateTimeField(_("information last confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Text prepared for the search index (names, base forms, compound parts); see organisations.search.
    search_document = models.TextField(blank=True, editable=False)
    # The sectors, target groups and languages as bit sets (bit n = primary key n), kept with the
    # search index by organisations.search.refresh_search_index: the directory filters and counts
    # its facets from one narrow index instead of joining three many-to-many tables per facet.
    sector_mask = models.BigIntegerField(default=0, editable=False)
    target_group_mask = models.BigIntegerField(default=0, editable=False)
    language_mask = models.BigIntegerField(default=0, editable=False)

    objects = OrganisationQuerySet.as_manager()
    # Every change is recorded (who, when, what), including the classifications; the search
    # fields and facet masks are derived data and ``updated_at`` changes on every save anyway.
    history = HistoricalRecords(
        m2m_fields=["municipalities", "sectors", "target_groups", "languages"],
        excluded_fields=[
            "search_document",
            "sector_mask",
            "target_group_mask",
            "language_mask",
            "updated_at",
        ],
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        permissions = [("moderate_organisation", _("Can moderate associations"))]
        indexes = [models.Index(fields=["status", "home_municipality"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def last_confirmed_at(self) -> datetime:
        return self.information_confirmed_at or self.created_at

    @property
    def is_possibly_outdated(self) -> bool:
        limit = timedelta(days=settings.ORGANISATION_STALE_AFTER_DAYS)
        return self.is_public and self.last_confirmed_at < timezone.now() - limit


def organisation_field_label(name: str) -> str:
    """The label of a listing's field as forms and reports show it (the name itself if not a field)."""
    try:
        return str(Organisation._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name
