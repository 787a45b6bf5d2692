"""The search index of the directory, and searching it.

Each association carries a ``search_document``: the text residents may search for (names in both
languages, municipality, sectors, target groups, description), copied to its narrow search entry
(``OrganisationSearchEntry``), where PostgreSQL parses it with the Finnish configuration through
an expression GIN index; a trigram index on the upper-cased name finds names with typos when the
words match nothing; other databases fall back to substring matching.

Finnish builds words by compounding and inflection, which the Snowball stemmer alone does not
undo: "eläkeläisten" stems to "eläkeläist", which is no prefix of "eläkeläisyhdistys". When the
Voikko morphological analyser is installed (Debian's ``voikko-fi`` and the ``libvoikko`` binding),
the document also gets the base forms of the compound parts of names ("eläkeläinen yhdistys") and
the query the base forms of its words. Long query words also match by a shortened prefix (the
inflection ending cut off), which is all there is where Voikko is missing.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField, TrigramWordSimilarity
from django.core.cache import cache
from django.db import connection
from django.db.models import F, FloatField, Func, Q, QuerySet, Value
from django.db.models.functions import Upper

from .models import (
    Language,
    Municipality,
    Organisation,
    OrganisationRelatedNames,
    OrganisationSearchEntry,
    Sector,
    TargetGroup,
)

MAX_TERMS = 8
MAX_TERM_LENGTH = 40
# Query words of at least this many letters also match by a prefix three letters shorter.
FALLBACK_PREFIX_MIN = 7
BATCH_SIZE = 2000
# Sectors, target groups and languages are few; their primary keys index the bits of a bigint.
MASK_BITS = 63
DIRECTORY_VERSION_KEY = "organisations:directory-version"

# Only letters and digits ever reach to_tsquery: its operators (& | ! : * ( ) ' ") cannot be typed in.
WORD_RE = re.compile(r"[^\W_]+")
PROPER_NOUN_CLASSES = {"paikannimi", "etunimi", "sukunimi", "nimi"}
WORDBASE_RE = re.compile(r"\+([^+(]*)\(([^)]*)\)")


class _Analyser:
    """A lazily loaded, thread-safe Voikko handle; ``None`` where Voikko is not installed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded = False
        self._voikko = None

    def get(self):
        if not getattr(settings, "SEARCH_USE_VOIKKO", True):
            return None
        if not self._loaded:
            with self._lock:
                if not self._loaded:
                    self._voikko = self._load()
                    self._loaded = True
        return self._voikko

    @staticmethod
    def _load():
        try:
            import libvoikko
        except ImportError:
            return None
        try:
            return libvoikko.Voikko("fi")
        except (OSError, libvoikko.VoikkoException):
            # The binding is there but the shared library or the Finnish dictionary is not.
            return None

    def analyse(self, word: str) -> list[dict]:
        voikko = self.get()
        if voikko is None:
            return []
        with self._lock:
            return voikko.analyze(word)


_analyser = _Analyser()


def voikko_available() -> bool:
    return _analyser.get() is not None


@lru_cache(maxsize=50_000)
def _word_forms(word: str, use_voikko: bool, with_parts: bool) -> tuple[str, ...]:
    """Base forms of ``word`` and, with ``with_parts``, of its compound parts (without ``word``)."""
    if not use_voikko:
        return ()
    forms: list[str] = []
    analyses = _analyser.analyse(word)
    # Place and person names are not split: "Enonkoski" is not about rapids ("koski").
    proper = any(analysis.get("CLASS") in PROPER_NOUN_CLASSES for analysis in analyses)
    for analysis in analyses:
        base = (analysis.get("BASEFORM") or "").lower()
        if base and base != word and base not in forms:
            forms.append(base)
        if not with_parts or proper:
            continue
        groups: list[tuple[str, str]] = []
        for surface, part_base in WORDBASE_RE.findall(analysis.get("WORDBASES", "")):
            if part_base.startswith("+") and groups:
                # A derivational ending ("yhdist" + "ys") belongs to the part before it, which
                # then stands as written ("yhdistys", not the verb "yhdistää").
                groups[-1] = (groups[-1][0] + surface, "")
            else:
                groups.append((surface, part_base))
        parts = [part_base or surface for surface, part_base in groups]
        if len(parts) > 1:
            for part in parts:
                part = part.lower()
                if len(part) > 2 and part not in forms and part != word:
                    forms.append(part)
    return tuple(forms)


def word_forms(word: str) -> tuple[str, ...]:
    """What the index adds for a word: its base forms and its compound parts."""
    return _word_forms(word.lower(), voikko_available(), True)


