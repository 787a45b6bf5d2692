"""Municipal contacts, their exports and saved directory filters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import PhoneNumberField
from .reference import Municipality


class MunicipalContact(models.Model):
    """A municipality's association contact person; with an account, scoped to their municipalities."""

    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = PhoneNumberField(_("phone"), max_length=30, blank=True)
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
