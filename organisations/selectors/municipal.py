"""Reads for municipal pages and municipal contacts: sector samples of a municipality, recent changes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from portal.versions import bump_version, current_version

from ..models import Municipality, Organisation
from ..models.directory import ListedName
from ..search import mask_bits
from .directory import name_ordering

CONTACTS_VERSION_KEY = "organisations:municipal-contacts-version"


def bump_contacts_version() -> None:
    """Tell cached municipality pages that the public municipal contacts changed (after the commit)."""
    bump_version(CONTACTS_VERSION_KEY)


def contacts_version() -> int:
    """Moved by every municipal contact saved or deleted in the admin (their only editor)."""
    return current_version(CONTACTS_VERSION_KEY)


SAMPLE_SQL = """
SELECT s.sector_id, o.name, o.name_sv, o.slug
FROM unnest(%s::bigint[]) AS s(sector_id)
CROSS JOIN LATERAL (
    SELECT id, name, name_sv, slug FROM organisations_organisation
    WHERE status = 'published' AND home_municipality_id = %s
      AND (sector_mask & (1::bigint << s.sector_id::int)) <> 0
    ORDER BY name COLLATE "fi-FI-x-icu", id
    LIMIT %s
) AS o
"""


@dataclass(frozen=True, slots=True)
class SampleListing(ListedName):
    """What a municipality page shows of an association: its name and the link to its listing."""

    name: str
    name_sv: str
    slug: str


def municipality_sector_samples(
    municipality: Municipality, sectors, *, size: int
) -> dict[int, list[SampleListing | Organisation]]:
    """The first ``size`` published associations (A-Ö) of each sector in a municipality.

    On PostgreSQL one query walks the municipality's name index per sector (a few dozen index
    entries for a common sector), rather than sorting all of Kuopio's thousands of associations,
    and gives the names and addresses the page shows: a hundred light rows, not model instances.
    """
    samples: dict[int, list[SampleListing | Organisation]] = {option.pk: [] for option in sectors}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(SAMPLE_SQL, [list(samples), municipality.pk, size])
            for sector_id, name, name_sv, slug in cursor.fetchall():
                samples[sector_id].append(SampleListing(name, name_sv, slug))
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


def changes_since(*, municipality_ids: Iterable[int], since) -> dict[str, QuerySet[Organisation]]:
    """What happened to the associations based in these municipalities after ``since``."""
    base = Organisation.objects.filter(home_municipality__in=list(municipality_ids)).select_related("home_municipality")
    return {
        "new": base.published().filter(created_at__gt=since).order_by("-created_at"),
        "updated": base.published().filter(created_at__lte=since, updated_at__gt=since).order_by("-updated_at"),
        "archived": base.filter(status=Organisation.Status.ARCHIVED, updated_at__gt=since).order_by("-updated_at"),
    }
