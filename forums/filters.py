"""The calendar's filters, with the directory's conventions: Finnish parameter names, shareable URLs."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.models import Municipality, Sector

from .models import Event

KIND_SLUGS = {
    "alueellinen-foorumi": Event.Kind.REGIONAL_FORUM,
    "paikallinen-foorumi": Event.Kind.LOCAL_FORUM,
    "kumppanuuspoyta": Event.Kind.PARTNERSHIP_TABLE,
    "yhdistyksen-tapahtuma": Event.Kind.ASSOCIATION_EVENT,
    "muu": Event.Kind.OTHER,
}
SLUG_FOR_KIND = {kind: slug for slug, kind in KIND_SLUGS.items()}
ON_SITE, REMOTE = "paikan-paalla", "etana"


def _kind_choices():
    labels = dict(Event.Kind.choices)
    return [(slug, labels[kind]) for slug, kind in KIND_SLUGS.items()]


def _municipality_choices():
    return [(m.code, m.name) for m in Municipality.objects.served().order_by("name_fi")]


def _sector_choices():
    return [(s.slug, s.name) for s in Sector.objects.all()]


class EventFilter(django_filters.FilterSet):
    kunta = django_filters.MultipleChoiceFilter(
        label=_("Municipality"),
        choices=_municipality_choices,
        method="filter_municipality",
        widget=forms.CheckboxSelectMultiple,
    )
    tyyppi = django_filters.MultipleChoiceFilter(
        label=_("Kind"), choices=_kind_choices, method="filter_kind", widget=forms.CheckboxSelectMultiple
    )
    toimiala = django_filters.MultipleChoiceFilter(
        label=_("Sector"), choices=_sector_choices, method="filter_sector", widget=forms.CheckboxSelectMultiple
    )
    osallistuminen = django_filters.ChoiceFilter(
        label=_("Participation"),
        choices=[(ON_SITE, _("On site")), (REMOTE, _("Remotely"))],
        method="filter_participation",
        widget=forms.RadioSelect,
        empty_label=_("All"),
    )

    class Meta:
        model = Event
        fields: list[str] = []

    def filter_municipality(self, queryset, name, value):
        return queryset.filter(municipality__code__in=value) if value else queryset

    def filter_kind(self, queryset, name, value):
        return queryset.filter(kind__in=[KIND_SLUGS[slug] for slug in value]) if value else queryset

    def filter_sector(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=Event.sectors.through.objects.filter(sector__slug__in=value).values("event_id"))

    def filter_participation(self, queryset, name, value):
        if value == ON_SITE:
            return queryset.filter(on_site=True)
        if value == REMOTE:
            return queryset.filter(remote=True)
        return queryset

    @property
    def active(self) -> bool:
        return any(self.data.getlist(name) for name in self.filters) if hasattr(self.data, "getlist") else False

    def invalid_messages(self) -> list[str]:
        return [str(error) for errors in self.errors.values() for error in errors]
