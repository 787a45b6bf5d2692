"""The directory's filters, facet counts and sort orders.

Reference data (regions, municipalities, sectors, target groups, languages) changes a few times a
year, so the filter choices come from a cached snapshot (an hour) instead of five queries per page.
Sectors, target groups and languages are filtered and counted through bit sets on the association
(kept by ``organisations.search.refresh_search_index``). All facet counts come from one query
(GROUPING SETS over a covering index, each facet counting what passes every filter but its own),
and the total from them, so a page costs three queries. The counts are cached for a few minutes
and dropped whenever the search index is refreshed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import django_filters
from django.conf import settings
from django.contrib.postgres.search import SearchRank
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.functions import Collate
from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .models import Language, Municipality, Organisation, OrganisationSearchEntry, Region, Sector, TargetGroup
from .search import bit_mask, directory_version, mask_bits, search_organisations, search_query, search_terms

FINNISH_COLLATION = "fi-FI-x-icu"
MASK_FACETS = {"toimiala": "sector_mask", "kohderyhma": "target_group_mask", "kieli": "language_mask"}
REFERENCE_CACHE_KEY = "organisations:directory-reference:v1"
REFERENCE_CACHE_SECONDS = 3600
FACET_CACHE_SECONDS = 300


@dataclass(frozen=True)
class Option:
    pk: int
    value: str
    name_fi: str
    name_sv: str = ""
    name_en: str = ""
    parent: str = ""

    @property
    def name(self) -> str:
        language = (get_language() or "fi")[:2]
        return getattr(self, f"name_{language}", "") or self.name_fi


@dataclass(frozen=True)
class DirectoryReference:
    regions: tuple[Option, ...]
    municipalities: tuple[Option, ...]
    sectors: tuple[Option, ...]
    target_groups: tuple[Option, ...]
    languages: tuple[Option, ...]
    by_value: dict[str, dict[str, Option]] = field(default_factory=dict)

    def lookup(self, facet: str, values) -> list[Option]:
        options = self.by_value[facet]
        return [options[value] for value in values if value in options]


def _load_reference() -> DirectoryReference:
    served_regions = tuple(
        Option(region.pk, region.slug, region.name_fi, region.name_sv) for region in Region.objects.served()
    )
    municipalities = tuple(
        Option(m.pk, m.code, m.name_fi, m.name_sv, parent=m.region.slug)
        for m in Municipality.objects.served().select_related("region").order_by("name_fi")
    )
    sectors = tuple(Option(s.pk, s.slug, s.name_fi, s.name_sv, s.name_en) for s in Sector.objects.all())
    target_groups = tuple(Option(g.pk, g.slug, g.name_fi, g.name_sv, g.name_en) for g in TargetGroup.objects.all())
    languages = tuple(
        Option(lang.pk, lang.code, lang.name_fi, lang.name_sv, lang.name_en) for lang in Language.objects.all()
    )
    facets = {
        "maakunta": served_regions,
        "kunta": municipalities,
        "toimiala": sectors,
        "kohderyhma": target_groups,
        "kieli": languages,
    }
    return DirectoryReference(
        regions=served_regions,
        municipalities=municipalities,
        sectors=sectors,
        target_groups=target_groups,
        languages=languages,
        by_value={facet: {option.value: option for option in options} for facet, options in facets.items()},
    )


def directory_reference() -> DirectoryReference:
    key = f"{REFERENCE_CACHE_KEY}:{','.join(settings.PORTAL_REGIONS)}"
    reference = cache.get(key)
    if reference is None:
        reference = _load_reference()
        cache.set(key, reference, REFERENCE_CACHE_SECONDS)
    return reference


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


def name_ordering() -> list:
    if connection.vendor == "postgresql":
        # Finnish order: Å, Ä and Ö come after Z (the C collation would put them anywhere).
        return [Collate("name", FINNISH_COLLATION).asc(), "pk"]
    return ["name", "pk"]


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

    @property
    def on_entries(self) -> bool:
        """Whether a search is counted and ordered on the narrow search entries (see
        ``OrganisationSearchEntry``) rather than on the associations themselves. Only PostgreSQL
        has the entries' full-text index; elsewhere (the SQLite demo) text matches on associations."""
        return self.searching and not self.similar and connection.vendor == "postgresql"

    def filtered(
        self, *, excluding: tuple[str, ...] = (), ranked: bool = True, entries: bool | None = None
    ) -> QuerySet:
        """The matching associations, or with ``entries`` (by default, when searching) their
        search entries: the filters name columns that both have."""
        if self.on_entries if entries is None else entries:
            queryset = directory_search_base_queryset()
        else:
            queryset = self.queryset.all()
        for name, value in self.cleaned().items():
            if name in excluding or name == "jarjestys":
                continue
            if name == "q":
                # Facets only need the matching rows, not their rank.
                if value.strip():
                    queryset = search_organisations(queryset, value, ranked=ranked, similar=self.similar)
                continue
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    # Sorting --------------------------------------------------------------------------------

    @property
    def searching(self) -> bool:
        return bool(search_terms(self.cleaned().get("q") or ""))

    @property
    def sort(self) -> str:
        chosen = self.cleaned().get("jarjestys") or ""
        if chosen == Sort.RELEVANCE or not chosen:
            return Sort.RELEVANCE if self.searching else Sort.NAME
        return chosen

    def ordered(self) -> QuerySet:
        """The matches in the chosen order: search entries when a search is sorted by relevance or
        name (the page then comes from ``page_organisations``), otherwise associations."""
        sort = self.sort
        by_entries = self.on_entries and sort in (Sort.RELEVANCE, Sort.NAME)
        queryset = self.filtered(ranked=sort == Sort.RELEVANCE, entries=by_entries)
        if sort == Sort.RELEVANCE:
            return queryset.order_by("-rank", *name_ordering())
        if sort == Sort.NEWEST:
            return queryset.order_by("-created_at", "-id")
        if sort == Sort.UPDATED:
            return queryset.order_by("-updated_at", "-id")
        return queryset.order_by(*name_ordering())

    def page_organisations(self, rows: QuerySet, *, number: int = 1) -> QuerySet[Organisation] | list[Organisation]:
        """The associations of one page of ``ordered()``, with what the listing shows.

        A page of search entries becomes one query: the associations whose ids the (limited)
        entry query picks, in the same order. Which ids those are is cached like the facet
        counts (and dropped with them), since ranking the matches of a common word is the
        costly part of a search. The associations are filtered as the directory is, so an entry
        not yet refreshed after its association was unpublished never shows it.
        """
        if rows.model is Organisation:
            return _listing(rows)
        key = f"{self._cache_key()}:page:{self.sort}:{number}"
        ids = cache.get(key)
        if ids is not None:
            by_id = {organisation.pk: organisation for organisation in _listing(self.queryset.filter(pk__in=ids))}
            return [by_id[pk] for pk in ids if pk in by_id]
        organisations = self.queryset.filter(pk__in=rows.values("organisation_id"))
        if self.sort == Sort.RELEVANCE:
            query = search_query(search_terms(self.cleaned().get("q") or ""))
            organisations = organisations.annotate(rank=SearchRank(F("search_entry__name_vector"), query))
            organisations = organisations.order_by("-rank", *name_ordering())
        else:
            organisations = organisations.order_by(*name_ordering())
        page = list(_listing(organisations))
        cache.set(key, [organisation.pk for organisation in page], FACET_CACHE_SECONDS)
        return page

    # Facets ---------------------------------------------------------------------------------

    def _cache_key(self) -> str:
        state = sorted((name, str(value)) for name, value in self.cleaned().items() if name != "jarjestys" and value)
        digest = hashlib.sha256(repr((state, self.similar, settings.PORTAL_REGIONS)).encode()).hexdigest()[:32]
        return f"organisations:facets:{directory_version()}:{digest}"

    def _facet_tests(self) -> dict[str, tuple[str, object] | None]:
        """Per facet, the chosen values as (column, municipality ids or bit set), None if unused."""
        cleaned = self.cleaned()
        tests: dict[str, tuple[str, object] | None] = {}
        chosen = {option.pk for option in self.reference.lookup("kunta", cleaned.get("kunta") or [])}
        region = cleaned.get("maakunta")
        if chosen or region:
            tests["place"] = (
                "home_municipality_id",
                [
                    option.pk
                    for option in self.reference.municipalities
                    if (not chosen or option.pk in chosen) and (not region or option.parent == region)
                ],
            )
        else:
            tests["place"] = None
        for facet, column in MASK_FACETS.items():
            values = cleaned.get(facet)
            tests[facet] = (column, bit_mask(o.pk for o in self.reference.lookup(facet, values))) if values else None
        return tests

    def _count_facets(self) -> dict[str, dict[int, int]]:
        """Counts of every facet in one pass over the associations that pass all but one filter.

        Each facet counts the associations that pass every filter except its own; the
        municipality facet ignores both place filters (a municipality lies in one region, so the
        same figures give the region counts and, over the chosen places, the total).
        """
        candidates = self.filtered(excluding=self.FACETS, ranked=False).order_by()
        tests = self._facet_tests()
        if connection.vendor == "postgresql":
            return self._count_facets_sql(candidates, tests)
        return self._count_facets_python(candidates, tests)

    @staticmethod
    def _count_facets_python(candidates, tests) -> dict[str, dict[int, int]]:
        def passes(facet, value) -> bool:
            test = tests[facet]
            if test is None:
                return True
            return value in test[1] if facet == "place" else bool(value & test[1])

        counts: dict[str, dict[int, int]] = {"kunta": {}, "toimiala": {}, "kohderyhma": {}, "kieli": {}}
        rows = candidates.values_list("home_municipality_id", *MASK_FACETS.values())
        for municipality, *masks in rows:
            values = dict(zip(["place", *MASK_FACETS], [municipality, *masks], strict=True))
            results = {facet: passes(facet, value) for facet, value in values.items()}
            failed = [facet for facet, ok in results.items() if not ok]
            if len(failed) > 1:
                continue
            if not failed or failed == ["place"]:
                counts["kunta"][municipality] = counts["kunta"].get(municipality, 0) + 1
            for facet in MASK_FACETS:
                if not failed or failed == [facet]:
                    for pk in mask_bits(values[facet]):
                        counts[facet][pk] = counts[facet].get(pk, 0) + 1
        return counts

    @staticmethod
    def _count_facets_sql(candidates, tests) -> dict[str, dict[int, int]]:
        inner, params = candidates.values("home_municipality_id", *MASK_FACETS.values()).query.sql_with_params()
        params = list(params)
        conditions: dict[str, str] = {}
        for facet, test in tests.items():
            if test is None:
                conditions[facet] = "TRUE"
            elif facet == "place":
                conditions[facet] = "(c.home_municipality_id = ANY(%s))"
            else:
                conditions[facet] = f"((c.{test[0]} & %s) <> 0)"
        # Each condition's parameter, in the order the conditions appear in the SQL below.
        order = ["place", *MASK_FACETS]

        def condition_sql(facets) -> tuple[str, list]:
            parts = [conditions[facet] for facet in facets]
            values = [tests[facet][1] for facet in facets if tests[facet] is not None]
            return " AND ".join(parts), values

        select_counts, count_params = [], []
        for facet in order:
            sql, values = condition_sql([other for other in order if other != facet])
            select_counts.append(f"COUNT(*) FILTER (WHERE {sql})")
            count_params += values
        active = [facet for facet in order if tests[facet] is not None]
        where, where_params = "TRUE", []
        if len(active) > 1:
            where = " + ".join(f"{conditions[facet]}::int" for facet in active) + f" >= {len(active) - 1}"
            where_params = [tests[facet][1] for facet in active]
        query = (
            # Only fixed SQL fragments are joined here; every value travels as a parameter.
            f"SELECT c.home_municipality_id, c.sector_mask, c.target_group_mask, c.language_mask, "  # noqa: S608
            f"{', '.join(select_counts)} FROM ({inner}) AS c WHERE {where} "
            "GROUP BY GROUPING SETS ((c.home_municipality_id), (c.sector_mask), (c.target_group_mask), "
            "(c.language_mask))"
        )
        with connection.cursor() as cursor:
            cursor.execute(query, [*count_params, *params, *where_params])
            rows = cursor.fetchall()
        counts: dict[str, dict[int, int]] = {"kunta": {}, "toimiala": {}, "kohderyhma": {}, "kieli": {}}
        for municipality, sectors, groups, languages, by_place, by_sector, by_group, by_language in rows:
            if municipality is not None:
                counts["kunta"][municipality] = by_place
            for facet, mask, number in [
                ("toimiala", sectors, by_sector),
                ("kohderyhma", groups, by_group),
                ("kieli", languages, by_language),
            ]:
                if mask is not None and number:
                    for pk in mask_bits(mask):
                        counts[facet][pk] = counts[facet].get(pk, 0) + number
        return counts

    def facet_counts(self) -> dict[str, dict[int, int]]:
        if hasattr(self, "_facet_counts"):
            return self._facet_counts
        counts = self._cached_facet_counts()
        if self.searching and self._total(counts) == 0:
            self.similar = True
            counts = self._cached_facet_counts()
        self._facet_counts = counts
        return counts

    def _cached_facet_counts(self) -> dict[str, dict[int, int]]:
        key = self._cache_key()
        counts = cache.get(key)
        if counts is None:
            counts = self._count_facets()
            cache.set(key, counts, FACET_CACHE_SECONDS)
        return counts

    def total(self) -> int:
        """Number of matching associations, from the municipality counts (no COUNT query)."""
        return self._total(self.facet_counts())

    def _total(self, counts) -> int:
        cleaned = self.cleaned()
        by_municipality = counts["kunta"]
        chosen = {o.pk for o in self.reference.lookup("kunta", cleaned.get("kunta") or [])}
        region = cleaned.get("maakunta")
        total = 0
        for option in self.reference.municipalities:
            if chosen and option.pk not in chosen:
                continue
            if region and option.parent != region:
                continue
            total += by_municipality.get(option.pk, 0)
        return total

    def facet_groups(self) -> list[dict]:
        """The filter options with their counts and checked state, ready for the template."""
        cleaned = self.cleaned()
        counts = self.facet_counts()
        by_municipality = counts["kunta"]
        region = cleaned.get("maakunta") or ""
        region_counts: dict[str, int] = {}
        for option in self.reference.municipalities:
            region_counts[option.parent] = region_counts.get(option.parent, 0) + by_municipality.get(option.pk, 0)

        def group(facet, legend, options, facet_counts, *, multiple=True):
            selected = cleaned.get(facet) or ([] if multiple else "")
            selected = set(selected) if multiple else {selected}
            return {
                "name": facet,
                "legend": legend,
                "multiple": multiple,
                "options": [
                    {
                        "value": option.value,
                        "label": option.name,
                        "count": facet_counts(option),
                        "checked": option.value in selected,
                    }
                    for option in options
                ],
            }

        municipalities = [o for o in self.reference.municipalities if not region or o.parent == region]
        return [
            group(
                "maakunta",
                _("Region"),
                self.reference.regions,
                lambda o: region_counts.get(o.value, 0),
                multiple=False,
            ),
            group("kunta", _("Home municipality"), municipalities, lambda o: by_municipality.get(o.pk, 0)),
            group("toimiala", _("Sector"), self.reference.sectors, lambda o: counts["toimiala"].get(o.pk, 0)),
            group(
                "kohderyhma",
                _("Target group"),
                self.reference.target_groups,
                lambda o: counts["kohderyhma"].get(o.pk, 0),
            ),
            group("kieli", _("Language of activity"), self.reference.languages, lambda o: counts["kieli"].get(o.pk, 0)),
        ]

    def facet_fieldsets_html(self) -> str:
        """The filter options as checkbox and radio fieldsets.

        Built here rather than in a template: some ninety options with counts cost the template
        engine more than all the directory's queries together.
        """
        html = []
        all_label = escape(gettext("All"))
        for group in self.facet_groups():
            name = group["name"]
            html.append(f"<fieldset><legend>{escape(group['legend'])}</legend><ul>")
            kind = "checkbox" if group["multiple"] else "radio"
            if not group["multiple"]:
                checked = "" if any(option["checked"] for option in group["options"]) else " checked"
                html.append(
                    f'<li><input type="radio" name="{name}" value="" id="{name}-all"{checked}> '
                    f'<label for="{name}-all">{all_label}</label></li>'
                )
            for option in group["options"]:
                value = escape(option["value"])
                checked = " checked" if option["checked"] else ""
                html.append(
                    f'<li><input type="{kind}" name="{name}" value="{value}" id="{name}-{value}"{checked}> '
                    f'<label for="{name}-{value}">{escape(option["label"])} '
                    f'<span class="count">({option["count"]})</span></label></li>'
                )
            html.append("</ul></fieldset>")
        return mark_safe("".join(html))  # noqa: S308 - every value above is escaped

    def invalid_messages(self) -> list[str]:
        messages = []
        for errors in self.errors.values():
            messages.extend(str(error) for error in errors)
        return messages


