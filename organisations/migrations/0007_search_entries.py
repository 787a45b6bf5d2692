"""The directory's narrow search index (organisations.OrganisationSearchEntry).

The GIN index is on an expression, to_tsvector('finnish', document), rather than on a stored
vector: PostgreSQL knows to_tsvector is costly, so it answers even a common word from the index
(a bitmap of the matching rows, no recheck) instead of testing every row's vector in a
sequential scan, which for 110,000 associations costs some 70 ms of CPU.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


TABLE = "organisations_organisationsearchentry"
INDEXES = {
    "organisation_search_entry_document_gin": f"ON {TABLE} USING gin (to_tsvector('finnish'::regconfig, document))",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")
    # A search reads a few thousand pages of this table: starting parallel workers costs more
    # than it saves on a small web server, and they would take the cores other requests need.
    schema_editor.execute(f"ALTER TABLE {TABLE} SET (parallel_workers = 0)")
    # Statistics of the indexed expression, so the first searches are planned on real figures.
    schema_editor.execute(f"ANALYZE {TABLE}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def fill_entries(apps, schema_editor):
    """Entries for the associations indexed so far (their search document is already built)."""
    Organisation = apps.get_model("organisations", "Organisation")
    Entry = apps.get_model("organisations", "OrganisationSearchEntry")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"INSERT INTO {TABLE} (organisation_id, status, home_municipality_id, name, sector_mask, "
            "target_group_mask, language_mask, document, name_vector) "
            "SELECT id, status, home_municipality_id, name, sector_mask, target_group_mask, language_mask, "
            "search_document, setweight(to_tsvector('finnish', split_part(search_document, E'\\n', 1)), 'A') "
            "FROM organisations_organisation"
        )
        return
    Entry.objects.bulk_create(
        [
            Entry(
                organisation_id=o.pk,
                status=o.status,
                home_municipality_id=o.home_municipality_id,
                name=o.name,
                sector_mask=o.sector_mask,
                target_group_mask=o.target_group_mask,
                language_mask=o.language_mask,
                document=o.search_document,
            )
            for o in Organisation.objects.all()
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0006_exports_imports'),
    ]

    operations = [
        migrations.CreateModel(
            name='OrganisationSearchEntry',
            fields=[
                ('organisation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_entry', serialize=False, to='organisations.organisation')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('pending', 'Waiting for moderation'), ('published', 'Published'), ('archived', 'Archived')], max_length=12)),
                ('name', models.CharField(max_length=200)),
                ('sector_mask', models.BigIntegerField(default=0)),
                ('target_group_mask', models.BigIntegerField(default=0)),
                ('language_mask', models.BigIntegerField(default=0)),
                ('document', models.TextField(blank=True)),
                ('name_vector', django.contrib.postgres.search.SearchVectorField(null=True)),
                ('home_municipality', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisations.municipality')),
            ],
        ),
        migrations.RunPython(fill_entries, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
