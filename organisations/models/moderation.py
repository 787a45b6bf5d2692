"""Residents' reports of outdated or wrong listings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .directory import Organisation


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
