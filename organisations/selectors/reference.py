"""A cached snapshot of the directory's reference data: the filter choices and facet options.

Reference data (regions, municipalities, sectors, target groups, languages) changes a few times a
year, so the filter choices come from a snapshot kept per version of the reference data instead of
five queries per page.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from portal.versions import bump_version, current_version

from ..models import Language, Municipality, Region, Sector, TargetGroup
from ..models.reference import LocalisedName

REFERENCE_CACHE_KEY = "organisations:directory-reference:v3"
REFERENCE_CACHE_SECONDS = 3600
REFERENCE_VERSION_KEY = "organisations:reference-version"
# The snapshot of the current version, by cache key (see directory_reference).
_in_process: dict[str, DirectoryReference] = {}


@dataclass(frozen=True)
class Option(LocalisedName):
    pk: int
    value: str
    name_fi: str
    name_sv: str = ""
    name_en: str = ""
    parent: str = ""
    # A municipality's address (its page); the value is its code.
    slug: str = ""


@dataclass(frozen=True)
class DirectoryReference:
    regions: tuple[Option, ...]
    municipalities: tuple[Option, ...]
    sectors: tuple[Option, ...]
    target_groups: tuple[Option, ...]
    languages: tuple[Option, ...]
    by_value: dict[str, dict[str, Option]] = field(default_factory=dict)
    # The cache key it is kept under (with the reference version): names this snapshot's content.
    key: str = ""

    def lookup(self, facet: str, values) -> list[Option]:
        options = self.by_value[facet]
        return [options[value] for value in values if value in options]

    def in_bit_set(self, options: tuple[Option, ...], mask: int) -> list[Option]:
        """The sectors, target groups or languages whose bits are set in an association's bit set."""
        return [option for option in options if mask >> option.pk & 1]


def _load_reference() -> DirectoryReference:
    served_regions = tuple(
        Option(region.pk, region.slug, region.name_fi, region.name_sv) for region in Region.objects.served()
    )
    municipalities = tuple(
        Option(m.pk, m.code, m.name_fi, m.name_sv, parent=m.region.slug, slug=m.slug)
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
    """The snapshot: kept in this process under the reference data's version, so a page does not
    unpickle it from the cache (some 5 ms with every region's three hundred municipalities), and
    in the cache for the other processes. A saved or deleted region, municipality, sector, target
    group or language moves the version (``bump_reference_version``)."""
    key = f"{REFERENCE_CACHE_KEY}:{current_version(REFERENCE_VERSION_KEY)}:{','.join(settings.PORTAL_REGIONS)}"
    reference = _in_process.get(key)
    if reference is None:
        reference = _cached_reference(key)
        # Only the current version is ever asked for again.
        _in_process.clear()
        _in_process[key] = reference
    return reference


def bump_reference_version() -> None:
    bump_version(REFERENCE_VERSION_KEY)


def _reference_changed(**kwargs) -> None:
    transaction.on_commit(bump_reference_version)


def watch_reference_changes() -> None:
    """Move the reference version after every commit that saves or deletes reference data, however
    it is saved (the admin, the shell, an import of municipalities)."""
    for model in (Region, Municipality, Sector, TargetGroup, Language):
        post_save.connect(_reference_changed, sender=model, dispatch_uid=f"reference-changed-save-{model.__name__}")
        post_delete.connect(_reference_changed, sender=model, dispatch_uid=f"reference-changed-delete-{model.__name__}")


def _cached_reference(key: str) -> DirectoryReference:
    reference = cache.get(key)
    if reference is None:
        reference = replace(_load_reference(), key=key)
        cache.set(key, reference, REFERENCE_CACHE_SECONDS)
    return reference
