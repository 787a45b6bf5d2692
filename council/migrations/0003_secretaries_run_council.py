from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs this one now.
    app_config = apps.get_app_config("council")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Council secretaries")
    group.permissions.add(Permission.objects.get(content_type__app_label="council", codename="run_council"))


class Migration(migrations.Migration):
    dependencies = [("council", "0002_election_log_append_only"), ("accounts", "0002_roles")]

    operations = [
        migrations.AlterModelOptions(
            name="election",
            options={
                "ordering": ["-voting_starts_at"],
                "permissions": [("run_council", "Can run the association council")],
                "verbose_name": "election",
                "verbose_name_plural": "elections",
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
