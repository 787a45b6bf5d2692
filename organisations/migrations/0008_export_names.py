"""The names of each association's relations as exports write them (organisations.OrganisationRelatedNames)."""

import django.db.models.deletion
from django.db import migrations, models


TABLE = "organisations_organisationrelatednames"
# (column prefix, many-to-many table, its column, reference table, order), as on the day of this migration.
RELATIONS = [
    ("municipalities", "organisations_organisation_municipalities", "municipality_id", "organisations_municipality", "r.name_fi, r.id"),
    ("sectors", "organisations_organisation_sectors", "sector_id", "organisations_sector", "r.position, r.name_fi, r.id"),
    ("target_groups", "organisations_organisation_target_groups", "targetgroup_id", "organisations_targetgroup", "r.position, r.name_fi, r.id"),
    ("languages", "organisations_organisation_languages", "language_id", "organisations_language", "r.position, r.name_fi, r.id"),
]


def fill_names(apps, schema_editor):
    """Names for the associations there are (afterwards refresh_search_index keeps them)."""
    columns = ", ".join(f"{key}_fi, {key}_sv" for key, *_rest in RELATIONS)
    values = ", ".join(f"{key}.fi, {key}.sv" for key, *_rest in RELATIONS)
    if schema_editor.connection.vendor == "postgresql":
        laterals = " ".join(
            f"CROSS JOIN LATERAL (SELECT COALESCE(string_agg(r.name_fi, ', ' ORDER BY {order}), '') AS fi, "
            f"COALESCE(string_agg(COALESCE(NULLIF(r.name_sv, ''), r.name_fi), ', ' ORDER BY {order}), '') AS sv "
            f"FROM {through} t JOIN {reference} r ON r.id = t.{column} WHERE t.organisation_id = o.id) {key}"
            for key, through, column, reference, order in RELATIONS
        )
        schema_editor.execute(
            f"INSERT INTO {TABLE} (organisation_id, {columns}) SELECT o.id, {values} "
            f"FROM organisations_organisation o {laterals}"
        )
        schema_editor.execute(f"ANALYZE {TABLE}")
        return
    # Elsewhere (the SQLite demo) in Python: group_concat has no ORDER BY there.
    Organisation = apps.get_model("organisations", "Organisation")
    Names = apps.get_model("organisations", "OrganisationRelatedNames")
    orderings = {
        "municipalities": ("name_fi", "id"),
        "sectors": ("position", "name_fi", "id"),
        "target_groups": ("position", "name_fi", "id"),
        "languages": ("position", "name_fi", "id"),
    }
    made = []
    for organisation in Organisation.objects.all():
        fields = {}
        for key, ordering in orderings.items():
            related = list(getattr(organisation, key).order_by(*ordering))
            fields[f"{key}_fi"] = ", ".join(r.name_fi for r in related)
            fields[f"{key}_sv"] = ", ".join(r.name_sv or r.name_fi for r in related)
        made.append(Names(organisation_id=organisation.pk, **fields))
    Names.objects.bulk_create(made, batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0007_search_entries'),
    ]

    operations = [
        migrations.CreateModel(
            name='OrganisationRelatedNames',
            fields=[
                ('organisation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='related_names', serialize=False, to='organisations.organisation')),
                ('municipalities_fi', models.TextField(blank=True)),
                ('municipalities_sv', models.TextField(blank=True)),
                ('sectors_fi', models.TextField(blank=True)),
                ('sectors_sv', models.TextField(blank=True)),
                ('target_groups_fi', models.TextField(blank=True)),
                ('target_groups_sv', models.TextField(blank=True)),
                ('languages_fi', models.TextField(blank=True)),
                ('languages_sv', models.TextField(blank=True)),
            ],
        ),
        migrations.RunPython(fill_names, migrations.RunPython.noop, elidable=True),
    ]
