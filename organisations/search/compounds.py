"""Compound query words split by the index's own vocabulary, where Voikko is not installed.

Voikko splits "liikuntaseura" into "liikunta" and "seura" and adds the parts of names to the index.
Without it (a fresh demo machine), a compound query word that no name contains finds nothing. Here
such a word is split into a known first part and a known last part, both words of the names or of
the reference labels (municipalities, sectors, target groups) the index holds:

* the first part is a vocabulary word (stems compared, so a genitive first part as in
  "metsänhoitoyhdistys" is allowed), or an "-inen" word in its compound form ("eläkeläis");
* the last part is a vocabulary word, or the end of one ("seura" ends "urheiluseura").

The longest such first part wins. The word then also matches a document with the first part (as a
prefix) and the last part (alone, or as the end of any vocabulary compound: "liikuntaseura" finds an
"Urheiluseura" in the "Urheilu ja liikunta" sector). A word the vocabulary knows, or begins a
vocabulary word, is not split: it already finds what it names.

Voikko also splits the names, so "kuorot" finds "Mieskuoro". Without it, a word that is not split
likewise matches the vocabulary compounds it ends ("mieskuoro"), as Voikko's parts of them would.

The vocabulary (stems, as the index holds them) is read with one query per index version and
cached; a split is cached per version and word, so a search asks the database nothing more.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection

from . import fts
from .fts import WORD_RE, stem
from .index import directory_version

MIN_PART = 4
# Put before a word to stem it as the end of a compound: Snowball counts its regions from the
# start of the whole word, so "seura" stems to "seura" alone but to "seur" in "kotiseura".
COMPOUND_START = "koti"
# A last part matches at most this many vocabulary compounds (their stems join the query).
MAX_HEAD_COMPOUNDS = 200
CACHE_SECONDS = 3600

# The names' words as PostgreSQL's finnish configuration stems them (ts_stat over the names'
# vectors: half the time of DISTINCT over their lexemes), and the reference labels' words the same
# way: one statement, no parameters.
POSTGRESQL_VOCABULARY_SQL = (
    "SELECT DISTINCT word FROM ("
    "SELECT word FROM ts_stat('SELECT name_vector FROM organisations_organisationsearchentry') "
    "UNION ALL SELECT unnest(tsvector_to_array(to_tsvector('finnish', concat_ws(' ', name_fi, name_sv)))) "
    "FROM organisations_municipality "
    "UNION ALL SELECT unnest(tsvector_to_array(to_tsvector('finnish', concat_ws(' ', name_fi, name_sv)))) "
    "FROM organisations_sector "
    "UNION ALL SELECT unnest(tsvector_to_array(to_tsvector('finnish', name_fi))) FROM organisations_targetgroup"
    ") AS words"
)
# The names' stems as the FTS5 table holds them (1), and the labels as written (0), to stem here.
SQLITE_VOCABULARY_SQL = (
    f"SELECT term, 1 FROM {fts.VOCABULARY} WHERE col = 'name' "  # noqa: S608
    "UNION ALL SELECT name_fi || ' ' || coalesce(name_sv, ''), 0 FROM organisations_municipality "
    "UNION ALL SELECT name_fi || ' ' || coalesce(name_sv, ''), 0 FROM organisations_sector "
    "UNION ALL SELECT name_fi, 0 FROM organisations_targetgroup"
)


@dataclass(frozen=True)
class Split:
    """A compound query word's parts: ``first`` (stem, matched as a prefix), ``last`` (stem, as a
    prefix) and ``last_in_compounds`` (vocabulary stems ending with the last part, matched whole).

    Without ``first``, the word was not split: it is the last part of ``last_in_compounds``."""

    first: str | None
    last: str
    last_in_compounds: tuple[str, ...]


class Vocabulary:
    """Stems, with their reversals sorted so the words ending with a given part are a range."""

    def __init__(self, words: list[str]) -> None:
        self.words = frozenset(word for word in words if WORD_RE.fullmatch(word))
        self._sorted = sorted(self.words)
        self._reversed = sorted(word[::-1] for word in self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.words

    def begins(self, start: str) -> bool:
        """Whether a vocabulary word begins with ``start``."""
        index = bisect.bisect_left(self._sorted, start)
        return index < len(self._sorted) and self._sorted[index].startswith(start)

    def ending_with(self, end: str) -> list[str]:
        """The vocabulary words of which ``end`` is the last part (at least three letters before it)."""
        reversed_end = end[::-1]
        index = bisect.bisect_left(self._reversed, reversed_end)
        found = []
        while index < len(self._reversed) and self._reversed[index].startswith(reversed_end):
            if len(self._reversed[index]) >= len(end) + MIN_PART - 1:
                found.append(self._reversed[index][::-1])
            index += 1
        return found


def load_vocabulary() -> Vocabulary:
    """The index's names and labels as stems: one query."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_VOCABULARY_SQL)
            return Vocabulary([word for (word,) in cursor.fetchall()])
        cursor.execute(SQLITE_VOCABULARY_SQL)
        words: list[str] = []
        for text, stemmed in cursor.fetchall():
            # A stem stemmed again may lose more letters: the table's stems are taken as they are.
            words.extend([text] if stemmed else fts.analysed(text).split())
        return Vocabulary(words)


