"""Staff keep the council's composition here (terms, seats, people, working groups).

Ballots, their choices and the records of who voted are deliberately not in the admin: the published
ballot list and the turnout are all anyone, staff included, gets to see of a secret ballot.
"""

from django.contrib import admin
from django.db import models

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


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "starts_at", "minutes_status"]


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin):
    list_display = ["title", "published_at"]
