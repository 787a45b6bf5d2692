from django.contrib import admin
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ClaimRequest,
    ConfirmationReminder,
    Editorship,
    ExportLog,
    ImportBatch,
    ImportJob,
    Invitation,
    Language,
    MunicipalContact,
    Municipality,
    Organisation,
    Region,
    Report,
    SavedFilter,
    Sector,
    TargetGroup,
)
from .search import organisations_naming, refresh_search_index
from .selectors.municipal import bump_contacts_version
from .services.municipal import municipal_contact_scope, municipal_contact_scope_changed


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fi", "name_sv")
    search_fields = ("name_fi", "name_sv", "code")


class ReferenceAdmin(admin.ModelAdmin):
    """Reference data whose names the associations' search documents and export names repeat."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            refresh_search_index(organisations_naming(obj))


@admin.register(Municipality)
class MunicipalityAdmin(ReferenceAdmin):
    list_display = ("code", "name_fi", "name_sv", "region", "subregion_name")
    list_filter = ("region",)
    search_fields = ("name_fi", "name_sv", "code")


@admin.register(Sector, TargetGroup)
class ClassificationAdmin(ReferenceAdmin):
    list_display = ("name_fi", "name_sv", "name_en", "slug", "position")
    list_editable = ("position",)


@admin.register(Language)
class LanguageAdmin(ReferenceAdmin):
    list_display = ("code", "name_fi", "name_sv", "name_en", "position")


class EditorshipInline(admin.TabularInline):
    model = Editorship
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "home_municipality", "status", "information_confirmed_at", "updated_at")
    list_filter = ("status", "home_municipality__region", "sectors")
    search_fields = ("name", "name_sv", "register_number", "business_id")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("home_municipality", "municipalities")
    filter_horizontal = ("sectors", "target_groups", "languages")
    list_select_related = ("home_municipality",)
    inlines = [EditorshipInline]
    # Associations type "esimerkki.fi" without a scheme; every site worth linking serves HTTPS.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the many-to-many fields are saved: the index carries sectors and target groups too.
        refresh_search_index([form.instance.pk])


@admin.register(MunicipalContact)
class MunicipalContactAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "email", "phone", "municipality_names", "user", "is_public")
    list_filter = ("is_public", "municipalities__region")
    search_fields = ("name", "email", "municipalities__name_fi")
    filter_horizontal = ("municipalities",)
    autocomplete_fields = ("user",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("municipalities")

    # The account link and the municipalities decide what the account may export: one audit entry
    # per change, after the municipalities are saved (save_related), in the admin's transaction.
    def save_model(self, request, obj, form, change):
        request._scope_before = municipal_contact_scope(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        municipal_contact_scope_changed(
            contact=form.instance, before=request._scope_before, actor=request.user, request=request
        )
        # Municipality pages, cached whole for anonymous visitors, show the public contacts.
        transaction.on_commit(bump_contacts_version)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(bump_contacts_version)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(bump_contacts_version)

    @admin.display(description=_("municipalities"))
    def municipality_names(self, contact: MunicipalContact) -> str:
        return ", ".join(municipality.name_fi for municipality in contact.municipalities.all())


@admin.register(ClaimRequest)
class ClaimRequestAdmin(admin.ModelAdmin):
    # Decisions go through the moderation queue (services send the e-mails); the admin only looks.
    list_display = ("organisation", "user", "role", "status", "created_at", "decided_by")
    list_filter = ("status",)
    search_fields = ("organisation__name", "user__email")
    readonly_fields = ("organisation", "user", "status", "decided_by", "decided_at", "reason", "language")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("organisation", "email", "created_at", "expires_at", "accepted_at")
    search_fields = ("organisation__name", "email")
    readonly_fields = ("organisation", "email", "invited_by", "expires_at", "accepted_at", "accepted_by")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("organisation", "reason", "created_at", "resolved_at")
    list_filter = ("reason",)
    search_fields = ("organisation__name",)
    readonly_fields = ("organisation", "reporter", "resolved_by", "resolved_at")


@admin.register(ConfirmationReminder)
class ConfirmationReminderAdmin(admin.ModelAdmin):
    list_display = ("organisation", "due_on", "stage", "sent_at")
    search_fields = ("organisation__name",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """An audit trail is looked at, never written, in the admin."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "user_email",
        "format",
        "filter_summary",
        "municipalities",
        "row_count",
        "finished_at",
    )
    list_filter = ("format", "created_at")
    search_fields = ("user_email",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "user",
        "user_email",
        "created_at",
        "format",
        "filters",
        "municipalities",
        "row_count",
        "finished_at",
    )

    @admin.display(description=_("filters"))
    def filter_summary(self, log: ExportLog) -> str:
        return "; ".join(f"{key}={','.join(values)}" for key, values in (log.filters or {}).items()) or "-"


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "file_name", "uploaded_by", "status", "applied_at")
    list_filter = ("status",)
    exclude = ("content",)
    readonly_fields = ("uploaded_by", "file_name", "status", "created_at", "applied_at", "report")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content").select_related("uploaded_by")


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "batch", "kind", "status", "rows_processed", "rows_total", "finished_at")
    list_filter = ("kind", "status")
    readonly_fields = (
        "batch",
        "kind",
        "status",
        "created_by",
        "language",
        "created_at",
        "started_at",
        "progress_at",
        "finished_at",
        "rows_total",
        "rows_processed",
        "error",
        "report",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("batch", "created_by").defer("batch__content")


@admin.register(SavedFilter)
class SavedFilterAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "query_string", "created_at")
    search_fields = ("name", "user__email")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
