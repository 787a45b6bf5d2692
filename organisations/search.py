"""The search index of the directory.

Each association carries a ``search_document``: the text residents may search for (names in both
languages, municipality, sectors, description). On PostgreSQL ``search_vector`` holds that text
parsed with the Finnish configuration; other databases fall back to substring matching.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection

from .models import Organisation


def build_search_document(organisation: Organisation) -> str:
    return _document(
        organisation.name,
        organisation.name_sv,
        organisation.home_municipality.name_fi,
        [sector.name_fi for sector in organisation.sectors.all()],
        [group.name_fi for group in organisation.target_groups.all()],
        organisation.description,
    )


def _document(
    name: str, name_sv: str, municipality: str, sectors: list[str], target_groups: list[str], description: str
) -> str:
    parts = [name, name_sv, municipality, " ".join(sectors), " ".join(target_groups), description]
    return " ".join(part for part in parts if part)


BATCH_SIZE = 2000


def refresh_search_index(organisation_ids: Iterable[int]) -> None:
    """Rebuild the search document (and vector on PostgreSQL) of the given associations.

    Works in batches of plain rows (no model instances) with one UPDATE per batch, so bulk loads
    (the demo data, imports) of a hundred thousand associations take seconds, not minutes.
    """
    ids = list(organisation_ids)
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        sectors = _names_by_organisation(Organisation.sectors.through, "sector", batch)
        groups = _names_by_organisation(Organisation.target_groups.through, "targetgroup", batch)
        rows = Organisation.objects.filter(pk__in=batch).values_list(
            "pk", "name", "name_sv", "home_municipality__name_fi", "description"
        )
        documents = [
            (pk, _document(name, name_sv, municipality, sectors.get(pk, []), groups.get(pk, []), description))
            for pk, name, name_sv, municipality, description in rows
        ]
        if not documents:
            continue
        if connection.vendor == "postgresql":
            _update_postgresql(documents)
        else:
            Organisation.objects.bulk_update(
                [Organisation(pk=pk, search_document=document) for pk, document in documents],
                ["search_document"],
            )


def _names_by_organisation(through, related: str, ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    rows = (
        through.objects.filter(organisation_id__in=ids)
        .order_by(f"{related}__position", f"{related}__name_fi")
        .values_list("organisation_id", f"{related}__name_fi")
    )
    for organisation_id, name in rows:
        names[organisation_id].append(name)
    return names


def _update_postgresql(documents: list[tuple[int, str]]) -> None:
    table = connection.ops.quote_name(Organisation._meta.db_table)
    values = ", ".join(["(%s, %s)"] * len(documents))
    params = [value for row in documents for value in row]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS o SET search_document = d.document::text, "  # noqa: S608 - only placeholders are interpolated
            f"search_vector = to_tsvector('finnish', d.document::text) "
            f"FROM (VALUES {values}) AS d(id, document) WHERE o.id = d.id::bigint",
            params,
        )
