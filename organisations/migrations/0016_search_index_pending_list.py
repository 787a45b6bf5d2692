"""A short pending list for the search entries' text index (PostgreSQL only).

GIN adds new entries to a pending list that every search scans in full until a vacuum merges it
into the index; at the default limit (4 MB) a search of a prefix read some 450 pages of it after
a few thousand edits, about 3.5 ms per query and a page of results asks twice. At 256 kB the list
is merged after a few hundred changed entries and scanned in a fraction of a millisecond.
"""

from django.db import migrations

INDEX = "organisation_search_entry_document_gin"


def shorten(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} SET (gin_pending_list_limit = 256)")


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0015_tracked_searches"),
    ]

    operations = [migrations.RunPython(shorten, restore)]
