"""Tracked searches (see ``organisations.search.tracked``): their tables and, on PostgreSQL, the
triggers that keep their matches and cells and the index that orders the matches."""

import django.db.models.deletion
from django.db import migrations, models


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from organisations.search import tracked

    for statement in tracked.CREATE_SQL:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from organisations.search import tracked

    for statement in tracked.DROP_SQL:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0014_directory_cells"),
    ]

    operations = [
        migrations.CreateModel(
            name="TrackedSearch",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=64, unique=True)),
                ("query", models.TextField()),
                ("tracked_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name="TrackedSearchCell",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sector_mask", models.BigIntegerField()),
                ("target_group_mask", models.BigIntegerField()),
                ("language_mask", models.BigIntegerField()),
                ("organisations", models.IntegerField(default=0)),
                (
                    "home_municipality",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="organisations.municipality",
                    ),
                ),
                (
                    "search",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="organisations.trackedsearch",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("search", "home_municipality", "sector_mask", "target_group_mask", "language_mask"),
                        name="organisations_trackedsearchcell_unique",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="TrackedSearchMatch",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "search", "organisation", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("rank", models.FloatField()),
                ("name", models.CharField(max_length=200)),
                ("sector_mask", models.BigIntegerField()),
                ("target_group_mask", models.BigIntegerField()),
                ("language_mask", models.BigIntegerField()),
                (
                    "home_municipality",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="organisations.municipality",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="organisations.organisation",
                    ),
                ),
                (
                    "search",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="organisations.trackedsearch",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["organisation"], name="tracked_search_match_org")],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
