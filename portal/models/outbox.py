"""Every outgoing e-mail is a row: the durable outbox.

The row is written in the same transaction as the change that causes the message, so a rolled-back
change leaves nothing to send, and a committed one survives a lost Celery message (Redis restarted,
flushed, or unreachable): the periodic sweep sends what the immediate task did not. The row carries
the rendered message, so a resend sends exactly what was first meant to be sent.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Header names a caller may set. Names are never taken from user input (only code lists them), and
# an allow-list keeps a caller from overriding what the mail layer owns (From, To, Message-ID…).
# These are the ones a newsletter needs (RFC 2369, RFC 8058, RFC 2919, RFC 3834).
ALLOWED_HEADERS = frozenset(
    {
        "Auto-Submitted",
        "List-Help",
        "List-Id",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "Precedence",
        "X-Auto-Response-Suppress",
    }
)


def validate_headers(headers: object) -> None:
    """Only allowed names, single-line string values: no header injection through a value."""
    if not isinstance(headers, dict):
        raise ValidationError("Headers must be a mapping of names to values.")
    for name, value in headers.items():
        if name not in ALLOWED_HEADERS:
            raise ValidationError(f"Header {name!r} may not be set on an outgoing message.")
        if not isinstance(value, str) or any(char in value for char in "\r\n\0"):
            raise ValidationError(f"Header {name!r} must be a single line of text.")


def validate_addresses(addresses: object) -> None:
    if not isinstance(addresses, list) or not all(isinstance(address, str) for address in addresses):
        raise ValidationError("Addresses must be a list of strings.")
    for address in addresses:
        if not address.strip() or any(char in address for char in "\r\n\0"):
            raise ValidationError(f"Invalid address {address!r}.")


class OutgoingMailQuerySet(models.QuerySet):
    def due(self, now=None) -> OutgoingMailQuerySet:
        """Queued rows the sweep should send now (the immediate task had its chance)."""
        return self.filter(status=OutgoingMail.Status.QUEUED, next_attempt_at__lte=now or timezone.now())

    def addressed_to(self, address: str) -> OutgoingMailQuerySet:
        # ``to`` is a JSON list; matching its text narrows the rows, callers compare exactly.
        return self.filter(to__icontains=address)


class OutgoingMail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        # A worker marked the row "sending" and never reported back (it was killed mid-send): the
        # message may or may not have left. Resending is a decision for staff, because a duplicate
        # to a real person is worse than a visible stuck row.
        UNKNOWN = "unknown", _("unknown")

    RESENDABLE = (Status.FAILED, Status.UNKNOWN)

    to = models.JSONField(_("recipients"), default=list, validators=[validate_addresses])
    reply_to = models.JSONField(_("reply to"), default=list, blank=True, validators=[validate_addresses])
    # Empty: the site's DEFAULT_FROM_EMAIL when sent (a bounce address per recipient may go here).
    from_email = models.CharField(_("sender"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    subject = models.TextField(_("subject"))
    text = models.TextField(_("plain text"))
    html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True, validators=[validate_headers])
    # Small text attachments (an event's .ics) as [file name, content, MIME type]; kept with the
    # row so a resend or a sweep after a Redis loss sends exactly what the change rendered.
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    # Set once when queued, so a resend carries the same Message-ID and receivers can spot the copy.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    template_name = models.CharField(_("template"), max_length=200, blank=True)
    # What the message belongs to, in dotted form ("accounts", "newsletter.issue.42"): a mailing
    # finds and counts its own rows by it.
    label = models.CharField(_("label"), max_length=100, blank=True, db_index=True)

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Queued rows: when the sweep may send it (first attempt: after the immediate task's grace time;
    # later: the back-off).
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # Sending rows: when a worker last confirmed it is about to send; a stale value means a dead worker.
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ("-created_at", "-id")
        indexes = [
            # The sweep's and the readiness check's question: which queued rows are due?
            models.Index(
                fields=["next_attempt_at"], condition=models.Q(status="queued"), name="outgoingmail_queued_due"
            ),
            models.Index(fields=["status", "sent_at"], name="outgoingmail_status_sent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False), name="outgoingmail_sent_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{', '.join(self.to)}: {self.subject}"
