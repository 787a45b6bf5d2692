"""The election log is append-only in the database itself, not just in the code (PostgreSQL only;
the SQLite demo relies on the code, which never updates or deletes a log entry)."""

from django.db import migrations

CREATE = """
CREATE FUNCTION council_election_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the election log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER council_election_log_append_only
    BEFORE UPDATE OR DELETE ON council_electionlogentry
    FOR EACH ROW EXECUTE FUNCTION council_election_log_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS council_election_log_append_only ON council_electionlogentry;
DROP FUNCTION IF EXISTS council_election_log_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("council", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