def base_forms(word: str) -> tuple[str, ...]:
    """What a query word also matches: its base forms only. Compound parts would make
    "urheiluseura" find every "seura"."""
    return _word_forms(word.lower(), voikko_available(), False)


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


def _with_forms(text: str) -> str:
    forms: list[str] = []
    for word in WORD_RE.findall(text.lower()):
        forms.extend(word_forms(word))
    return " ".join([text, *dict.fromkeys(forms)]).strip()


def search_document(
    *, name: str, name_sv: str, municipality: list[str], sectors: list[str], target_groups: list[str], description: str
) -> str:
    """Three lines: the names, the labels (municipality, sectors, target groups), the description.

    The first line is weighted highest in the vector, so name matches rank first. Voikko runs on
    the short lines only, not on the free-form description.
    """
    names = " ".join(part for part in (name, name_sv) if part)
    labels = " ".join(dict.fromkeys(label for label in [*municipality, *sectors, *target_groups] if label))
    return "\n".join([_with_forms(names), _with_forms(labels), " ".join((description or "").split())])


def build_search_document(organisation: Organisation) -> str:
    return search_document(
        name=organisation.name,
        name_sv=organisation.name_sv,
        municipality=[organisation.home_municipality.name_fi, organisation.home_municipality.name_sv],
        sectors=[n for s in organisation.sectors.all() for n in (s.name_fi, s.name_sv)],
        target_groups=[group.name_fi for group in organisation.target_groups.all()],
        description=organisation.description,
    )


# The export's names of each relation (organisations.exports): its many-to-many table, that table's
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
_names_columns, _names_laterals = related_names_sql("d.id")

# Names (the document's first line) weigh A, the rest B: ts_rank then puts name matches first.
# One statement per batch: the association's row (its document and facet bit sets, rewritten
# only when they changed), its related names for exports and its search entry (inserted or
# replaced). Only identifiers from the models are spliced in.
REFRESH_SQL = (
    "WITH d AS (SELECT * FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::bigint[], %s::bigint[]) "  # noqa: S608
    "AS d(id, document, sectors, groups, languages)), "
    "changed AS (UPDATE organisations_organisation AS o SET search_document = d.document, "
    "sector_mask = d.sectors, target_group_mask = d.groups, language_mask = d.languages "
    "FROM d WHERE o.id = d.id), "
    f"names AS (INSERT INTO {OrganisationRelatedNames._meta.db_table} "
    f"(organisation_id, {', '.join(RELATED_NAME_FIELDS)}) "
    f"SELECT d.id, {_names_columns} FROM d JOIN organisations_organisation AS o ON o.id = d.id {_names_laterals} "
    "ON CONFLICT (organisation_id) DO UPDATE SET "
    f"{', '.join(f'{field} = EXCLUDED.{field}' for field in RELATED_NAME_FIELDS)}) "
    "INSERT INTO organisations_organisationsearchentry (organisation_id, status, home_municipality_id, name, "
    "sector_mask, target_group_mask, language_mask, document, name_vector) "
    "SELECT o.id, o.status, o.home_municipality_id, o.name, d.sectors, d.groups, d.languages, d.document, "
    "setweight(to_tsvector('finnish', split_part(d.document, E'\\n', 1)), 'A') "
    "FROM d JOIN organisations_organisation AS o ON o.id = d.id "
    "ON CONFLICT (organisation_id) DO UPDATE SET status = EXCLUDED.status, "
    "home_municipality_id = EXCLUDED.home_municipality_id, name = EXCLUDED.name, "
    "sector_mask = EXCLUDED.sector_mask, target_group_mask = EXCLUDED.target_group_mask, "
    "language_mask = EXCLUDED.language_mask, document = EXCLUDED.document, name_vector = EXCLUDED.name_vector"
)


def _related_names_python(batch: list[int]) -> dict[int, OrganisationRelatedNames]:
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


def organisations_naming(reference) -> list[int]:
    """The associations whose search document or related names show ``reference`` (a municipality,
    sector, target group or language): the ones to refresh when it is renamed or reordered."""
    condition = Q()
    for field in Organisation._meta.get_fields():
        if (field.many_to_many or field.many_to_one) and field.concrete and field.related_model is type(reference):
            condition |= Q(**{field.name: reference})
    if not condition:
        return []
    return list(Organisation.objects.filter(condition).values_list("pk", flat=True).distinct())


def bump_directory_version() -> None:
    """Tell cached directory figures (facet counts) that the associations changed."""
    try:
        cache.incr(DIRECTORY_VERSION_KEY)
    except ValueError:
        cache.set(DIRECTORY_VERSION_KEY, 1, None)


