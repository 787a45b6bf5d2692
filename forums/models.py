"""Forums and events: the regional forum, local forums, partnership tables, associations' events.

An event is published directly by the council secretary and staff, by municipal contacts for local
forums in their municipalities, and after a moderator's approval when an association's editor
submits it. People register for an event (or are wait-listed once it is full); the capacity is
enforced under a lock on the event row, the duplicate check by a partial unique index.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.models import Language, Municipality, Organisation, Sector
from portal.richtext import SanitisedHTMLField

# An event (a forum, a camp, an exhibition) lasts at most this long; the calendar's index relies on it.
MAX_EVENT_DAYS = 31
PUBLIC_STATUSES = ("published", "cancelled")


class EventQuerySet(models.QuerySet):
    def published(self) -> EventQuerySet:
        return self.filter(status=Event.Status.PUBLISHED)

    def public(self) -> EventQuerySet:
        """What the calendar shows: published and cancelled events (a cancellation is news too)."""
        return self.filter(status__in=PUBLIC_STATUSES)

    def upcoming(self, now: datetime | None = None) -> EventQuerySet:
        """Not yet over: an event under way still belongs to the calendar, not the archive.

        The redundant lower bound on the start (no event lasts longer than MAX_EVENT_DAYS) lets
        PostgreSQL walk the start-time index from there and stop after a page of rows.
        """
        now = now or timezone.now()
        return self.filter(ends_at__gte=now, starts_at__gte=now - timedelta(days=MAX_EVENT_DAYS))

    def past(self, now: datetime | None = None) -> EventQuerySet:
        now = now or timezone.now()
        # The start bound is implied by the end; stated, it lets the archive walk the index backwards.
        return self.filter(ends_at__lt=now, starts_at__lt=now)

    def overlapping(self, start: datetime, end: datetime) -> EventQuerySet:
        """Events taking place at some moment in [start, end)."""
        return self.filter(starts_at__lt=end, ends_at__gte=start, starts_at__gte=start - timedelta(days=MAX_EVENT_DAYS))

    def awaiting_moderation(self) -> EventQuerySet:
        return self.filter(status=Event.Status.PENDING)

    def in_municipalities(self, municipalities) -> EventQuerySet:
        return self.filter(municipality__in=municipalities)

    def organised_by_organisations(self, organisations) -> EventQuerySet:
        return self.filter(pk__in=EventOrganiser.objects.filter(organisation__in=organisations).values("event_id"))

    def starting_between(self, start: datetime, end: datetime) -> EventQuerySet:
        return self.filter(starts_at__gte=start, starts_at__lt=end)


class Event(models.Model):
    class Kind(models.TextChoices):
        REGIONAL_FORUM = "regional_forum", _("Regional association forum")
        LOCAL_FORUM = "local_forum", _("Local forum")
        PARTNERSHIP_TABLE = "partnership_table", _("Partnership table")
        ASSOCIATION_EVENT = "association_event", _("Association event")
        OTHER = "other", _("Other event")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address name"), max_length=220, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    description = SanitisedHTMLField(_("description"), blank=True, max_length=20000)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True, help_text=_("For example the venue's name"))
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    post_office = models.CharField(_("post office"), max_length=100, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
    )
    on_site = models.BooleanField(_("on-site participation"), default=True)
    remote = models.BooleanField(_("remote participation"), default=False)
    # Revealed only to registrants (their e-mails) and organisers: never on a public page or feed.
    remote_url = models.URLField(_("remote participation link"), blank=True)
    language = models.ForeignKey(
        Language, on_delete=models.PROTECT, related_name="+", verbose_name=_("language"), null=True, blank=True
    )
    accessibility = models.CharField(
        _("accessibility of the venue"),
        max_length=20,
        choices=Organisation.Accessibility.choices,
        default=Organisation.Accessibility.UNKNOWN,
    )
    accessibility_details = models.CharField(_("accessibility details"), max_length=500, blank=True)
    sectors = models.ManyToManyField(Sector, blank=True, related_name="events", verbose_name=_("sectors"))
    organised_by_council = models.BooleanField(_("organised by the association council"), default=False)
    organiser_municipalities = models.ManyToManyField(
        Municipality, blank=True, related_name="organised_events", verbose_name=_("organising municipalities")
    )
    organiser_organisations = models.ManyToManyField(
        Organisation,
        through="EventOrganiser",
        blank=True,
        related_name="organised_events",
        verbose_name=_("organising associations"),
    )
    registration_required = models.BooleanField(_("registration"), default=True)
    capacity = models.PositiveIntegerField(
        _("on-site seats"), null=True, blank=True, help_text=_("Leave empty when there is no limit.")
    )
    remote_capacity = models.PositiveIntegerField(
        _("remote places"), null=True, blank=True, help_text=_("Leave empty when there is no limit.")
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(_("reason"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Set once the registrants' needs have been deleted (EVENT_NEEDS_RETENTION_DAYS after the end).
    needs_purged_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            # The calendar and the archive: public events in start order, read a page at a time.
            models.Index(
                fields=["starts_at", "id"],
                include=["ends_at"],
                condition=models.Q(status__in=PUBLIC_STATUSES),
                name="forums_event_public_start",
            ),
            models.Index(fields=["status", "starts_at"], name="forums_event_status_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(condition=models.Q(on_site=True) | models.Q(remote=True), name="event_has_a_way_in"),
            models.CheckConstraint(
                condition=models.Q(ends_at__lte=models.F("starts_at") + timedelta(days=MAX_EVENT_DAYS)),
                name="event_lasts_at_most_max_days",
                violation_error_message=_("An event can last at most 31 days."),
            ),
            models.CheckConstraint(
                condition=models.Q(registration_closes_at__isnull=True)
                | models.Q(registration_opens_at__isnull=True)
                | models.Q(registration_closes_at__gte=models.F("registration_opens_at")),
                name="event_registration_window_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forums:detail", args=[self.slug])

    @property
    def is_public(self) -> bool:
        return self.status in (self.Status.PUBLISHED, self.Status.CANCELLED)

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    def registration_is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.status != self.Status.PUBLISHED or not self.registration_required:
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        closes = self.registration_closes_at or self.starts_at
        return now < closes

    def participation_choices(self) -> list[tuple[str, str]]:
        return [(value, label) for value, label in Registration.Participation.choices if self.offers(value)]

    def offers(self, participation: str) -> bool:
        if participation == Registration.Participation.REMOTE:
            return self.remote
        return self.on_site

    def limit_for(self, participation: str) -> int | None:
        return self.remote_capacity if participation == Registration.Participation.REMOTE else self.capacity

    @property
    def ends_same_day(self) -> bool:
        return timezone.localdate(self.starts_at) == timezone.localdate(self.ends_at)

    @property
    def address_line(self) -> str:
        town = " ".join(part for part in (self.postal_code, self.post_office) if part)
        return ", ".join(part for part in (self.place, self.street_address, town) if part)


class EventOrganiser(models.Model):
    """An association organising an event (an event may have several)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="organiser_links")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="event_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "organisation"], name="unique_event_organiser")]
        indexes = [models.Index(fields=["organisation", "event"], name="forums_organiser_org_event")]

    def __str__(self) -> str:
        return f"{self.organisation} / {self.event}"


