"""What a directory view has chosen, in words: removable filter chips, the municipal contact's
export scope and the filters of a past export.

Everything here reads the cached reference snapshot and the directory's facet counts, which the
page has computed already: none of it costs a query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..filters import Sort
from .directory import Directory
from .reference import directory_reference

FACET_LABELS = {
    "maakunta": _("Region"),
    "kunta": _("Home municipality"),
    "toimiala": _("Sector"),
    "kohderyhma": _("Target group"),
    "kieli": _("Language of activity"),
}


@dataclass(frozen=True)
class Chip:
    """One chosen filter value and the address of the same list without it."""

    facet: str
    value: str
    label: str
    remove_url: str


def _without(query: QueryDict, key: str, value: str) -> str:
    remaining = query.copy()
    remaining.setlist(key, [kept for kept in query.getlist(key) if kept != value])
    # Another filter makes another list: its page numbers start over.
    remaining.pop("page", None)
    # Empty values (the "All" radio button, an empty search) only lengthen the address.
    cleaned = QueryDict(mutable=True)
    for name, values in remaining.lists():
        kept = [kept for kept in values if kept.strip()]
        if kept:
            cleaned.setlist(name, kept)
    encoded = cleaned.urlencode()
    return f"?{encoded}" if encoded else "?"


def chosen_filter_chips(directory: Directory, query: QueryDict, *, path: str) -> list[Chip]:
    """The search words and each chosen (valid) filter value, with a link that removes just it."""
    cleaned = directory.cleaned()
    chips: list[Chip] = []
    words = (cleaned.get("q") or "").strip()
    if words:
        chips.append(Chip("q", words, f"“{words}”", path + _without(query, "q", query.get("q", ""))))
    for facet in Directory.FACETS:
        value = cleaned.get(facet)
        if not value:
            continue
        values = [value] if isinstance(value, str) else value
        for option in directory.reference.lookup(facet, values):
            chips.append(Chip(facet, option.value, option.name, path + _without(query, facet, option.value)))
    return chips


@dataclass(frozen=True)
class ExportScope:
    """What the export links of the directory page will write, told before the click."""

    count: int
    municipality_names: list[str]
    # Names of chosen municipalities the account may not export: the export would be refused.
    outside: list[str]


def export_scope(directory: Directory, scope_codes: Iterable[str]) -> ExportScope:
    """The associations the export of this filter holds: the page's own matches (facet counts by
    home municipality, already computed for the page) within the account's municipalities."""
    cleaned = directory.cleaned()
    scope = set(scope_codes)
    chosen = set(cleaned.get("kunta") or [])
    region = cleaned.get("maakunta") or ""
    by_municipality = directory.facet_counts()["kunta"]
    count = 0
    names = []
    for option in directory.reference.municipalities:
        if option.value not in scope or (chosen and option.value not in chosen):
            continue
        if region and option.parent != region:
            continue
        count += by_municipality.get(option.pk, 0)
        names.append(option.name)
    outside = [option.name for option in directory.reference.lookup("kunta", sorted(chosen - scope))]
    return ExportScope(count=count, municipality_names=names, outside=outside)


def describe_export_filters(filters: dict[str, list[str]]) -> list[tuple[str, str]]:
    """An export log's stored filter parameters as (what, which) in the current language: names
    of municipalities, sectors and target groups instead of their codes. An unknown code (the
    reference data changed since) is shown as it was stored."""
    if not filters:
        return []
    reference = directory_reference()
    sorts = dict(Sort.choices)
    described = []
    for key, values in filters.items():
        if key == "q":
            described.append((gettext("Search words"), ", ".join(f"“{value}”" for value in values)))
        elif key == "jarjestys":
            described.append((gettext("Sort by"), ", ".join(str(sorts.get(value, value)) for value in values)))
        elif key in FACET_LABELS:
            options = reference.by_value[key]
            names = [options[value].name if value in options else value for value in values]
            described.append((str(FACET_LABELS[key]), ", ".join(names)))
        else:
            described.append((key, ", ".join(values)))
    return described
