from django.contrib import admin
from django.db import models, transaction

from .models import Event, EventOrganiser, Registration
from .selectors import bump_calendar_version


class EventOrganiserInline(admin.TabularInline):
    model = EventOrganiser
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "starts_at", "municipality"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "place"]
    date_hierarchy = "starts_at"
    readonly_fields = ["created_by", "decided_by", "decided_at", "created_at", "updated_at"]
    filter_horizontal = ["sectors", "organiser_municipalities"]
    inlines = [EventOrganiserInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        # Feeds are cached; an admin edit changes events as a service does.
        super().save_model(request, obj, form, change)
        transaction.on_commit(bump_calendar_version)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "event", "participation", "status", "created_at"]
    list_filter = ["status", "participation"]
    search_fields = ["name", "email", "event__title"]
    raw_id_fields = ["event", "user", "registered_by", "delegate_of"]
    readonly_fields = ["created_at", "confirmed_at", "cancelled_at", "reminder_sent_at"]
