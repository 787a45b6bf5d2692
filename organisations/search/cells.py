"""The directory's cells (``DirectoryCell``): published associations counted per home municipality
and per sets of sectors, target groups and languages.

On PostgreSQL three statement-level triggers on the associations keep the cells in the same
statement as every insert, update and delete, whichever way it comes (services, the admin, a
``queryset.update()``, a data migration), so the counts can never lag an edit the way a cache
can. Statement-level triggers with transition tables apply a bulk update (an import, a
migration that rewrites every association) as one grouped upsert rather than a row at a time.
Rows are upserted in key order so that two concurrent writers lock shared cells in the same
order. SQLite (the demo) has no cells: its directory counts the associations themselves.
"""

# ruff: noqa: S608 - every statement here is built from this module's constants, never from input.
from __future__ import annotations

from django.db import connection, transaction

TABLE = "organisations_directorycell"
COLUMNS = "home_municipality_id, sector_mask, target_group_mask, language_mask"
PUBLISHED = "status = 'published'"

_UPSERT = (
    f"INSERT INTO {TABLE} AS cell ({COLUMNS}, organisations) "
    f"SELECT {COLUMNS}, SUM(change) FROM ({{changes}}) AS changes GROUP BY {COLUMNS} "
    f"HAVING SUM(change) <> 0 ORDER BY {COLUMNS} "
    f"ON CONFLICT ({COLUMNS}) DO UPDATE SET organisations = cell.organisations + EXCLUDED.organisations"
)
_ADDED = f"SELECT {COLUMNS}, 1 AS change FROM new_rows WHERE {PUBLISHED}"
_REMOVED = f"SELECT {COLUMNS}, -1 AS change FROM old_rows WHERE {PUBLISHED}"

CREATE_SQL = [
    f"""
    CREATE FUNCTION organisations_directory_cells_keep() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {_UPSERT.format(changes=_ADDED)};
        ELSIF TG_OP = 'DELETE' THEN
            {_UPSERT.format(changes=_REMOVED)};
        ELSIF TG_OP = 'UPDATE' THEN
            {_UPSERT.format(changes=f"{_ADDED} UNION ALL {_REMOVED}")};
        ELSE
            DELETE FROM {TABLE};
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER organisations_directory_cells_insert AFTER INSERT ON organisations_organisation "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organisations_directory_cells_keep()",
    "CREATE TRIGGER organisations_directory_cells_update AFTER UPDATE ON organisations_organisation "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION organisations_directory_cells_keep()",
    "CREATE TRIGGER organisations_directory_cells_delete AFTER DELETE ON organisations_organisation "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION organisations_directory_cells_keep()",
    "CREATE TRIGGER organisations_directory_cells_truncate AFTER TRUNCATE ON organisations_organisation "
    "FOR EACH STATEMENT EXECUTE FUNCTION organisations_directory_cells_keep()",
]

DROP_SQL = [
    *(
        f"DROP TRIGGER IF EXISTS organisations_directory_cells_{event} ON organisations_organisation"
        for event in ("insert", "update", "delete", "truncate")
    ),
    "DROP FUNCTION IF EXISTS organisations_directory_cells_keep()",
]

_COUNTED = (
    f"SELECT {COLUMNS}, COUNT(*) AS organisations FROM organisations_organisation WHERE {PUBLISHED} GROUP BY {COLUMNS}"
)
REBUILD_SQL = [
    # Writers wait the moment it takes; readers do not.
    "LOCK TABLE organisations_organisation IN SHARE MODE",
    f"DELETE FROM {TABLE}",
    f"INSERT INTO {TABLE} ({COLUMNS}, organisations) {_COUNTED}",
]

_DIFFERING_SQL = (
    f"SELECT COUNT(*) FROM (SELECT {COLUMNS}, organisations FROM {TABLE} WHERE organisations <> 0) AS kept "
    f"FULL JOIN ({_COUNTED}) AS counted USING ({COLUMNS}) "
    "WHERE kept.organisations IS DISTINCT FROM counted.organisations"
)


def cells_kept() -> bool:
    return connection.vendor == "postgresql"


def differing_cells() -> int:
    """How many cells disagree with a count of the associations themselves (0 when all is well)."""
    if not cells_kept():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_DIFFERING_SQL)
        return cursor.fetchone()[0]


def rebuild_cells() -> None:
    """Count the cells again from the associations (after a restore made without triggers, say)."""
    if not cells_kept():
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in REBUILD_SQL:
            cursor.execute(statement)
