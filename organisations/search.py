"""The search index of the directory.

Each association carries a ``search_document``: the text residents may search for (names in both
languages, municipality, sectors, description). On PostgreSQL ``search_vector`` holds that text
parsed with the Finnish configuration; other databases fall back to substring matching.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Value

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


def refresh_search_index(organisation_ids: Iterable[int]) -> None:
    """Rebuild the search document (and vector on PostgreSQL) of the given associations."""
    organisations = (
        Organisation.objects.filter(pk__in=list(organisation_ids))
        .select_related("home_municipality")
        .prefetch_related("sectors", "target_groups")
    )
    for organisation in organisations:
        document = build_search_document(organisation)
        update = {"search_document": document}
        if connection.vendor == "postgresql":
            update["search_vector"] = SearchVector(Value(document), config="finnish")
        Organisation.objects.filter(pk=organisation.pk).update(**update)
