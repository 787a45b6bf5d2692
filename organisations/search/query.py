"""Searching the directory: a resident's words as a PostgreSQL full-text query, or on SQLite as
an FTS5 query over the same document stemmed the same way (``fts``).

Long query words also match by a shortened prefix (the inflection ending cut off); a compound word
also matches all of its parts, split by Voikko or, where Voikko is missing, by the index's own
vocabulary (``compounds``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField, TrigramWordSimilarity
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, F, FloatField, Func, QuerySet, Value, When
from django.db.models.functions import Upper

from ..models import OrganisationSearchEntry
from . import compounds, fts
from .fts import WORD_RE
from .index import directory_version
from .voikko import base_forms, compound_parts, voikko_available

MAX_TERMS = 8
MAX_TERM_LENGTH = 40
# Query words of at least this many letters also match by a prefix three letters shorter.
FALLBACK_PREFIX_MIN = 7
SIMILAR_WORDS_CACHE_SECONDS = 300

# WORD_RE: only letters and digits ever reach to_tsquery or FTS5 MATCH, so their operators
# (& | ! : * ( ) ' " NEAR OR -) cannot be typed in.


def search_terms(text: str) -> list[str]:
    """The words of a resident's query: letters and digits only, lower-cased, a sensible number."""
    terms: list[str] = []
    for word in WORD_RE.findall((text or "").lower()):
        word = word[:MAX_TERM_LENGTH]
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def _term_alternatives(term: str) -> list[str]:
    alternatives = [term]
    forms = base_forms(term)
    alternatives.extend(form for form in forms if WORD_RE.fullmatch(form))
    if len(term) >= FALLBACK_PREFIX_MIN:
        # Cut off the likely inflection ending ("eläkeläisten" -> "eläkeläis") so the prefix also
        # reaches compounds ("eläkeläisyhdistys") and descriptions, which Voikko does not analyse.
        alternatives.append(term[: max(FALLBACK_PREFIX_MIN - 1, len(term) - 3)])
    return alternatives


def _term_compounds(term: str) -> list[tuple[str, ...]]:
    return [parts for parts in compound_parts(term) if all(WORD_RE.fullmatch(part) for part in parts)]


def vocabulary_splits(terms: list[str]) -> dict[str, compounds.Split]:
    """Compound query words split by the index's vocabulary: only where Voikko cannot split them."""
    return {} if voikko_available() else compounds.splits(terms)


def prefix_tsquery(terms: Iterable[str]) -> str:
    """A to_tsquery() expression: every term must match, each by any of its forms as a prefix or,
    for a compound ("liikuntaseura"), by all of its parts ("liikunta" and "seura")."""
    clauses = []
    for term in terms:
        alternatives = [f"{alternative}:*" for alternative in _term_alternatives(term)]
        alternatives += ["(" + " & ".join(f"{part}:*" for part in parts) + ")" for parts in _term_compounds(term)]
        clauses.append(f"({' | '.join(alternatives)})")
    return " & ".join(clauses)


def split_tsquery(split: compounds.Split) -> str:
    """A vocabulary split as a to_tsquery() expression of stems, for the ``simple`` configuration
    (they are stemmed already): the first part as a prefix, and the last part alone or in a compound
    (without a first part, the compounds alone)."""
    # The parts are stems of a WORD_RE match and the compounds WORD_RE matches: letters and digits.
    ends = [word for word in split.last_in_compounds if WORD_RE.fullmatch(word)]
    if split.first is None:
        return " | ".join(ends)
    return f"{split.first}:* & ({' | '.join([f'{split.last}:*', *ends])})"


def fts_clauses(terms: list[str]) -> list[str]:
    """The same query for SQLite's FTS5 table: one clause per term, its words stemmed and quoted."""
    splits = vocabulary_splits(terms)
    clauses = []
    for term in terms:
        split = splits.get(term)
        options = [fts.split_option(split.first, split.last, split.last_in_compounds)] if split else []
        clauses.append(fts.clause(_term_alternatives(term), _term_compounds(term), options=options))
    return clauses