def _first_part(word: str, vocabulary: Vocabulary) -> str | None:
    """The stem by which ``word`` (a compound's first part) is a vocabulary word, if it is one."""
    candidates = [word]
    if word.endswith("s"):
        # "eläkeläis-" is "eläkeläinen" ("eläkeläiset") in a compound.
        candidates += [word[:-1] + "nen", word + "et"]
    for candidate in candidates:
        stemmed = stem(candidate)
        if len(stemmed) >= MIN_PART - 1 and stemmed in vocabulary:
            return stemmed
    return None


def _as_last_part(word: str) -> str:
    """How ``word`` stems at the end of a compound: "seura" alone stems to "seura", but in
    "urheiluseura" to "seur" (Snowball's regions count from the start of the whole word)."""
    stemmed = stem(COMPOUND_START + word)
    return stemmed[len(COMPOUND_START) :] if len(stemmed) > len(COMPOUND_START) else stem(word)


def compounds_ending_with(word: str, vocabulary: Vocabulary) -> list[str]:
    """The vocabulary compounds of which ``word`` is the last part: "mieskuoro" for "kuorot"."""
    word = word.lower()
    if len(word) < MIN_PART or not WORD_RE.fullmatch(word):
        return []
    inside = _as_last_part(word)
    if len(inside) < MIN_PART - 1:
        return []
    return [found for found in vocabulary.ending_with(inside) if found != inside][:MAX_HEAD_COMPOUNDS]


def expand_word(word: str, vocabulary: Vocabulary) -> Split | None:
    """``word`` split (``split_word``) or, if not, the vocabulary compounds it ends; ``None`` if neither."""
    split = split_word(word, vocabulary)
    if split is not None:
        return split
    compounds = compounds_ending_with(word, vocabulary)
    return Split(first=None, last=stem(word.lower()), last_in_compounds=tuple(compounds)) if compounds else None


def split_word(word: str, vocabulary: Vocabulary) -> Split | None:
    """``word`` as a known first and last part, the longest first part first; ``None`` unless a compound
    of two known words (a word the vocabulary knows, or begins one of its words, is not split)."""
    word = word.lower()
    whole = stem(word)
    if len(word) < 2 * MIN_PART or not WORD_RE.fullmatch(word) or whole in vocabulary or vocabulary.begins(whole):
        return None
    for length in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        first = _first_part(word[:length], vocabulary)
        if first is None:
            continue
        rest = word[length:]
        last = stem(rest)
        compounds = compounds_ending_with(rest, vocabulary)
        if last in vocabulary or compounds:
            return Split(first=first, last=last, last_in_compounds=tuple(compounds))
    return None


def _vocabulary(version: int) -> Vocabulary:
    key = f"organisations:search-vocabulary:{version}"
    vocabulary = cache.get(key)
    if vocabulary is None:
        vocabulary = load_vocabulary()
        cache.set(key, vocabulary, CACHE_SECONDS)
    return vocabulary


def splits(terms: list[str]) -> dict[str, Split]:
    """The query words of ``terms`` split, or widened to the compounds they end, by the vocabulary
    (see the module's docstring).

    Words shorter than a part are not looked at; the splits are cached per index version, so
    only the first search of a version reads the vocabulary (one query)."""
    long_terms = [term for term in terms if len(term) >= MIN_PART]
    if not long_terms:
        return {}
    version = directory_version()
    key = f"organisations:compound-splits:{version}:{hashlib.sha256(repr(long_terms).encode()).hexdigest()}"
    found = cache.get(key)
    if found is None:
        vocabulary = _vocabulary(version)
        found = {term: split for term in long_terms if (split := expand_word(term, vocabulary)) is not None}
        cache.set(key, found, CACHE_SECONDS)
    return found
