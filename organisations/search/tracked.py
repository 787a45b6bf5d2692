"""Tracked searches (``TrackedSearch``): common searches whose matches are kept, not looked up.

A search for a common word matches thousands of entries; finding them in the text index, counting
them per facet and ranking them meant visiting most of the entries table after every edit. Once
a search has found at least ``TRACKED_SEARCH_MIN_MATCHES`` associations it is tracked: its
matching entries are copied, with their rank, name and facet columns, into narrow rows
(``TrackedSearchMatch``) that an index orders by relevance. Its counts and pages then read those
rows.

On PostgreSQL statement-level triggers on the search entries keep every tracked search's matches
in the same statement as each change, however it comes (``refresh_search_index``, the repair, a
migration), so a tracked search's counts and pages are exactly as current as an untracked one's.
Tracking a search locks the entries against writers for the moment its matches are copied, so no
change slips between the copy and the trigger. SQLite (the demo) tracks nothing.

Searches not used for ``TRACKED_SEARCH_UNUSED_DAYS`` are dropped by the nightly repair; at most
``TRACKED_SEARCHES_MAX`` are kept, so the triggers' work per change stays bounded.
"""

# ruff: noqa: S608 - every statement here is built from this module's constants; values are parameters.
from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache
from django.db import OperationalError, connection, transaction
from django.db.models.sql import Query
from django.utils import timezone

from portal.versions import bump_version, current_version

from ..models import OrganisationSearchEntry, TrackedSearch, TrackedSearchCell, TrackedSearchMatch

SEARCHES = TrackedSearch._meta.db_table
MATCHES = TrackedSearchMatch._meta.db_table
CELLS = TrackedSearchCell._meta.db_table
ENTRIES = OrganisationSearchEntry._meta.db_table
MATCH_COLUMNS = (
    "search_id, organisation_id, rank, name, home_municipality_id, sector_mask, target_group_mask, language_mask"
)
VERSION_KEY = "organisations:tracked-searches-version"
LOOKUP_CACHE_SECONDS = 3600
USED_CACHE_SECONDS = 40 * 24 * 3600
# How long a search waits for the entries' lock before it leaves tracking to a later search.
TRACK_LOCK_TIMEOUT = "2s"
# At most one search is tracked per this many seconds, whichever process serves it: tracking
# copies thousands of rows (0.1 to 0.5 s), and a new deployment's first minutes would otherwise
# track every common word at once while visitors wait.
TRACK_INTERVAL_SECONDS = 1
TRACKING_SLOT_KEY = "organisations:tracking-a-search"
# A search whose matches exceed this share of the rows the statistics know of analyses the table.
STALE_STATISTICS_SHARE = 0.2

logger = logging.getLogger(__name__)


CELL_COLUMNS = "home_municipality_id, sector_mask, target_group_mask, language_mask"
# The matches a statement removed (``gone``) and added (``added``), counted into their cells.
_MOVE_CELLS = (
    f"INSERT INTO {CELLS} AS cell (search_id, {CELL_COLUMNS}, organisations) "
    f"SELECT search_id, {CELL_COLUMNS}, SUM(change) FROM ("
    f"SELECT search_id, {CELL_COLUMNS}, -1 AS change FROM unnest(gone) "
    f"UNION ALL SELECT search_id, {CELL_COLUMNS}, 1 FROM unnest(added)) AS changes "
    f"GROUP BY search_id, {CELL_COLUMNS} HAVING SUM(change) <> 0 ORDER BY search_id, {CELL_COLUMNS} "
    f"ON CONFLICT (search_id, {CELL_COLUMNS}) DO UPDATE SET organisations = cell.organisations + EXCLUDED.organisations"
)

# The trigger gathers the matches it removes and adds, then moves the cells in one statement in
# key order: two writers lock shared cells in the same order and cannot deadlock.
CREATE_SQL = [
    f"""
    CREATE FUNCTION organisations_tracked_searches_keep() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        gone {MATCHES}[];
        added {MATCHES}[];
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            DELETE FROM {MATCHES};
            DELETE FROM {CELLS};
            RETURN NULL;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM {SEARCHES}) THEN
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            WITH removed AS (
                DELETE FROM {MATCHES} AS m USING old_rows AS o WHERE m.organisation_id = o.organisation_id
                RETURNING m.*
            )
            SELECT array_agg(removed) INTO gone FROM removed;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            WITH inserted AS (
                INSERT INTO {MATCHES} ({MATCH_COLUMNS})
                SELECT s.id, e.organisation_id, ts_rank(e.name_vector, s.query::tsquery), e.name,
                    e.home_municipality_id, e.sector_mask, e.target_group_mask, e.language_mask
                -- Each entry's vector is parsed once, whatever the number of tracked searches.
                FROM (SELECT *, to_tsvector('finnish'::regconfig, document) AS vector FROM new_rows
                      WHERE status = 'published' OFFSET 0) AS e
                JOIN {SEARCHES} AS s ON e.vector @@ s.query::tsquery
                ORDER BY 1, 2
                RETURNING *
            )
            SELECT array_agg(inserted) INTO added FROM inserted;
        END IF;
        IF gone IS NOT NULL OR added IS NOT NULL THEN
            {_MOVE_CELLS};
        END IF;
        RETURN NULL;
    END
    $$
    """,
    f"CREATE TRIGGER organisations_tracked_searches_insert AFTER INSERT ON {ENTRIES} "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organisations_tracked_searches_keep()",
    f"CREATE TRIGGER organisations_tracked_searches_update AFTER UPDATE ON {ENTRIES} "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION organisations_tracked_searches_keep()",
    f"CREATE TRIGGER organisations_tracked_searches_delete AFTER DELETE ON {ENTRIES} "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION organisations_tracked_searches_keep()",
    f"CREATE TRIGGER organisations_tracked_searches_truncate AFTER TRUNCATE ON {ENTRIES} "
    "FOR EACH STATEMENT EXECUTE FUNCTION organisations_tracked_searches_keep()",
    # A page of a tracked search in relevance order is the first rows of this index.
    f'CREATE INDEX tracked_search_match_relevance ON {MATCHES} (search_id, rank DESC, name COLLATE "fi-FI-x-icu", '
    "organisation_id)",
]