def _listing(organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """What a directory page shows of each association (not the long texts)."""
    return (
        organisations.defer("description", "search_document")
        .select_related("home_municipality")
        .prefetch_related("sectors")
    )


def directory_base_queryset() -> QuerySet[Organisation]:
    """Published associations based in the served regions (ids from the cached reference: no join)."""
    municipality_ids = [option.pk for option in directory_reference().municipalities]
    return Organisation.objects.published().filter(home_municipality_id__in=municipality_ids)


def directory_search_base_queryset() -> QuerySet[OrganisationSearchEntry]:
    """The search entries of the same associations."""
    municipality_ids = [option.pk for option in directory_reference().municipalities]
    return OrganisationSearchEntry.objects.filter(
        status=Organisation.Status.PUBLISHED, home_municipality_id__in=municipality_ids
    )


def directory_total() -> int:
    """The number of associations in the directory, from its cached facet counts."""
    return OrganisationFilter(QueryDict(), queryset=directory_base_queryset()).total()


SAMPLE_SQL = """
SELECT s.sector_id, o.id
FROM unnest(%s::bigint[]) AS s(sector_id)
CROSS JOIN LATERAL (
    SELECT id FROM organisations_organisation
    WHERE status = 'published' AND home_municipality_id = %s
      AND (sector_mask & (1::bigint << s.sector_id::int)) <> 0
    ORDER BY name COLLATE "fi-FI-x-icu", id
    LIMIT %s
) AS o
"""


def municipality_sector_samples(municipality: Municipality, sectors, *, size: int) -> dict[int, list[Organisation]]:
    """The first ``size`` published associations (A-Ö) of each sector in a municipality.

    On PostgreSQL one query walks the municipality's name index per sector (a few dozen index
    entries for a common sector), rather than sorting all of Kuopio's thousands of associations.
    """
    samples: dict[int, list[Organisation]] = {option.pk: [] for option in sectors}
    fields = ("name", "name_sv", "slug", "sector_mask")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(SAMPLE_SQL, [list(samples), municipality.pk, size])
            pairs = cursor.fetchall()
        organisations = Organisation.objects.only(*fields).in_bulk([pk for _, pk in pairs])
        for sector_id, pk in pairs:
            samples[sector_id].append(organisations[pk])
        return samples
    return municipality_sector_samples_python(municipality, samples, size=size)


def municipality_sector_samples_python(municipality, samples: dict[int, list], *, size: int) -> dict[int, list]:
    """The same for other databases (the demo's SQLite), reading the municipality's associations once."""
    published = Organisation.objects.published().filter(home_municipality=municipality)
    for organisation in published.only("name", "name_sv", "slug", "sector_mask").order_by(*name_ordering()):
        for pk in mask_bits(organisation.sector_mask):
            if pk in samples and len(samples[pk]) < size:
                samples[pk].append(organisation)
    return samples
