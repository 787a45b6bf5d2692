import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Language, Municipality, Organisation, Region, Sector, TargetGroup


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    kunta = django_filters.ModelMultipleChoiceFilter(
        field_name="home_municipality__code",
        to_field_name="code",
        queryset=Municipality.objects.served(),
        label=_("Municipality"),
        widget=forms.CheckboxSelectMultiple,
    )
    maakunta = django_filters.ModelChoiceFilter(
        field_name="home_municipality__region",
        to_field_name="slug",
        queryset=Region.objects.served(),
        label=_("Region"),
    )
    toimiala = django_filters.ModelMultipleChoiceFilter(
        field_name="sectors__slug",
        to_field_name="slug",
        queryset=Sector.objects.all(),
        label=_("Sector"),
        widget=forms.CheckboxSelectMultiple,
    )
    kohderyhma = django_filters.ModelMultipleChoiceFilter(
        field_name="target_groups__slug",
        to_field_name="slug",
        queryset=TargetGroup.objects.all(),
        label=_("Target group"),
        widget=forms.CheckboxSelectMultiple,
    )
    kieli = django_filters.ModelMultipleChoiceFilter(
        field_name="languages__code",
        to_field_name="code",
        queryset=Language.objects.all(),
        label=_("Language"),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organisation
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))