DROP_SQL = [
    *(
        f"DROP TRIGGER IF EXISTS organisations_tracked_searches_{event} ON {ENTRIES}"
        for event in ("insert", "update", "delete", "truncate")
    ),
    "DROP FUNCTION IF EXISTS organisations_tracked_searches_keep()",
    "DROP INDEX IF EXISTS tracked_search_match_relevance",
]

# Writers wait the moment the copy takes (the trigger keeps the copy current from then on);
# readers do not wait.
_LOCK_ENTRIES = f"LOCK TABLE {ENTRIES} IN SHARE MODE"


def tracking_enabled() -> bool:
    return connection.vendor == "postgresql"


def search_key(query: SearchQuery) -> str:
    """The identity of a search: its compiled SQL and parameters (words, forms, configuration)."""
    return _key(*_compiled(query))


def _key(sql: str, params: list) -> str:
    return hashlib.sha256(repr((sql, params)).encode()).hexdigest()


def _compiled(query: SearchQuery) -> tuple[str, list]:
    sql_query = Query(OrganisationSearchEntry)
    compiler = sql_query.get_compiler(connection=connection)
    sql, params = compiler.compile(query.resolve_expression(sql_query))
    return sql, list(params)


def tracked_search_keys() -> dict[str, int]:
    """Every tracked search by its key: one query per change of the tracked set, then cached."""
    cache_key = f"organisations:tracked-searches:{current_version(VERSION_KEY)}"
    keys = cache.get(cache_key)
    if keys is None:
        keys = dict(TrackedSearch.objects.values_list("key", "pk"))
        cache.set(cache_key, keys, LOOKUP_CACHE_SECONDS)
    return keys


def tracked_search_id(query: SearchQuery) -> int | None:
    """The tracked search of ``query``, if there is one."""
    if not tracking_enabled():
        return None
    found = tracked_search_keys().get(search_key(query))
    if found:
        # For the nightly repair, which drops searches nobody has made for weeks.
        cache.set(_used_key(found), 1, USED_CACHE_SECONDS)
    return found


def _used_key(search_id: int) -> str:
    return f"organisations:tracked-search-used:{search_id}"


def track_search(query: SearchQuery) -> int | None:
    """Start keeping the matches of ``query``; return its tracked search, or None when the limit of
    tracked searches is reached or the entries are busy (a long import holds them: the directory
    tries again on a later search rather than wait). Safe to call twice, or from two requests at
    once: the second finds the first's."""
    if not tracking_enabled():
        return None
    if not cache.add(TRACKING_SLOT_KEY, 1, TRACK_INTERVAL_SECONDS):
        return None  # another search was tracked a moment ago: this one's turn comes later
    sql, params = _compiled(query)
    key = _key(sql, params)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{TRACK_LOCK_TIMEOUT}'")
            cursor.execute(_LOCK_ENTRIES)
            cursor.execute(f"SELECT id FROM {SEARCHES} WHERE key = %s", [key])
            row = cursor.fetchone()
            if row is not None:
                return row[0]
            if TrackedSearch.objects.count() >= settings.TRACKED_SEARCHES_MAX:
                return None
            cursor.execute(
                f"INSERT INTO {SEARCHES} (key, query, tracked_at) VALUES (%s, ({sql})::text, %s) "
                "ON CONFLICT (key) DO NOTHING RETURNING id",
                [key, *params, timezone.now()],
            )
            row = cursor.fetchone()
            if row is None:  # another request tracked it meanwhile
                return TrackedSearch.objects.filter(key=key).values_list("pk", flat=True).first()
            copied = _copy_matches(cursor, row[0])
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [MATCHES])
            if copied > cursor.fetchone()[0] * STALE_STATISTICS_SHARE:
                # Statistics that have never seen this many of a search's rows make the planner
                # sort them all rather than read the first rows of the relevance index. Once the
                # table is large, one more search moves them little and autovacuum's analyse will do.
                cursor.execute(f"ANALYZE {MATCHES}, {CELLS}")
    except OperationalError:
        logger.info("Did not track a search: the search entries are locked by a long write.", exc_info=True)
        return None
    transaction.on_commit(lambda: bump_version(VERSION_KEY))
    cache.set(_used_key(row[0]), 1, USED_CACHE_SECONDS)
    return row[0]