class RegistrationQuerySet(models.QuerySet):
    def active(self) -> RegistrationQuerySet:
        return self.exclude(status=Registration.Status.CANCELLED)

    def confirmed(self) -> RegistrationQuerySet:
        return self.filter(status=Registration.Status.CONFIRMED)

    def waiting(self) -> RegistrationQuerySet:
        return self.filter(status=Registration.Status.WAITING)

    def in_waiting_order(self) -> RegistrationQuerySet:
        return self.waiting().order_by("created_at", "pk")

    def needing_reminder(self) -> RegistrationQuerySet:
        return self.confirmed().filter(reminder_sent_at__isnull=True)

    def with_needs(self) -> RegistrationQuerySet:
        return self.exclude(needs="")


def _new_key() -> str:
    return secrets.token_urlsafe(18)


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    class Participation(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        REMOTE = "remote", _("Remotely")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    # Set when an association's editor registered the person as one of its delegates.
    delegate_of = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_delegates",
        verbose_name=_("delegate of"),
    )
    participation = models.CharField(
        _("participation"), max_length=10, choices=Participation.choices, default=Participation.ON_SITE
    )
    needs = models.TextField(
        _("needs"),
        blank=True,
        max_length=1000,
        help_text=_(
            "For example diet or accessibility. Only the organisers see this, and it is deleted after the event."
        ),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=8, default="fi", editable=False)
    # The cancellation link carries this key (signed): a new registration gets a new key.
    key = models.CharField(max_length=32, default=_new_key, editable=False, unique=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            # One live registration per address and event, whatever path it came through.
            models.UniqueConstraint(
                "event",
                Lower("email"),
                condition=~models.Q(status="cancelled"),
                name="unique_live_registration_per_email",
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "created_at"], name="forums_registration_queue")]

    def __str__(self) -> str:
        return f"{self.name} ({self.event})"


def needs_retention() -> timedelta:
    return timedelta(days=settings.EVENT_NEEDS_RETENTION_DAYS)
