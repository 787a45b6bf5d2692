"""The search on SQLite (the embedded demo): an FTS5 table over the same analysed document.

PostgreSQL parses the search entry's document with its ``finnish`` configuration, whose stemmer is
Snowball's Finnish algorithm. SQLite has no Finnish stemmer, so the document's words are stemmed
here with the same algorithm (``snowballstemmer``) before they are written to an FTS5 table, and a
query's words are stemmed the same way: both databases then match the same forms. The table has
two columns, the names (the document's first line) and the rest, so name matches can rank first.

Only stems of ``WORD_RE`` words (letters and digits) reach an FTS5 query, each in double quotes:
its operators (``"``, ``*``, ``NEAR``, ``OR``, ``-``, ``:``, ``^``) cannot be typed in.
"""

from __future__ import annotations

import difflib
import re
import threading
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer
from django.db import connection
from django.db.models.expressions import RawSQL

TABLE = "organisations_searchtext"
VOCABULARY = "organisations_searchtext_vocabulary"
WORD_RE = re.compile(r"[^\W_]+")

CREATE_SQL = [
    # Diacritics are kept: "sää" (weather) and "saa" (gets) are different words in Finnish.
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(name, body, tokenize='unicode61 remove_diacritics 0')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCABULARY} USING fts5vocab({TABLE}, 'col')",
]
DROP_SQL = [f"DROP TABLE IF EXISTS {VOCABULARY}", f"DROP TABLE IF EXISTS {TABLE}"]

# Similar names: vocabulary words at least this close to a query word (difflib's ratio).
SIMILAR_CUTOFF = 0.75
SIMILAR_WORDS = 5

_stemmer_lock = threading.Lock()
_stemmer = snowballstemmer.stemmer("finnish")


def enabled() -> bool:
    return connection.vendor == "sqlite"


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    # A Snowball stemmer object keeps its state between calls: one thread at a time.
    with _stemmer_lock:
        return _stemmer.stemWord(word.lower())


def analysed(text: str) -> str:
    """The stems of the words of ``text``, space-separated (what the FTS5 table holds)."""
    return " ".join(stem(word) for word in WORD_RE.findall((text or "").lower()))


def row(document: str) -> tuple[str, str]:
    """An association's (name, body) columns from its search document (see ``search_document``)."""
    names, _, rest = (document or "").partition("\n")
    return analysed(names), analysed(rest)


def write(documents: dict[int, str]) -> None:
    """Replace the FTS5 rows of the given associations (by id) with their documents'."""
    if not documents:
        return
    ids = list(documents)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({placeholders})", chunk)  # noqa: S608
        cursor.executemany(
            f"INSERT INTO {TABLE} (rowid, name, body) VALUES (%s, %s, %s)",  # noqa: S608
            [(pk, *row(document)) for pk, document in documents.items()],
        )


def stored(ids: list[int]) -> dict[int, tuple[str, str]]:
    """The FTS5 rows of the given associations, for the index repair."""
    if not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid, name, body FROM {TABLE} WHERE rowid IN ({placeholders})", ids)  # noqa: S608
        return {pk: (name, body) for pk, name, body in cursor.fetchall()}


def delete_orphans() -> int:
    """Drop the rows of deleted associations (nothing cascades into a virtual table)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE rowid NOT IN (SELECT id FROM organisations_organisation)")  # noqa: S608
        return cursor.rowcount


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def split_option(first: str | None, last: str, compounds: Iterable[str]) -> str:
    """A compound split by the vocabulary (``compounds.Split``): its first part's stem as a prefix,
    and its last part's alone (a prefix) or as the end of one of ``compounds`` (whole stems);
    without ``first`` (a word not split), any of ``compounds``."""
    ends = [_quoted(word) for word in compounds if WORD_RE.fullmatch(word)]
    if first is None:
        return f"({' OR '.join(ends)})"
    return f"({_quoted(first)}* AND ({' OR '.join([f'{_quoted(last)}*', *ends])}))"


def clause(
    alternatives: Iterable[str],
    parts: Iterable[Iterable[str]] = (),
    *,
    stemmed: bool = False,
    options: Iterable[str] = (),
) -> str:
    """Any of the alternatives as a prefix, or all words of one of ``parts`` (a compound's parts),
    or one of ``options`` (``split_option``).

    Words are stemmed as the table's are, unless ``stemmed`` (words from its vocabulary)."""

    def prefix(word: str) -> str:
        # Every word is a WORD_RE match, and so is its stem: nothing but letters and digits.
        return f"{_quoted(word if stemmed else stem(word) or word)}*"

    found = [prefix(word) for word in dict.fromkeys(alternatives) if WORD_RE.fullmatch(word)]
    for words in parts:
        words = [word for word in words if WORD_RE.fullmatch(word)]
        if words:
            found.append("(" + " AND ".join(prefix(word) for word in words) + ")")
    found.extend(options)
    return "(" + " OR ".join(found) + ")"


def match_expression(clauses: list[str], *, column: str | None = None) -> str:
    expression = " AND ".join(clauses)
    return f"{{{column}}} : ({expression})" if column else expression


def matching_ids(expression: str) -> RawSQL:
    """The ids of the associations whose FTS5 row matches ``expression`` (for ``pk__in``)."""
    # The table name is a constant; the expression travels as a parameter.
    return RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [expression])  # noqa: S608, S611


def similar_words(terms: list[str]) -> list[list[str]]:
    """Per query word, the name words (stems) that resemble it: a typo's likely intent.

    Candidates are the names' vocabulary (one query; the demo's few thousand words); a long word
    also resembles a shorter one close to its beginning, so "eläkläisyhdistys" finds "Eläkeläiset".
    """
    stems = [stem(term) for term in terms]
    if not stems:
        return []
    longest = max(len(word) for word in stems) + 3
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term FROM {VOCABULARY} WHERE col = 'name' AND length(term) BETWEEN 3 AND %s",  # noqa: S608
            [longest],
        )
        vocabulary = [term for (term,) in cursor.fetchall()]
    found: list[list[str]] = []
    for word in stems:
        close = difflib.get_close_matches(word, vocabulary, n=SIMILAR_WORDS, cutoff=SIMILAR_CUTOFF)
        if len(word) >= 8:
            prefixes = {}
            for candidate in vocabulary:
                if len(candidate) >= 6 and len(candidate) < len(word):
                    # The typo may have dropped or added a letter: compare both prefix lengths.
                    ratio = max(
                        difflib.SequenceMatcher(None, word[:length], candidate).ratio()
                        for length in (len(candidate), len(candidate) + 1)
                    )
                    if ratio >= SIMILAR_CUTOFF + 0.1:
                        prefixes[candidate] = ratio
            close += sorted(prefixes, key=prefixes.get, reverse=True)[:SIMILAR_WORDS]
        found.append(list(dict.fromkeys(close)))
    return found
