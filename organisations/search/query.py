"""Searching the directory: a resident's words as a PostgreSQL full-text query (or substrings).

Long query words also match by a shortened prefix (the inflection ending cut off), which is all
there is where Voikko is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField, TrigramWordSimilarity
from django.db import connection
from django.db.models import F, FloatField, Func, Q, QuerySet, Value
from django.db.models.functions import Upper

from ..models import OrganisationSearchEntry
from .voikko import base_forms

MAX_TERMS = 8
MAX_TERM_LENGTH = 40
# Query words of at least this many letters also match by a prefix three letters shorter.
FALLBACK_PREFIX_MIN = 7

# Only letters and digits ever reach to_tsquery: its operators (& | ! : * ( ) ' ") cannot be typed in.
WORD_RE = re.compile(r"[^\W_]+")


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


def prefix_tsquery(terms: Iterable[str]) -> str:
    """A to_tsquery() expression: every term must match, each by any of its forms as a prefix."""
    clauses = []
    for term in terms:
        alternatives = " | ".join(f"{alternative}:*" for alternative in _term_alternatives(term))
        clauses.append(f"({alternatives})")
    return " & ".join(clauses)


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
        condition = Q()
        for term in terms:
            condition &= Q(**{f"{entry}document__icontains": term}) | Q(name__icontains=term)
        queryset = queryset.filter(condition)
        return queryset.annotate(rank=Value(0.0, output_field=FloatField())) if ranked else queryset
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
    return SearchQuery(prefix_tsquery(terms), search_type="raw", config="finnish")


def matching_entries(query: SearchQuery) -> QuerySet[OrganisationSearchEntry]:
    return OrganisationSearchEntry.objects.alias(document_vector=DocumentVector("document")).filter(
        document_vector=query
    )
