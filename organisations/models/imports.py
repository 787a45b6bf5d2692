"""Staff's bulk imports of associations: the uploaded file and the background runs over it."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    """An uploaded spreadsheet of associations, kept between its dry run and the confirmed run.

    The file lives in the database rather than in media storage: it holds personal data, must never
    be served, and disappears with the batch. The work on it is done by ``ImportJob`` rows in a
    Celery worker, never in the request.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Being checked")
        CHECKED = "checked", _("Checked, waiting for confirmation")
        APPLIED = "applied", _("Imported")
        FAILED = "failed", _("Could not be read")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_batches", verbose_name=_("account")
    )
    file_name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"), editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED)
    report = models.JSONField(_("report"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)
    applied_at = models.DateTimeField(_("imported"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.file_name


class ImportJobQuerySet(models.QuerySet):
    def unfinished(self) -> ImportJobQuerySet:
        return self.filter(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])

    def stalled(self) -> ImportJobQuerySet:
        """Running jobs whose worker has reported no progress for too long: it most likely died."""
        return self.filter(status=ImportJob.Status.RUNNING, progress_at__lt=ImportJob.stalled_before())


class ImportJob(models.Model):
    """One background run over a batch's file: the dry run or the confirmed import."""

    class Kind(models.TextChoices):
        DRY_RUN = "dry_run", _("Check (dry run)")
        IMPORT = "import", _("Import")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("import"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("account"),
    )
    # The report's messages are written in the language of the staff member who started the job.
    language = models.CharField(_("language"), max_length=10, default="fi")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_processed = models.PositiveIntegerField(_("rows processed"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [models.Index(fields=["status", "progress_at"])]

    def __str__(self) -> str:
        return f"{self.batch.file_name}: {self.get_kind_display()}"

    @staticmethod
    def stalled_before():
        return timezone.now() - timedelta(seconds=settings.IMPORT_STALLED_AFTER_SECONDS)

    @property
    def is_stalled(self) -> bool:
        return (
            self.status == self.Status.RUNNING
            and self.progress_at is not None
            and self.progress_at < self.stalled_before()
        )

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_processed * 100 // self.rows_total)