# One search's matches among all entries, found through the entries' text index as the directory
# finds them (the query is a scalar subquery, so the index condition is a constant).
_FOUND_SQL = (
    "SELECT s.id, e.organisation_id, ts_rank(e.name_vector, s.query::tsquery), e.name, e.home_municipality_id, "
    f"e.sector_mask, e.target_group_mask, e.language_mask FROM {ENTRIES} AS e, {SEARCHES} AS s "
    "WHERE s.id = %s AND e.status = 'published' "
    f"AND to_tsvector('finnish'::regconfig, e.document) @@ (SELECT query::tsquery FROM {SEARCHES} WHERE id = %s)"
)


def _copy_matches(cursor, search_id: int) -> int:
    """A search's matches and cells, afresh (the caller holds the entries' lock); how many matches."""
    cursor.execute(f"DELETE FROM {MATCHES} WHERE search_id = %s", [search_id])
    cursor.execute(f"DELETE FROM {CELLS} WHERE search_id = %s", [search_id])
    cursor.execute(f"INSERT INTO {MATCHES} ({MATCH_COLUMNS}) {_FOUND_SQL} ORDER BY 1, 2", [search_id, search_id])
    copied = cursor.rowcount
    cursor.execute(
        f"INSERT INTO {CELLS} (search_id, {CELL_COLUMNS}, organisations) SELECT search_id, {CELL_COLUMNS}, COUNT(*) "
        f"FROM {MATCHES} WHERE search_id = %s GROUP BY search_id, {CELL_COLUMNS}",
        [search_id],
    )
    return copied


_DIFFERING_SQL = (
    f"SELECT COUNT(*) FROM (SELECT {MATCH_COLUMNS} FROM {MATCHES} WHERE search_id = %s) AS kept "
    f"FULL JOIN ({_FOUND_SQL}) AS found (search_id, organisation_id, rank, name, "
    "home_municipality_id, sector_mask, target_group_mask, language_mask) USING (search_id, organisation_id) "
    "WHERE (kept.rank, kept.name, kept.home_municipality_id, kept.sector_mask, kept.target_group_mask, "
    "kept.language_mask) IS DISTINCT FROM (found.rank, found.name, found.home_municipality_id, "
    "found.sector_mask, found.target_group_mask, found.language_mask)"
)


_DIFFERING_CELLS_SQL = (
    f"SELECT COUNT(*) FROM (SELECT {CELL_COLUMNS}, organisations FROM {CELLS} "
    "WHERE search_id = %s AND organisations <> 0) AS kept "
    f"FULL JOIN (SELECT {CELL_COLUMNS}, COUNT(*) AS organisations FROM {MATCHES} WHERE search_id = %s "
    f"GROUP BY {CELL_COLUMNS}) AS counted USING ({CELL_COLUMNS}) "
    "WHERE kept.organisations IS DISTINCT FROM counted.organisations"
)


def differing_rows(search_id: int) -> int:
    """How many of a tracked search's kept matches differ from a search of the entries, and how many
    of its cells from a count of its matches (0 when all is well)."""
    with connection.cursor() as cursor:
        cursor.execute(_DIFFERING_SQL, [search_id, search_id, search_id])
        differing = cursor.fetchone()[0]
        cursor.execute(_DIFFERING_CELLS_SQL, [search_id, search_id])
        return differing + cursor.fetchone()[0]


def tracked_searches_repair() -> int:
    """Drop the tracked searches nobody has made for ``TRACKED_SEARCH_UNUSED_DAYS`` and copy again the
    matches of any that disagree with the entries (a restore without triggers, say); return how many
    matches disagreed."""
    if not tracking_enabled():
        return 0
    unused_since = timezone.now() - timedelta(days=settings.TRACKED_SEARCH_UNUSED_DAYS)
    unused = [
        pk
        for pk in TrackedSearch.objects.filter(tracked_at__lt=unused_since).values_list("pk", flat=True)
        if cache.get(_used_key(pk)) is None
    ]
    if unused:
        untrack_searches(unused)
    differing = 0
    for search_id in TrackedSearch.objects.order_by("pk").values_list("pk", flat=True):
        wrong = differing_rows(search_id)
        if wrong:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(_LOCK_ENTRIES)
                _copy_matches(cursor, search_id)
            differing += wrong
    return differing


def untrack_searches(search_ids: list[int]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {MATCHES} WHERE search_id = ANY(%s)", [search_ids])
        cursor.execute(f"DELETE FROM {CELLS} WHERE search_id = ANY(%s)", [search_ids])
        cursor.execute(f"DELETE FROM {SEARCHES} WHERE id = ANY(%s)", [search_ids])
    transaction.on_commit(lambda: bump_version(VERSION_KEY))
