"""The directory's search index and facet bit sets: ``refresh_search_index`` keeps them.

Each association carries a ``search_document``: the text residents may search for (names in both
languages, municipality, sectors, target groups, description), copied to its narrow search entry
(``OrganisationSearchEntry``), where PostgreSQL parses it with the Finnish configuration through
an expression GIN index. The same refresh writes the facet bit sets and the export's related names
(``organisations.exports.names``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q

from portal.versions import bump_version, current_version

from ..exports.names import RELATED_NAME_FIELDS, related_names_rows, related_names_sql
from ..models import (
    MASK_BITS,
    Municipality,
    Organisation,
    OrganisationRelatedNames,
    OrganisationSearchEntry,
    Sector,
    TargetGroup,
)
from . import fts
from .fts import WORD_RE
from .voikko import word_forms

BATCH_SIZE = 2000
DIRECTORY_VERSION_KEY = "organisations:directory-version"


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
    bump_version(DIRECTORY_VERSION_KEY)


def directory_version() -> int:
    """The version of the directory's cached figures, read from the cache once per request."""
    return current_version(DIRECTORY_VERSION_KEY)


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
    """Rebuild the search document (and its vector on PostgreSQL, its FTS5 row on SQLite) and the facet bit sets of the
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
                list(related_names_rows(pks).values()),
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
            if fts.enabled():
                fts.write(dict(zip(pks, documents, strict=True)))
    # After commit: a rolled-back change must not invalidate the cache, and counts rebuilt between
    # the bump and the commit would be cached from the old data under the new version.
    transaction.on_commit(bump_directory_version)
