"""Staff keep the council's composition here (terms, seats, people, working groups).

Ballots, their choices and the records of who voted are deliberately not in the admin: the published
ballot list and the turnout are all anyone, staff included, gets to see of a secret ballot.
"""

from django.contrib import admin
from django.db import models, transaction

from .models import (
    ElectionLogEntry,
    GroupMembership,
    Meeting,
    NewsItem,
    Nomination,
    Person,
    Seat,
    SeatHolding,
    Term,
    WorkingGroup,
)
from .selectors import bump_home_version


class SeatInline(admin.TabularInline):
    model = Seat
    extra = 0


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on"]
    inlines = [SeatInline]


class HoldingInline(admin.TabularInline):
    model = SeatHolding
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ["__str__", "term", "kind", "sector"]
    list_filter = ["term", "kind"]
    inlines = [HoldingInline]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "background", "sector", "user"]
    search_fields = ["name", "organisation_name", "organisation__name"]
    autocomplete_fields = ["organisation", "user"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "term"]
    filter_horizontal = ["members"]


@admin.register(GroupMembership)
class GroupMembershipAdmin(admin.ModelAdmin):
    list_display = ["organisation", "joined_at", "left_at"]
    autocomplete_fields = ["organisation"]


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    list_display = ["candidate_name", "seat", "election", "nominated_by", "status"]
    list_filter = ["election", "status"]
    readonly_fields = [f.name for f in Nomination._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ElectionLogEntry)
class ElectionLogEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "election", "action"]
    readonly_fields = ["election", "at", "action", "details"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HomeBoxAdmin(admin.ModelAdmin):
    """An admin edit changes the front page's council box as a service does."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(bump_home_version)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(bump_home_version)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(bump_home_version)


@admin.register(Meeting)
class MeetingAdmin(HomeBoxAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "starts_at", "minutes_status"]


@admin.register(NewsItem)
class NewsItemAdmin(HomeBoxAdmin):
    list_display = ["title", "published_at"]
