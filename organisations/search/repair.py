"""Self-healing for the search index: find entries out of step with their associations and rebuild them.

The services refresh the index on every write, but the admin, the shell, a data migration or a
``queryset.update()`` bypass them. ``search_index_repair`` recomputes what each association's
index rows should hold (the same computation as ``refresh_search_index``), compares it with what
is stored and rebuilds only the associations that differ; a nightly task and
``manage.py repair_search_index`` run it, count the directory's cells again should they disagree
with the associations, copy again the matches of a tracked search that disagree with the entries
and drop the tracked searches nobody has made for weeks.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from ..exports.names import RELATED_NAME_FIELDS, related_names_rows
from ..models import Municipality, Organisation, OrganisationRelatedNames, OrganisationSearchEntry, Sector, TargetGroup
from . import fts
from .cells import differing_cells, rebuild_cells
from .index import BATCH_SIZE, bit_mask, bump_directory_version, refresh_search_index, search_document
from .tracked import tracked_searches_repair

ENTRY_FIELDS = [
    "status",
    "home_municipality_id",
    "name",
    "sector_mask",
    "target_group_mask",
    "language_mask",
    "document",
]
OWN_FIELDS = ["search_document", "sector_mask", "target_group_mask", "language_mask"]


def _expected(batch: list[int], reference: dict) -> dict[int, tuple[dict, dict]]:
    """Per association: what its search entry and its own index columns should hold."""
    related: list[dict[int, list[int]]] = []
    for through, column in (
        (Organisation.sectors.through, "sector_id"),
        (Organisation.target_groups.through, "targetgroup_id"),
        (Organisation.languages.through, "language_id"),
    ):
        by_organisation: dict[int, list[int]] = defaultdict(list)
        rows = through.objects.filter(organisation_id__in=batch).order_by(column)
        for organisation_id, pk in rows.values_list("organisation_id", column):
            by_organisation[organisation_id].append(pk)
        related.append(by_organisation)
    sectors, groups, languages = related
    expected = {}
    rows = Organisation.objects.filter(pk__in=batch).values_list(
        "pk", "name", "name_sv", "home_municipality_id", "description", "status"
    )
    for pk, name, name_sv, municipality_id, description, status in rows:
        document = search_document(
            name=name,
            name_sv=name_sv,
            municipality=reference["municipalities"].get(municipality_id, []),
            sectors=[n for sector in sectors[pk] for n in reference["sectors"].get(sector, [])],
            target_groups=[reference["groups"].get(group, "") for group in groups[pk]],
            description=description,
        )
        masks = {
            "sector_mask": bit_mask(sectors[pk]),
            "target_group_mask": bit_mask(groups[pk]),
            "language_mask": bit_mask(languages[pk]),
        }
        entry = {"status": status, "home_municipality_id": municipality_id, "name": name, "document": document}
        expected[pk] = ({**entry, **masks}, {"search_document": document, **masks})
    return expected


def _stale(batch: list[int], reference: dict) -> list[int]:
    expected = _expected(batch, reference)
    entries = {
        row["organisation_id"]: row
        for row in OrganisationSearchEntry.objects.filter(organisation_id__in=batch).values(
            "organisation_id", *ENTRY_FIELDS
        )
    }
    own = {row["pk"]: row for row in Organisation.objects.filter(pk__in=batch).values("pk", *OWN_FIELDS)}
    names = {
        row["organisation_id"]: row
        for row in OrganisationRelatedNames.objects.filter(organisation_id__in=batch).values(
            "organisation_id", *RELATED_NAME_FIELDS
        )
    }
    wanted_names = related_names_rows(batch)
    # On SQLite the FTS5 row is searched, not the entry's document: it must match it too.
    texts = fts.stored(batch) if fts.enabled() else None
    stale = []
    for pk, (entry, columns) in expected.items():
        stored = entries.get(pk)
        stored_names = names.get(pk)
        if (
            stored is None
            or any(stored[field] != value for field, value in entry.items())
            or any(own[pk][field] != value for field, value in columns.items())
            or stored_names is None
            or any(stored_names[field] != getattr(wanted_names[pk], field) for field in RELATED_NAME_FIELDS)
            or (texts is not None and texts.get(pk) != fts.row(entry["document"]))
        ):
            stale.append(pk)
    return stale


def search_index_repair() -> int:
    """Rebuild the index rows of every association whose rows are missing or stale; return how many."""
    reference = {
        "municipalities": {pk: [fi, sv] for pk, fi, sv in Municipality.objects.values_list("pk", "name_fi", "name_sv")},
        "sectors": {pk: [fi, sv] for pk, fi, sv in Sector.objects.values_list("pk", "name_fi", "name_sv")},
        "groups": dict(TargetGroup.objects.values_list("pk", "name_fi")),
    }
    ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    repaired = 0
    for start in range(0, len(ids), BATCH_SIZE):
        stale = _stale(ids[start : start + BATCH_SIZE], reference)
        if stale:
            with transaction.atomic():
                refresh_search_index(stale)
            repaired += len(stale)
    if fts.enabled():
        # Their words would linger in the vocabulary that similar names are picked from.
        fts.delete_orphans()
    return repaired + directory_cells_repair() + tracked_searches_repair()


def directory_cells_repair() -> int:
    """Count the directory's cells again if any disagrees with the associations (only a restore
    or a session that disabled the triggers gets them there); return how many disagreed."""
    differing = differing_cells()
    if differing:
        rebuild_cells()
        transaction.on_commit(bump_directory_version)
    return differing
