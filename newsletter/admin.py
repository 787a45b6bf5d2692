from django.contrib import admin
from django.db import transaction

from .models import Delivery, Issue, Subscriber
from .selectors import bump_archive_version


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "status", "language", "consent_confirmed_at", "hard_failures")
    list_filter = ("status", "language")
    search_fields = ("email",)
    # Consent is evidence: it is recorded by the subscription services, never typed in.
    readonly_fields = (
        "token",
        "created_at",
        "consent_requested_at",
        "consent_confirmed_at",
        "consent_form",
        "consent_wording_version",
        "consent_wording",
        "unsubscribed_at",
        "hard_failures",
        "last_failure",
    )
    filter_horizontal = ("municipalities", "sectors")


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ("title_fi", "status", "scheduled_at", "started_at", "finished_at", "recipient_count")
    list_filter = ("status",)
    readonly_fields = ("status", "started_at", "finished_at", "published_at", "recipient_count", "created_by")

    def save_model(self, request, obj, form, change):
        # A published issue's title shows on the front page, cached whole.
        super().save_model(request, obj, form, change)
        transaction.on_commit(bump_archive_version)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(bump_archive_version)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(bump_archive_version)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("issue", "subscriber", "mail")
    list_select_related = ("issue", "subscriber", "mail")
    raw_id_fields = ("issue", "subscriber", "mail")

    def has_add_permission(self, request) -> bool:
        # Deliveries are created when sending starts, one per subscriber; never by hand.
        return False
