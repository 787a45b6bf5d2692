"""The directory's reads: the matches of a filter, their order and page, facet counts and total.

Sectors, target groups and languages are filtered and counted through bit sets on the association
(kept by ``organisations.search.refresh_search_index``). All facet counts come from one query
(GROUPING SETS over a covering index, each facet counting what passes every filter but its own),
and the total from them, so a page costs three queries. The counts are cached for a few minutes
and dropped whenever the search index is refreshed.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.contrib.postgres.search import SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import Collate
from django.http import QueryDict
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from ..filters import OrganisationFilter, Sort
from ..models import DirectoryCell, Organisation, OrganisationSearchEntry, TrackedSearchCell, TrackedSearchMatch
from ..search import bit_mask, directory_version, mask_bits, search_organisations, search_query, search_terms
from ..search.cells import cells_kept
from ..search.tracked import track_search, tracked_search_id
from .reference import directory_reference

FINNISH_COLLATION = "fi-FI-x-icu"
MASK_FACETS = {"toimiala": "sector_mask", "kohderyhma": "target_group_mask", "kieli": "language_mask"}
CELL_COLUMNS = ("home_municipality_id", *MASK_FACETS.values())
FACET_CACHE_SECONDS = 300


def name_ordering(tie_breaker: str = "pk") -> list:
    if connection.vendor == "postgresql":
        # Finnish order: Å, Ä and Ö come after Z (the C collation would put them anywhere).
        return [Collate("name", FINNISH_COLLATION).asc(), tie_breaker]
    return ["name", tie_breaker]


class Directory:
    """The directory for one set of GET parameters, read through its FilterSet.

    ``OrganisationFilter`` declares and applies the filters; this class counts, orders, pages and
    caches what they select. Searches fall back to names resembling the words (``similar``) when
    the words themselves find nothing.
    """

    FACETS = OrganisationFilter.FACETS

    def __init__(self, data=None, *, queryset: QuerySet[Organisation] | None = None) -> None:
        if queryset is None:
            queryset = directory_base_queryset()
        self.filterset = OrganisationFilter(data, queryset=queryset)
        self.reference = self.filterset.reference
        self.queryset = self.filterset.queryset
        self.filters = self.filterset.filters

    @property
    def similar(self) -> bool:
        return self.filterset.similar

    @similar.setter
    def similar(self, value: bool) -> None:
        self.filterset.similar = value

    @property
    def errors(self):
        return self.filterset.errors

    def is_valid(self) -> bool:
        return self.filterset.is_valid()

    def cleaned(self) -> dict:
        return self.filterset.cleaned()

    # Matching -------------------------------------------------------------------------------

    @property
    def on_entries(self) -> bool:
        """Whether a search is counted and ordered on the narrow search entries (see
        ``OrganisationSearchEntry``) rather than on the associations themselves. Only PostgreSQL
        has the entries' full-text index; elsewhere (the SQLite demo) text matches on associations."""
        return self.searching and not self.similar and connection.vendor == "postgresql"

    @property
    def tracked_search(self) -> int | None:
        """The tracked search (``organisations.search.tracked``) whose kept matches stand in for
        the search entries, if the words are a tracked search."""
        if not self.on_entries:
            return None
        if not hasattr(self, "_tracked_search"):
            self._tracked_search = tracked_search_id(self._search_query())
        return self._tracked_search

    def _search_query(self):
        return search_query(search_terms(self.cleaned().get("q") or ""))

    def filtered(
        self, *, excluding: tuple[str, ...] = (), ranked: bool = True, entries: bool | None = None
    ) -> QuerySet:
        """The matching associations, or with ``entries`` (by default, when searching) their
        search entries: the filters name columns that both have."""
        tracked = None
        if self.on_entries if entries is None else entries:
            tracked = self.tracked_search
            queryset = directory_search_base_queryset(tracked)
        else:
            queryset = self.queryset.all()
        for name, value in self.cleaned().items():
            if name in excluding or name == "jarjestys":
                continue
            if name == "q":
                if tracked:
                    continue  # the kept matches are the search's (ranked already)
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
        # Entries and associations are keyed by the association; a tracked search's matches are not.
        tie_breaker = "organisation_id" if queryset.model is TrackedSearchMatch else "pk"
        if sort == Sort.RELEVANCE:
            return queryset.order_by("-rank", *name_ordering(tie_breaker))
        if sort == Sort.NEWEST:
            return queryset.order_by("-created_at", "-id")
        if sort == Sort.UPDATED:
            return queryset.order_by("-updated_at", "-id")
        return queryset.order_by(*name_ordering(tie_breaker))

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
            organisations = organisations.annotate(
                rank=SearchRank(F("search_entry__name_vector"), self._search_query())
            )
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
        tests = self._facet_tests()
        if not cells_kept():
            return self._count_facets_python(self.filtered(excluding=self.FACETS, ranked=False).order_by(), tests)
        if self.tracked_search:
            return self._count_facets_sql(
                directory_cells(self.tracked_search).values(*CELL_COLUMNS, "organisations"), tests
            )
        if self.searching:
            candidates = self.filtered(excluding=self.FACETS, ranked=False).order_by()
            # Grouped into cells first: hashing every match once beats hashing it for four facets.
            counts = self._count_facets_sql(candidates.values(*CELL_COLUMNS).annotate(organisations=Count("*")), tests)
            if (
                self.on_entries
                and not self.tracked_search
                and self._total(counts) >= settings.TRACKED_SEARCH_MIN_MATCHES
            ):
                # Common enough to keep its matches: the next count after an edit reads those.
                self._tracked_search = track_search(self._search_query())
            return counts
        # Without words every served association is a candidate: their cells say as much.
        return self._count_facets_sql(directory_cells().values(*CELL_COLUMNS, "organisations"), tests)

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
    def _count_facets_sql(candidates: QuerySet, tests) -> dict[str, dict[int, int]]:
        """``candidates`` are cells: the facet columns and the number of associations in each."""
        inner, params = candidates.query.sql_with_params()
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
            # bigint: a sum of counts (bigint) would come back as numeric, a Decimal.
            select_counts.append(f"(SUM(c.organisations) FILTER (WHERE {sql}))::bigint")
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
            if municipality is not None and by_place:
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

    def facet_fieldsets_html(self) -> SafeString:
        """The filter options as checkbox and radio fieldsets.

        Built with ``format_html`` rather than a template: some ninety options with counts cost
        the template engine more than all the directory's queries together. Cached with the
        counts it shows (same filters, same directory version) per language: with every region
        served it is over three hundred municipalities.
        """
        key = f"{self._cache_key()}:fieldsets:{get_language()}"
        html = cache.get(key)
        if html is None:
            html = self._facet_fieldsets_html()
            cache.set(key, str(html), FACET_CACHE_SECONDS)
        return mark_safe(html)  # noqa: S308  (built with format_html above, escaped there)

    def _facet_fieldsets_html(self) -> SafeString:
        fieldsets = []
        for group in self.facet_groups():
            name = group["name"]
            kind = "checkbox" if group["multiple"] else "radio"
            everything = ""
            if not group["multiple"]:
                checked = "" if any(option["checked"] for option in group["options"]) else " checked"
                everything = format_html(
                    '<li><input type="radio" name="{name}" value="" id="{name}-all"{checked}> '
                    '<label for="{name}-all">{label}</label></li>',
                    name=name,
                    checked=checked,
                    label=gettext("All"),
                )
            options = group["options"]
            pieces = _option_html_pieces(kind, name, tuple((option["value"], option["label"]) for option in options))
            items = "".join(
                f"{opening}{' checked' if option['checked'] else ''}{middle}{option['count']:d}{closing}"
                for (opening, middle, closing), option in zip(pieces, options, strict=True)
            )
            fieldsets.append((group["legend"], everything, mark_safe(items)))  # noqa: S308  (escaped pieces)
        return format_html_join("", "<fieldset><legend>{}</legend><ul>{}{}</ul></fieldset>", fieldsets)

    def invalid_messages(self) -> list[str]:
        messages = []
        for errors in self.errors.values():
            messages.extend(str(error) for error in errors)
        return messages


