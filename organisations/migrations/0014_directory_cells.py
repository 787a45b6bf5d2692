"""The directory's cells (see ``organisations.search.cells``): the table, on PostgreSQL the
triggers that keep it, and its first count."""

import django.db.models.deletion
from django.db import migrations, models


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from organisations.search import cells

    for statement in [*cells.CREATE_SQL, *cells.REBUILD_SQL]:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from organisations.search import cells

    for statement in cells.DROP_SQL:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0013_import_jobs"),
    ]

    operations = [
        migrations.CreateModel(
            name="DirectoryCell",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sector_mask", models.BigIntegerField()),
                ("target_group_mask", models.BigIntegerField()),
                ("language_mask", models.BigIntegerField()),
                ("organisations", models.IntegerField(default=0)),
                (
                    "home_municipality",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="organisations.municipality",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("home_municipality", "sector_mask", "target_group_mask", "language_mask"),
                        name="organisations_directorycell_unique",
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
