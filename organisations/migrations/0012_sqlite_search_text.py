"""On SQLite only: the FTS5 table the directory searches (see organisations.search.fts), filled
from the existing search entries so an upgraded demo database finds what it found before."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    # The analysis (Snowball stems of the document's words) is the application's own: the rows
    # must be what refresh_search_index writes, or a refresh would change every one of them.
    from organisations.search import fts

    for statement in fts.CREATE_SQL:
        schema_editor.execute(statement)
    entries = apps.get_model("organisations", "OrganisationSearchEntry").objects.using(schema_editor.connection.alias)
    rows = [(pk, *fts.row(document)) for pk, document in entries.values_list("organisation_id", "document")]
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {fts.TABLE} (rowid, name, body) VALUES (%s, %s, %s)", rows)  # noqa: S608


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from organisations.search import fts

    for statement in fts.DROP_SQL:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0011_phone_numbers"),
    ]

    operations = [migrations.RunPython(create, drop)]