@functools.lru_cache(maxsize=256)
def _option_html_pieces(kind: str, name: str, options: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, str], ...]:
    """Each option's checkbox or radio as escaped HTML around its checked state and its count, the
    only parts that change from one filter to the next: escaping every value and label of some
    hundred options (three hundred municipalities with every region) again for each new filter
    cost more than counting the facets."""
    name = escape(name)
    pieces = []
    for value, label in options:
        element_id = f"{name}-{escape(value)}"
        pieces.append(
            (
                f'<li><input type="{kind}" name="{name}" value="{escape(value)}" id="{element_id}"',
                f'> <label for="{element_id}">{escape(label)} <span class="count">(',
                ")</span></label></li>",
            )
        )
    return tuple(pieces)


def _listing(organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """What a directory page shows of each association (not the long texts)."""
    return (
        organisations.defer("description", "search_document")
        .select_related("home_municipality")
        .prefetch_related("sectors")
    )


def served_municipality_ids() -> list[int]:
    """The served regions' municipalities (from the cached reference: no query, no join)."""
    return [option.pk for option in directory_reference().municipalities]


def directory_base_queryset() -> QuerySet[Organisation]:
    """Published associations based in the served regions."""
    return Organisation.objects.published().filter(home_municipality_id__in=served_municipality_ids())


def directory_cells(tracked_search: int | None = None) -> QuerySet:
    """The cells of the associations of ``directory_base_queryset``, or of a tracked search's
    matches among them (PostgreSQL only)."""
    cells = TrackedSearchCell.objects.filter(search_id=tracked_search) if tracked_search else DirectoryCell.objects
    return cells.filter(home_municipality_id__in=served_municipality_ids(), organisations__gt=0)


def directory_search_base_queryset(tracked_search: int | None = None) -> QuerySet:
    """The search entries of the same associations, or a tracked search's kept matches among them
    (those are all published)."""
    municipality_ids = served_municipality_ids()
    if tracked_search:
        return TrackedSearchMatch.objects.filter(search_id=tracked_search, home_municipality_id__in=municipality_ids)
    return OrganisationSearchEntry.objects.filter(
        status=Organisation.Status.PUBLISHED, home_municipality_id__in=municipality_ids
    )


def directory_total() -> int:
    """The number of associations in the directory.

    From the unfiltered directory's cached facet counts when a page has computed them; otherwise
    summed from the cells (on SQLite one COUNT), cached under the same version.
    """
    directory = Directory(QueryDict())
    counts = cache.get(directory._cache_key())
    if counts is not None:
        return directory._total(counts)
    key = f"organisations:total:{directory_version()}:{','.join(settings.PORTAL_REGIONS)}"

    def count() -> int:
        if cells_kept():
            return directory_cells().aggregate(total=Sum("organisations"))["total"] or 0
        return directory_base_queryset().count()

    return cache.get_or_set(key, count, FACET_CACHE_SECONDS)


def municipality_sector_counts(municipality_id: int) -> tuple[dict[int, int], int]:
    """Published associations based in one municipality per sector, from their sector bit sets,
    and their total: that municipality's cells (on SQLite its associations), not the directory's
    facets over every served one."""
    if cells_kept():
        rows = (
            DirectoryCell.objects.filter(home_municipality_id=municipality_id, organisations__gt=0)
            .values_list("sector_mask")
            .annotate(number=Sum("organisations"))
        )
    else:
        rows = (
            Organisation.objects.published()
            .filter(home_municipality_id=municipality_id)
            .order_by()
            .values_list("sector_mask")
            .annotate(number=Count("id"))
        )
    counts: dict[int, int] = {}
    total = 0
    for mask, number in rows:
        total += number
        for pk in mask_bits(mask):
            counts[pk] = counts.get(pk, 0) + number
    return counts, total
