import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Meeting


class MeetingArchiveFilter(django_filters.FilterSet):
    """The public minutes archive: free text over titles, agenda items, decisions and minutes; a year."""

    q = django_filters.CharFilter(label=_("Search the minutes"), method="search")
    vuosi = django_filters.NumberFilter(label=_("Year"), field_name="starts_at", lookup_expr="year")

    class Meta:
        model = Meeting
        fields: list[str] = []

    def search(self, queryset, name, value):
        q = Q()
        for word in value.split()[:10]:
            q &= (
                Q(title__icontains=word)
                | Q(minutes__icontains=word)
                | Q(agenda_items__title__icontains=word)
                | Q(agenda_items__decision__icontains=word)
            )
        return queryset.filter(q).distinct()
