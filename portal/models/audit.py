"""The audit log: who did what to which object, when and from where (append-only).

Services write an entry in the same transaction as the change they record
(``portal.audit.audit_record``), never from signals, so a rolled-back change leaves no entry and
no change goes unrecorded because a signal was bypassed.

Personal data: an entry keeps its actor's e-mail address as it was (``actor_label``) and the
client address. When the account is deleted the link to it is cleared but the label stays: the
trail of governance decisions (who approved a claim, who archived a listing, who exported
contact details) is what the log is for, the actors are mostly moderators, staff and editors
acting for an association, and only staff read it. Account holders find the entries they made in
"download my data".
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLogIsAppendOnly(Exception):
    """Raised by any attempt to change or delete an audit entry through the ORM."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("Audit entries cannot be changed.")

    def delete(self):
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted.")

    def for_object(self, obj: models.Model) -> AuditEntryQuerySet:
        content_type = ContentType.objects.get_for_model(obj)
        return self.filter(target_type=content_type, target_id=str(obj.pk))

    def by_actor(self, user) -> AuditEntryQuerySet:
        return self.filter(actor=user)


# Registered by the apps (``register_action_labels``) so the core never imports them.
ACTION_LABELS: dict[str, str] = {}


def register_action_labels(labels: dict[str, str]) -> None:
    """Human labels (lazy translations) for dotted actions, shown in the history and the admin."""
    ACTION_LABELS.update(labels)


class AuditEntry(models.Model):
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True, editable=False)
    # Deleting an account clears the link (Django's collector updates through the plain base
    # manager, which the append-only queryset does not guard); the label keeps the trail readable.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("actor at the time"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("target type"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Text, so any primary key fits (integers, UUIDs, slugs).
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=255, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # An object's history page: its entries, newest first.
            models.Index(fields=["target_type", "target_id", "-created_at"], name="portal_audit_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_label}".strip()

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted.")

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))
