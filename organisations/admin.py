from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ClaimRequest,
    ConfirmationReminder,
    Editorship,
    Invitation,
    Language,
    MunicipalContact,
    Municipality,
    Organisation,
    Region,
    Report,
    Sector,
    TargetGroup,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fi", "name_sv")
    search_fields = ("name_fi", "name_sv", "code")


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fi", "name_sv", "region", "subregion_name")
    list_filter = ("region",)
    search_fields = ("name_fi", "name_sv", "code")


@admin.register(Sector, TargetGroup)
class ClassificationAdmin(admin.ModelAdmin):
    list_display = ("name_fi", "name_sv", "name_en", "slug", "position")
    list_editable = ("position",)


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
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


@admin.register(MunicipalContact)
class MunicipalContactAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "email", "phone", "is_public")
    search_fields = ("name", "email")
    filter_horizontal = ("municipalities",)
    autocomplete_fields = ("user",)


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
