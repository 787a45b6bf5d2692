"""The calendar's filters, with the directory's conventions: Finnish parameter names, shareable URLs."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from organisations.selectors.reference import directory_reference

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
    # The directory's cached reference data: no query per page for the choices.
    return [(option.value, option.name) for option in directory_reference().municipalities]


def _sector_choices():
    return [(option.value, option.name) for option in directory_reference().sectors]


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
        if not value:
            return queryset
        return queryset.filter(municipality_id__in=[o.pk for o in directory_reference().lookup("kunta", value)])

    def filter_kind(self, queryset, name, value):
        return queryset.filter(kind__in=[KIND_SLUGS[slug] for slug in value]) if value else queryset

    def filter_sector(self, queryset, name, value):
        if not value:
            return queryset
        sector_ids = [o.pk for o in directory_reference().lookup("toimiala", value)]
        return queryset.filter(pk__in=Event.sectors.through.objects.filter(sector_id__in=sector_ids).values("event_id"))

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

    def fieldsets_html(self) -> str:
        """The filters as checkbox and radio fieldsets, built here: the template engine took most of
        the calendar's time rendering some seventy choice widgets one by one."""
        html = []
        for name, field in self.form.fields.items():
            kind = "checkbox" if isinstance(field.widget, forms.CheckboxSelectMultiple) else "radio"
            chosen = set(self.data.getlist(name)) if hasattr(self.data, "getlist") else set()
            html.append(f"<fieldset><legend>{escape(field.label)}</legend><ul>")
            choices = list(field.choices)
            if kind == "radio" and not chosen:
                chosen = {""}
            for number, (value, label) in enumerate(choices):
                checked = " checked" if str(value) in chosen else ""
                html.append(
                    f'<li><input type="{kind}" name="{name}" value="{escape(value)}" id="id_{name}_{number}"{checked}> '
                    f'<label for="id_{name}_{number}">{escape(label)}</label></li>'
                )
            html.append("</ul></fieldset>")
        return mark_safe("".join(html))  # noqa: S308 - every value above is escaped
