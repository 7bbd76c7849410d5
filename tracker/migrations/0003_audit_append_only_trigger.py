"""On PostgreSQL the database itself refuses to update or delete an audit entry.

TRUNCATE is left alone (row triggers do not fire on it) so test databases can still be flushed.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION tracker_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'tracker_auditentry is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER tracker_auditentry_append_only
    BEFORE UPDATE OR DELETE ON tracker_auditentry
    FOR EACH ROW EXECUTE FUNCTION tracker_auditentry_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS tracker_auditentry_append_only ON tracker_auditentry;
DROP FUNCTION IF EXISTS tracker_auditentry_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0002_roles_memberships_audit")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
