"""The newsletter: subscribers (double opt-in, consent evidence), issues, and one delivery per
issue and subscriber.

A delivery's message is an ``portal.OutgoingMail`` row (the outbox): the newsletter adds the
per-recipient bookkeeping (which issue, which subscriber, whether a hard failure was counted)
and a unique constraint that makes a second copy of an issue to one subscriber impossible,
whatever the code path.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.richtext import SanitisedHTMLField

LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish"))]


def new_token() -> str:
    # 256 bits: the token alone authenticates unsubscribing and the preference page.
    return secrets.token_urlsafe(32)


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self) -> SubscriberQuerySet:
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def for_audience(self, issue: Issue) -> SubscriberQuerySet:
        """Confirmed subscribers in the issue's audience: an empty criterion means everybody.

        A subscriber who chose no municipalities (or no sectors) wants everything of that kind.
        """
        subscribers = self.confirmed()
        if issue.audience_language:
            subscribers = subscribers.filter(language=issue.audience_language)
        municipalities = list(issue.municipalities.values_list("pk", flat=True))
        if municipalities:
            subscribers = subscribers.filter(
                models.Q(municipalities__in=municipalities) | models.Q(municipalities__isnull=True)
            )
        sectors = list(issue.sectors.values_list("pk", flat=True))
        if sectors:
            subscribers = subscribers.filter(models.Q(sectors__in=sectors) | models.Q(sectors__isnull=True))
        return subscribers.distinct()


class Subscriber(models.Model):
    """One subscription per address: editors and council members subscribe like anybody else."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for confirmation")
        CONFIRMED = "confirmed", _("subscribed")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
        # Repeated permanent delivery failures: the address is not mailed any more.
        SUSPENDED = "suspended", _("suspended")

    email = models.EmailField(_("e-mail address"), max_length=254)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES, default="fi")
    municipalities = models.ManyToManyField(
        "organisations.Municipality", blank=True, related_name="+", verbose_name=_("municipalities")
    )
    sectors = models.ManyToManyField("organisations.Sector", blank=True, related_name="+", verbose_name=_("sectors"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Consent evidence: when the form was sent and confirmed, which form and which wording.
    consent_requested_at = models.DateTimeField(_("subscription requested"), null=True, blank=True)
    consent_confirmed_at = models.DateTimeField(_("subscription confirmed"), null=True, blank=True)
    consent_form = models.CharField(_("consent form"), max_length=50, blank=True)
    consent_wording_version = models.CharField(_("consent wording version"), max_length=20, blank=True)
    consent_wording = models.TextField(_("consent wording"), blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    hard_failures = models.PositiveSmallIntegerField(_("permanent delivery failures"), default=0)
    last_failure = models.TextField(_("last delivery failure"), blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="confirmed") | models.Q(consent_confirmed_at__isnull=False),
                name="newsletter_confirmed_has_consent",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_preferences_url(self) -> str:
        return reverse("newsletter:preferences", args=[self.token])

    def get_unsubscribe_url(self) -> str:
        return reverse("newsletter:unsubscribe", args=[self.token])


class IssueQuerySet(models.QuerySet):
    def published(self) -> IssueQuerySet:
        return self.filter(status__in=[Issue.Status.SENDING, Issue.Status.SENT], published_at__isnull=False)

    def due(self, now=None) -> IssueQuerySet:
        return self.filter(status=Issue.Status.SCHEDULED, scheduled_at__lte=now or timezone.now())


class Issue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        # Waiting for Celery beat to start it at scheduled_at (never a Celery ETA: Redis loses those).
        SCHEDULED = "scheduled", _("scheduled")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")

    title_fi = models.CharField(_("title in Finnish"), max_length=200)
    body_fi = SanitisedHTMLField(_("text in Finnish"))
    title_sv = models.CharField(_("title in Swedish"), max_length=200, blank=True)
    body_sv = SanitisedHTMLField(_("text in Swedish"), blank=True)
    include_new_organisations = models.BooleanField(_("list newly listed associations"), default=True)
    include_upcoming_events = models.BooleanField(_("list upcoming events"), default=True)
    include_council_news = models.BooleanField(_("list the latest council news"), default=True)
    # Audience: empty means everybody.
    municipalities = models.ManyToManyField(
        "organisations.Municipality", blank=True, related_name="+", verbose_name=_("municipalities")
    )
    sectors = models.ManyToManyField("organisations.Sector", blank=True, related_name="+", verbose_name=_("sectors"))
    audience_language = models.CharField(
        _("language of the audience"),
        max_length=2,
        choices=LANGUAGES,
        blank=True,
        help_text=_(
            "Empty: subscribers of every language; Swedish subscribers get the Finnish text when "
            "there is no Swedish one."
        ),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("sending finished"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="scheduled") | models.Q(scheduled_at__isnull=False),
                name="newsletter_scheduled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title_fi

    def get_absolute_url(self) -> str:
        return reverse("newsletter:archive_detail", args=[self.pk])

    @property
    def label(self) -> str:
        """The outbox label of this issue's messages."""
        return f"newsletter.issue.{self.pk}"

    @property
    def has_swedish(self) -> bool:
        return bool(self.title_sv and self.body_sv)

    def title(self, language: str | None = None) -> str:
        language = (language or get_language() or "fi")[:2]
        return self.title_sv if language == "sv" and self.title_sv else self.title_fi

    def body(self, language: str | None = None) -> str:
        language = (language or get_language() or "fi")[:2]
        return self.body_sv if language == "sv" and self.body_sv else self.body_fi

    @property
    def localised_title(self) -> str:
        return self.title()

    @property
    def localised_body(self) -> str:
        return self.body()

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED)


class Delivery(models.Model):
    """One issue to one subscriber: created when sending starts, never twice (the constraint)."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    # The message itself, its status and its SMTP answer live in the outbox. Purging old sent rows
    # there leaves the delivery (which still proves the issue went to the subscriber) without it.
    mail = models.OneToOneField(
        "portal.OutgoingMail", on_delete=models.SET_NULL, null=True, blank=True, related_name="newsletter_delivery"
    )
    # A permanent failure is counted against the subscriber once, whichever task notices it.
    failure_counted = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["issue", "subscriber"], name="newsletter_delivery_once")]

    def __str__(self) -> str:
        return f"{self.issue_id} → {self.subscriber_id}"
