"""Staff's bulk imports of associations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