def directory_version() -> int:
    return cache.get_or_set(DIRECTORY_VERSION_KEY, 1, None)


def bit_mask(primary_keys: Iterable[int]) -> int:
    """A set of small primary keys as the bits of a (positive) 64-bit integer."""
    mask = 0
    for pk in primary_keys:
        if 0 <= pk < MASK_BITS:
            mask |= 1 << pk
    return mask


def mask_bits(mask: int) -> list[int]:
    return [bit for bit in range(MASK_BITS) if mask >> bit & 1]


def refresh_search_index(organisation_ids: Iterable[int]) -> None:
    """Rebuild the search document (and, on PostgreSQL, the vector) and the facet bit sets of the
    given associations, and their search entries. Call it after every change to an association's
    names, description, status, home municipality, sectors, target groups or languages.

    Works on plain rows in batches: the reference names once, then per batch one query for the
    associations, three for their sectors, target groups and languages, and one UPDATE, so a bulk
    load of a hundred thousand associations takes about a minute (Voikko included).
    """
    ids = sorted(set(organisation_ids))
    if not ids:
        return
    municipalities = {pk: [fi, sv] for pk, fi, sv in Municipality.objects.values_list("pk", "name_fi", "name_sv")}
    sector_names = {pk: [fi, sv] for pk, fi, sv in Sector.objects.values_list("pk", "name_fi", "name_sv")}
    group_names = dict(TargetGroup.objects.values_list("pk", "name_fi"))
    relations = [
        (Organisation.sectors.through, "sector_id"),
        (Organisation.target_groups.through, "targetgroup_id"),
        (Organisation.languages.through, "language_id"),
    ]
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        related: list[dict[int, list[int]]] = []
        for through, column in relations:
            by_organisation: dict[int, list[int]] = defaultdict(list)
            rows = through.objects.filter(organisation_id__in=batch).order_by(column)
            for organisation_id, pk in rows.values_list("organisation_id", column):
                by_organisation[organisation_id].append(pk)
            related.append(by_organisation)
        sectors, groups, languages = related
        rows = Organisation.objects.filter(pk__in=batch).values_list(
            "pk", "name", "name_sv", "home_municipality_id", "description", "status"
        )
        pks, documents, sector_masks, group_masks, language_masks = [], [], [], [], []
        statuses, municipality_ids, names = [], [], []
        for pk, name, name_sv, municipality_id, description, status in rows:
            pks.append(pk)
            statuses.append(status)
            municipality_ids.append(municipality_id)
            names.append(name)
            documents.append(
                search_document(
                    name=name,
                    name_sv=name_sv,
                    municipality=municipalities.get(municipality_id, []),
                    sectors=[n for sector in sectors[pk] for n in sector_names.get(sector, [])],
                    target_groups=[group_names.get(group, "") for group in groups[pk]],
                    description=description,
                )
            )
            sector_masks.append(bit_mask(sectors[pk]))
            group_masks.append(bit_mask(groups[pk]))
            language_masks.append(bit_mask(languages[pk]))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(REFRESH_SQL, [pks, documents, sector_masks, group_masks, language_masks])
        else:
            Organisation.objects.bulk_update(
                [
                    Organisation(
                        pk=pk, search_document=document, sector_mask=s, target_group_mask=g, language_mask=lang
                    )
                    for pk, document, s, g, lang in zip(
                        pks, documents, sector_masks, group_masks, language_masks, strict=True
                    )
                ],
                ["search_document", "sector_mask", "target_group_mask", "language_mask"],
                batch_size=500,
            )
            OrganisationRelatedNames.objects.bulk_create(
                list(_related_names_python(pks).values()),
                update_conflicts=True,
                unique_fields=["organisation"],
                update_fields=RELATED_NAME_FIELDS,
                batch_size=500,
            )
            OrganisationSearchEntry.objects.bulk_create(
                [
                    OrganisationSearchEntry(
                        organisation_id=pk,
                        status=status,
                        home_municipality_id=municipality_id,
                        name=name,
                        sector_mask=s,
                        target_group_mask=g,
                        language_mask=lang,
                        document=document,
                    )
                    for pk, status, municipality_id, name, document, s, g, lang in zip(
                        pks,
                        statuses,
                        municipality_ids,
                        names,
                        documents,
                        sector_masks,
                        group_masks,
                        language_masks,
                        strict=True,
                    )
                ],
                update_conflicts=True,
                unique_fields=["organisation"],
                update_fields=[
                    "status",
                    "home_municipality",
                    "name",
                    "sector_mask",
                    "target_group_mask",
                    "language_mask",
                    "document",
                ],
                batch_size=500,
            )
    bump_directory_version()
