"""Editors of listings, claims, invitations and the confirmation reminders."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .directory import Organisation


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
