"""The directory's search and facet indexes.

The indexes are PostgreSQL features (GIN full-text and trigram indexes, an ICU collation, partial
covering indexes); on the SQLite demo database those operations do nothing and the directory falls
back to simpler matching.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

TABLE = "organisations_organisation"
MASK_BITS = 63

INDEXES = {
    "organisation_search_vector_gin": f"ON {TABLE} USING gin (search_vector)",
    # icontains and word_similarity compare upper-cased text; a trigram index on plain name is ignored.
    "organisation_name_upper_trgm": f"ON {TABLE} USING gin (UPPER(name) gin_trgm_ops)",
    # A-Ö order as Finns expect it (Å, Ä, Ö after Z), for the published listings the directory shows.
    "organisation_name_fi_published": f"ON {TABLE} ((name COLLATE \"fi-FI-x-icu\"), id) WHERE status = 'published'",
    # A municipality's associations in A-Ö order with their sectors: its page samples each sector.
    "organisation_municipality_name_published": (
        f"ON {TABLE} (home_municipality_id, (name COLLATE \"fi-FI-x-icu\"), id) INCLUDE (sector_mask) "
        "WHERE status = 'published'"
    ),
    "organisation_created_published": f"ON {TABLE} (created_at DESC, id DESC) WHERE status = 'published'",
    "organisation_updated_published": f"ON {TABLE} (updated_at DESC, id DESC) WHERE status = 'published'",
    # Everything the facet counts read, so they are an index-only scan of a few megabytes.
    "organisation_facets_published": (
        f"ON {TABLE} (home_municipality_id) INCLUDE (sector_mask, target_group_mask, language_mask, id) "
        "WHERE status = 'published'"
    ),
}

RELATIONS = [
    ("sector_mask", "organisations_organisation_sectors", "sector_id"),
    ("target_group_mask", "organisations_organisation_target_groups", "targetgroup_id"),
    ("language_mask", "organisations_organisation_languages", "language_id"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # fill_masks updated every row in this transaction: run the deferred foreign-key checks now,
    # or PostgreSQL refuses CREATE INDEX on a table "with pending trigger events".
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def fill_masks(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    if schema_editor.connection.vendor == "postgresql":
        for column, through, key in RELATIONS:
            schema_editor.execute(
                f"UPDATE {TABLE} AS o SET {column} = COALESCE((SELECT bit_or(1::bigint << t.{key}::int) "
                f"FROM {through} AS t WHERE t.organisation_id = o.id AND t.{key} < {MASK_BITS}), 0)"
            )
        return
    for organisation in Organisation.objects.prefetch_related("sectors", "target_groups", "languages"):
        for column, relation in [("sector_mask", "sectors"), ("target_group_mask", "target_groups"),
                                 ("language_mask", "languages")]:
            mask = 0
            for item in getattr(organisation, relation).all():
                if item.pk < MASK_BITS:
                    mask |= 1 << item.pk
            setattr(organisation, column, mask)
        organisation.save(update_fields=["sector_mask", "target_group_mask", "language_mask"])


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0003_contact_person"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="sector_mask",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="organisation",
            name="target_group_mask",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="organisation",
            name="language_mask",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(fill_masks, migrations.RunPython.noop, elidable=True),
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
