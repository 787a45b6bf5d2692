"""An association's related names as the export writes them, in SQL and in Python.

The names of its municipalities, sectors, target groups and languages, joined with ", ", in
Finnish and as shown in Swedish: kept in ``OrganisationRelatedNames`` by the search index's
refresh (``organisations.search.index``), read by the export's SQL (``organisations.exports.sql``).
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection

from ..models import Language, Municipality, Organisation, OrganisationRelatedNames, Sector, TargetGroup

# The export's names of each relation: its many-to-many table, that table's
# column, the reference table and the order of the names.
RELATED_NAMES = {
    "municipalities": (Organisation.municipalities.through, "municipality", Municipality, ("name_fi", "id")),
    "sectors": (Organisation.sectors.through, "sector", Sector, ("position", "name_fi", "id")),
    "target_groups": (Organisation.target_groups.through, "targetgroup", TargetGroup, ("position", "name_fi", "id")),
    "languages": (Organisation.languages.through, "language", Language, ("position", "name_fi", "id")),
}


def _aggregated(key: str, organisation: str, expressions: dict[str, str]) -> str:
    through, field, model, ordering = RELATED_NAMES[key]
    quote = connection.ops.quote_name
    order = ", ".join(f"r.{column}" for column in ordering)
    selected = ", ".join(
        f"COALESCE(string_agg({expression}, ', ' ORDER BY {order}), '') AS {alias}"
        for alias, expression in expressions.items()
    )
    return (
        f"SELECT {selected} "  # noqa: S608 - identifiers from the models
        f"FROM {quote(through._meta.db_table)} t JOIN {quote(model._meta.db_table)} r "
        f"ON r.id = t.{quote(through._meta.get_field(field).column)} WHERE t.organisation_id = {organisation}"
    )


_NAME_EXPRESSIONS = {"fi": "r.name_fi", "sv": "COALESCE(NULLIF(r.name_sv, ''), r.name_fi)"}


def related_names_sql(organisation: str) -> tuple[str, str]:
    """The SELECT list and FROM clause giving, for the association whose id is ``organisation``,
    the columns of ``OrganisationRelatedNames`` (Swedish names fall back to the Finnish)."""
    columns = [f"{key}.{suffix}" for key in RELATED_NAMES for suffix in _NAME_EXPRESSIONS]
    laterals = [
        f"CROSS JOIN LATERAL ({_aggregated(key, organisation, _NAME_EXPRESSIONS)}) {key}" for key in RELATED_NAMES
    ]
    return ", ".join(columns), " ".join(laterals)


def related_names_subquery(key: str, organisation: str, *, suffix: str) -> str:
    """One column of ``related_names_sql`` as a scalar subquery."""
    return f"({_aggregated(key, organisation, {suffix: _NAME_EXPRESSIONS[suffix]})})"


RELATED_NAME_FIELDS = [f"{key}_{suffix}" for key in RELATED_NAMES for suffix in ("fi", "sv")]


def related_names_rows(batch: list[int]) -> dict[int, OrganisationRelatedNames]:
    """The portable twin of the names part of ``REFRESH_SQL`` (one query per relation)."""
    names = {pk: OrganisationRelatedNames(organisation_id=pk) for pk in batch}
    for key, (through, field, _model, ordering) in RELATED_NAMES.items():
        rows = (
            through.objects.filter(organisation_id__in=batch)
            .order_by(*(f"{field}__{column}" for column in ordering))
            .values_list("organisation_id", f"{field}__name_fi", f"{field}__name_sv")
        )
        joined: dict[int, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
        for pk, name_fi, name_sv in rows:
            joined[pk][0].append(name_fi)
            joined[pk][1].append(name_sv or name_fi)
        for pk, (finnish, swedish) in joined.items():
            setattr(names[pk], f"{key}_fi", ", ".join(finnish))
            setattr(names[pk], f"{key}_sv", ", ".join(swedish))
    return names
