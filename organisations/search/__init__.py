"""The directory's search: the index (``index``), queries (``query``), Finnish word forms
(``voikko``), compound query words split by the index's vocabulary where Voikko is missing
(``compounds``) and SQLite's FTS5 table (``fts``).

On PostgreSQL the search entries' document is parsed with the Finnish configuration through an
expression GIN index; a trigram index on the upper-cased name finds names with typos when the
words match nothing. On SQLite (the demo) the same document, stemmed with the same Snowball
algorithm, is matched in an FTS5 table.
"""

from .index import (
    bit_mask,
    build_search_document,
    bump_directory_version,
    directory_version,
    mask_bits,
    organisations_naming,
    refresh_search_index,
    search_document,
)
from .query import matching_entries, prefix_tsquery, search_organisations, search_query, search_terms
from .repair import search_index_repair
from .voikko import base_forms, voikko_available, word_forms

__all__ = [
    "base_forms",
    "bit_mask",
    "build_search_document",
    "bump_directory_version",
    "directory_version",
    "mask_bits",
    "matching_entries",
    "organisations_naming",
    "prefix_tsquery",
    "refresh_search_index",
    "search_document",
    "search_index_repair",
    "search_organisations",
    "search_query",
    "search_terms",
    "voikko_available",
    "word_forms",
]
