"""The directory's FilterSet: its GET parameters, their validation and how each one filters.

Municipality means the home municipality; sectors, target groups and languages are tested against
the associations' facet bit sets (kept by ``organisations.search.refresh_search_index``). Counting,
ordering, paging and caching the matches is ``organisations.selectors.directory``'s work.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .models import Organisation
from .search import bit_mask, search_organisations, search_terms
from .selectors.reference import directory_reference


def _choices(facet: str):
    def choices():
        options = getattr(directory_reference(), facet)
        return [(option.value, option.value) for option in options]

    return choices


class Sort:
    RELEVANCE = "osuvuus"
    NAME = "nimi"
    NEWEST = "uusimmat"
    UPDATED = "paivitetyt"

    choices = [
        (RELEVANCE, _("Relevance")),
        (NAME, _("Name A to Z")),
        (NEWEST, _("Newest first")),
        (UPDATED, _("Recently updated")),
    ]


def validate_search_text(value: str) -> None:
    if value.strip() and not search_terms(value):
        raise ValidationError(_("Search with words made of letters or digits."), code="no_search_terms")


class OrganisationFilter(django_filters.FilterSet):
    """Filters the published associations of the served regions by the directory's GET parameters.

    Municipality means the home municipality: that keeps every filter a plain indexed column or a
    semi-join, and lets the municipality facet also give the region counts and the total.
    """

    q = django_filters.CharFilter(
        method="filter_text", max_length=200, label=_("Search words"), validators=[validate_search_text]
    )
    kunta = django_filters.MultipleChoiceFilter(
        choices=_choices("municipalities"),
        method="filter_municipalities",
        label=_("Municipality"),
        error_messages={"invalid_choice": _("There is no municipality with the code %(value)s in this service.")},
    )
    maakunta = django_filters.ChoiceFilter(
        choices=_choices("regions"),
        method="filter_region",
        label=_("Region"),
        error_messages={"invalid_choice": _("There is no region called %(value)s in this service.")},
    )
    toimiala = django_filters.MultipleChoiceFilter(
        choices=_choices("sectors"),
        method="filter_sectors",
        label=_("Sector"),
        error_messages={"invalid_choice": _("There is no sector called %(value)s.")},
    )
    kohderyhma = django_filters.MultipleChoiceFilter(
        choices=_choices("target_groups"),
        method="filter_target_groups",
        label=_("Target group"),
        error_messages={"invalid_choice": _("There is no target group called %(value)s.")},
    )
    kieli = django_filters.MultipleChoiceFilter(
        choices=_choices("languages"),
        method="filter_languages",
        label=_("Language"),
        error_messages={"invalid_choice": _("There is no language with the code %(value)s.")},
    )
    jarjestys = django_filters.ChoiceFilter(
        choices=Sort.choices,
        method="filter_nothing",
        label=_("Sort by"),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the listed sort orders.")},
    )

    FACETS = ("maakunta", "kunta", "toimiala", "kohderyhma", "kieli")

    class Meta:
        model = Organisation
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.reference = directory_reference()
        # Set once the words themselves found nothing: then names resembling them are shown.
        self.similar = False

    # Filtering -----------------------------------------------------------------------------

    def filter_text(self, queryset, name, value):
        return search_organisations(queryset, value, similar=self.similar) if value.strip() else queryset

    def filter_municipalities(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(home_municipality_id__in=[o.pk for o in self.reference.lookup("kunta", value)])

    def filter_region(self, queryset, name, value):
        if not value:
            return queryset
        ids = [o.pk for o in self.reference.municipalities if o.parent == value]
        return queryset.filter(home_municipality_id__in=ids)

    def _filter_mask(self, queryset, column: str, facet: str, value):
        if not value:
            return queryset
        mask = bit_mask(option.pk for option in self.reference.lookup(facet, value))
        # Any of the chosen ones: the association's bit set shares a bit with the choice.
        return queryset.alias(**{f"{column}_chosen": F(column).bitand(mask)}).filter(**{f"{column}_chosen__gt": 0})

    def filter_sectors(self, queryset, name, value):
        return self._filter_mask(queryset, "sector_mask", "toimiala", value)

    def filter_target_groups(self, queryset, name, value):
        return self._filter_mask(queryset, "target_group_mask", "kohderyhma", value)

    def filter_languages(self, queryset, name, value):
        return self._filter_mask(queryset, "language_mask", "kieli", value)

    def filter_nothing(self, queryset, name, value):
        return queryset

    def cleaned(self) -> dict:
        """The valid part of the input: invalid parameters are reported and otherwise ignored."""
        self.errors  # noqa: B018 - validates the form
        return getattr(self.form, "cleaned_data", {})
