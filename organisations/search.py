"""The search index of the directory.

Each association carries a ``search_document``: the text residents may search for (names in both
languages, municipality, sectors, description). On PostgreSQL ``search_vector`` holds that text
parsed with the Finnish configuration; other databases fall back to substring matching.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from .models import Organisation


def build_search_document(organisation: Organisation) -> str:
    parts = [
        organisation.name,
        organisation.name_sv,
        organisation.home_municipality.name_fi,
        " ".join(sector.name_fi for sector in organisation.sectors.all()),
        " ".join(group.name_fi for group in organisation.target_groups.all()),
        organisation.description,
    ]
    return " ".join(part for part in parts if part)


BATCH_SIZE = 1000


def refresh_search_index(organisation_ids: Iterable[int]) -> None:
    """Rebuild the search document (and vector on PostgreSQL) of the given associations.

    Works in batches with one UPDATE per batch, so bulk loads (the demo data, imports) stay fast.
    """
    ids = list(organisation_ids)
    for start in range(0, len(ids), BATCH_SIZE):
        batch = (
            Organisation.objects.filter(pk__in=ids[start : start + BATCH_SIZE])
            .select_related("home_municipality")
            .prefetch_related("sectors", "target_groups")
        )
        documents = [(organisation.pk, build_search_document(organisation)) for organisation in batch]
        if not documents:
            continue
        if connection.vendor == "postgresql":
            _update_postgresql(documents)
        else:
            Organisation.objects.bulk_update(
                [Organisation(pk=pk, search_document=document) for pk, document in documents],
                ["search_document"],
            )


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