class DocumentVector(Func):
    """The search entry's document as a vector, spelt exactly as its GIN index is (no COALESCE,
    no parameter for the configuration), so PostgreSQL answers the match from the index."""

    template = "to_tsvector('finnish'::regconfig, %(expressions)s)"
    output_field = SearchVectorField()


def search_organisations(queryset: QuerySet, text: str, *, ranked: bool = True, similar: bool = False) -> QuerySet:
    """Associations (or search entries) matching ``text``; with ``ranked``, annotated with
    ``rank`` (higher is better: the words are in the name).

    Given search entries (``OrganisationSearchEntry``), it filters them directly: that is how the
    directory counts and orders the matches of a search. Given associations, it filters them by
    the matching entries.

    ``similar`` looks for names that resemble the words instead (typos): the directory asks for
    that only when the words themselves found nothing, because checking the similarity of tens
    of thousands of names that share a common word costs far more than the full-text match.
    """
    terms = search_terms(text)
    if not terms:
        return queryset.none()
    on_entries = queryset.model is OrganisationSearchEntry
    entry = "" if on_entries else "search_entry__"
    if connection.vendor != "postgresql":
        return _search_sqlite(queryset, terms, ranked=ranked, similar=similar)
    if similar:
        phrase = " ".join(terms).upper()
        # Upper(name) has the trigram index; "%>" is word_similarity above pg_trgm's threshold.
        queryset = queryset.alias(name_upper=Upper("name")).filter(name_upper__trigram_word_similar=phrase)
        if not ranked:
            return queryset
        return queryset.annotate(rank=TrigramWordSimilarity(Value(phrase), F("name_upper")))
    query = search_query(terms)
    if on_entries:
        queryset = queryset.alias(document_vector=DocumentVector("document")).filter(document_vector=query)
    else:
        queryset = queryset.filter(pk__in=matching_entries(query).values("organisation_id"))
    return queryset.annotate(rank=SearchRank(F(f"{entry}name_vector"), query)) if ranked else queryset


def search_query(terms: list[str]) -> SearchQuery:
    splits = vocabulary_splits(terms)
    if not splits:
        return SearchQuery(prefix_tsquery(terms), search_type="raw", config="finnish")
    query = None
    for term in terms:
        term_query = SearchQuery(prefix_tsquery([term]), search_type="raw", config="finnish")
        if term in splits:
            term_query |= SearchQuery(split_tsquery(splits[term]), search_type="raw", config="simple")
        query = term_query if query is None else query & term_query
    return query


def matching_entries(query: SearchQuery) -> QuerySet[OrganisationSearchEntry]:
    return OrganisationSearchEntry.objects.alias(document_vector=DocumentVector("document")).filter(
        document_vector=query
    )


def _search_sqlite(queryset: QuerySet, terms: list[str], *, ranked: bool, similar: bool) -> QuerySet:
    """The FTS5 search; ``rank`` counts the terms found in the name (ts_rank over the names
    alone does much the same on PostgreSQL), so "Kuopion" puts "Kuopion Kuoro ry" first."""
    if similar:
        # One page asks for the same search several times (counts, page): read the names'
        # vocabulary once per change of the index.
        key = f"organisations:similar-words:{directory_version()}:{hashlib.sha256(repr(terms).encode()).hexdigest()}"
        words = cache.get(key)
        if words is None:
            words = [close for close in fts.similar_words(terms) if close]
            cache.set(key, words, SIMILAR_WORDS_CACHE_SECONDS)
        if not words:
            queryset = queryset.none()
            return queryset.annotate(rank=Value(0.0, output_field=FloatField())) if ranked else queryset
        clauses = [fts.clause(close, stemmed=True) for close in words]
        queryset = queryset.filter(pk__in=fts.matching_ids(fts.match_expression([" OR ".join(clauses)], column="name")))
    else:
        clauses = fts_clauses(terms)
        queryset = queryset.filter(pk__in=fts.matching_ids(fts.match_expression(clauses)))
    if not ranked:
        return queryset
    in_name = [
        Case(
            When(pk__in=fts.matching_ids(fts.match_expression([clause], column="name")), then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
        for clause in clauses
    ]
    rank = in_name[0]
    for part in in_name[1:]:
        rank = rank + part
    return queryset.annotate(rank=rank)
