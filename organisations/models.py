from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField, TrigramSimilarity
from django.db import connection, models
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .validators import validate_business_id, validate_logo, validate_register_number


class LocalisedNameMixin(models.Model):
    """Reference data carries its own names per language instead of going through gettext."""

    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or "fi")[:2]
        return getattr(self, f"name_{language}", "") or self.name_fi


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
        return reverse("organisations:municipality", args=[self.slug])


class Sector(LocalisedNameMixin):
    """Field of activity (toimiala), following PRH's classification of associations."""

    slug = models.SlugField(unique=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name_fi"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


class TargetGroup(LocalisedNameMixin):
    slug = models.SlugField(unique=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name_fi"]
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")


class Language(LocalisedNameMixin):
    code = models.CharField(_("code"), max_length=8, unique=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name_fi"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")


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


class Organisation(models.Model):
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
    phone = models.CharField(_("public phone"), max_length=30, blank=True)
    meeting_place = models.CharField(_("meeting place"), max_length=200, blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    post_office = models.CharField(_("post office"), max_length=100, blank=True)
    accessibility = models.CharField(
        _("accessibility of premises"), max_length=20, choices=Accessibility.choices, default=Accessibility.UNKNOWN
    )
    accessibility_details = models.CharField(_("accessibility details"), max_length=500, blank=True)
    # The contact person is personal data: shown publicly only with consent, each field with its own
    # visibility (see portal.permissions.visible_contact_fields).
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact person's e-mail"), blank=True)
    contact_phone = models.CharField(_("contact person's phone"), max_length=30, blank=True)
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

    def get_absolute_url(self) -> str:
        return reverse("organisations:detail", args=[self.slug])

    @property
    def localised_name(self) -> str:
        if (get_language() or "fi")[:2] == "sv" and self.name_sv:
            return self.name_sv
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


class OrganisationSearchEntry(models.Model):
    """The directory's search index: one narrow row per association.

    Kept by ``organisations.search.refresh_search_index``. A search for a common word ("kylä",
    "kuopion") matches a quarter of the associations; counting and ranking those reads these
    rows (about 0.5 kB each) instead of whole associations, and the match comes from a GIN index
    on ``to_tsvector('finnish', document)`` without touching the text itself. The filter columns
    carry the same names as on ``Organisation``, so the directory's filters apply to either.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    status = models.CharField(max_length=12, choices=Organisation.Status.choices)
    # No index of its own: a search narrows by the text index first, and an index on the
    # municipality tempts the planner to AND together two bitmaps of tens of thousands of rows.
    home_municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+", db_index=False)
    name = models.CharField(max_length=200)
    sector_mask = models.BigIntegerField(default=0)
    target_group_mask = models.BigIntegerField(default=0)
    language_mask = models.BigIntegerField(default=0)
    # Names, labels and description (see organisations.search.search_document).
    document = models.TextField(blank=True)
    # The names alone: ranking by them is cheap where ts_rank over whole documents is not.
    name_vector = SearchVectorField(null=True)

    def __str__(self) -> str:
        return self.name


class OrganisationRelatedNames(models.Model):
    """An association's municipalities, sectors, target groups and languages as the export writes
    them: the names joined with ", ", in Finnish and as shown in Swedish.

    Kept by ``organisations.search.refresh_search_index`` beside the search entry, so exporting a
    whole region reads one row per association instead of aggregating four many-to-many tables at
    request time (three quarters of the time of a 110,000-row CSV export).
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="related_names"
    )
    municipalities_fi = models.TextField(blank=True)
    municipalities_sv = models.TextField(blank=True)
    sectors_fi = models.TextField(blank=True)
    sectors_sv = models.TextField(blank=True)
    target_groups_fi = models.TextField(blank=True)
    target_groups_sv = models.TextField(blank=True)
    languages_fi = models.TextField(blank=True)
    languages_sv = models.TextField(blank=True)

    def __str__(self) -> str:
        return str(self.organisation_id)


class Editorship(models.Model):
    """An account that may edit an association's listing (an association may have several)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="editorships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="editorships")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("editor")
        verbose_name_plural = _("editors")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="unique_editorship")]

    def __str__(self) -> str:
        return f"{self.user}: {self.organisation}"


class MunicipalContact(models.Model):
    """A municipality's association contact person; with an account, scoped to their municipalities."""

    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    municipalities = models.ManyToManyField(Municipality, related_name="contacts", verbose_name=_("municipalities"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="municipal_contacts",
        verbose_name=_("account"),
    )
    is_public = models.BooleanField(_("shown on public pages"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipal contact")
        verbose_name_plural = _("municipal contacts")

    def __str__(self) -> str:
        return self.name


class ClaimRequest(models.Model):
    """Somebody asks to become an editor of an existing listing; a moderator decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="claim_requests", verbose_name=_("association")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claim_requests", verbose_name=_("account")
    )
    role = models.CharField(
        _("your role in the association"),
        max_length=100,
        help_text=_("For example chair, secretary or board member."),
    )
    message = models.TextField(_("message to the moderator"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    # The decision is mailed in the language the claimant used.
    language = models.CharField(max_length=8, default="fi", editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("claim request")
        verbose_name_plural = _("claim requests")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=models.Q(status="pending"),
                name="one_pending_claim_per_user_and_organisation",
                violation_error_message=_("You have already asked to manage this association."),
            ),
            models.CheckConstraint(
                condition=(models.Q(status="pending", decided_at__isnull=True))
                | (~models.Q(status="pending") & models.Q(decided_at__isnull=False)),
                name="claim_decided_at_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.organisation}"


class InvitationQuerySet(models.QuerySet):
    def open(self, now: datetime | None = None) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """An editor invites somebody by e-mail; only the random token's hash is stored."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("association")
    )
    email = models.EmailField(_("e-mail address"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "organisation",
                condition=models.Q(accepted_at__isnull=True),
                name="one_open_invitation_per_email_and_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.organisation}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class ReportQuerySet(models.QuerySet):
    def unresolved(self) -> ReportQuerySet:
        return self.filter(resolved_at__isnull=True)


class Report(models.Model):
    """A resident tells the moderators that a listing is outdated or wrong."""

    class Reason(models.TextChoices):
        OUTDATED = "outdated", _("The information is outdated")
        WRONG = "wrong", _("The information is wrong")
        DEFUNCT = "defunct", _("The association no longer operates")
        INAPPROPRIATE = "inappropriate", _("The listing is inappropriate")
        OTHER = "other", _("Something else")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="reports", verbose_name=_("association")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    message = models.TextField(_("what should be corrected?"), max_length=2000, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(_("resolution"), max_length=2000, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_reason_display()}"


class ConfirmationReminder(models.Model):
    """One e-mail asking a listing's editors to confirm it: the record that keeps it from repeating.

    ``due_on`` identifies the confirmation round (the day the listing became due); ``stage`` is the
    index into ORGANISATION_CONFIRMATION_REMINDER_DAYS.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="confirmation_reminders")
    due_on = models.DateField()
    stage = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sent_at"]
        verbose_name = _("confirmation reminder")
        verbose_name_plural = _("confirmation reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "due_on", "stage"], name="one_confirmation_reminder_per_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.due_on} #{self.stage}"


class ExportLog(models.Model):
    """One export of association data: what GDPR auditors ask about, so rows are never edited by hand."""

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Excel (XLSX)")
        EMAILS = "emails", _("E-mail addresses")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="export_logs",
        verbose_name=_("account"),
    )
    # Kept apart from the account so the record survives the account's deletion.
    user_email = models.EmailField(_("e-mail of the account"))
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    municipalities = models.JSONField(
        _("municipalities in scope"), default=list, blank=True, help_text=_("Statistics Finland codes")
    )
    # Null until the last row has been sent: an interrupted download stays visible as such.
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("export log")

    def __str__(self) -> str:
        return f"{self.user_email} {self.format} {self.created_at:%Y-%m-%d %H:%M}"


class SavedFilter(models.Model):
    """A directory filter a municipal contact keeps for repeated exports."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters", verbose_name=_("account")
    )
    name = models.CharField(_("name"), max_length=100)
    query_string = models.CharField(_("filters"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="unique_saved_filter_name")]

    def __str__(self) -> str:
        return self.name


class ImportBatch(models.Model):
    """An uploaded spreadsheet of associations, kept between its dry run and the confirmed run.

    The file lives in the database rather than in media storage: it holds personal data, must never
    be served, and disappears with the batch.
    """

    class Status(models.TextChoices):
        CHECKED = "checked", _("Checked, waiting for confirmation")
        APPLIED = "applied", _("Imported")
        FAILED = "failed", _("Could not be read")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_batches", verbose_name=_("account")
    )
    file_name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"), editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CHECKED)
    report = models.JSONField(_("report"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)
    applied_at = models.DateTimeField(_("imported"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.file_name
