"""Indexes for the directory's search and sorting.

They are PostgreSQL features (GIN full-text and trigram indexes, an ICU collation); on the SQLite
demo database these operations do nothing and the directory falls back to simpler matching.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

TABLE = "organisations_organisation"

INDEXES = {
    "organisation_search_vector_gin": f"ON {TABLE} USING gin (search_vector)",
    # icontains and word_similarity compare upper-cased text; a trigram index on plain name is ignored.
    "organisation_name_upper_trgm": f"ON {TABLE} USING gin (UPPER(name) gin_trgm_ops)",
    # A-Ö order as Finns expect it (Å, Ä, Ö after Z), for the published listings the directory shows.
    "organisation_name_fi_published": (
        f"ON {TABLE} ((name COLLATE \"fi-FI-x-icu\"), id) WHERE status = 'published'"
    ),
    "organisation_created_published": f"ON {TABLE} (created_at DESC, id DESC) WHERE status = 'published'",
    "organisation_updated_published": f"ON {TABLE} (updated_at DESC, id DESC) WHERE status = 'published'",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0003_contact_person"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
