"""The data version: one row whose token triggers replace whenever published data changes (see ``DataVersion``).

Statement-level triggers: a bulk load of a million rows changes the token once per statement, not per row. On
observations only statements touching an approved row (before or after) count, read from the transition tables
(which PostgreSQL allows only on single-event triggers, hence one trigger per event); a draft's edits leave
every published answer as it was. The other tables are small reference data: any statement counts.
"""

import uuid

from django.db import migrations, models

CREATE = """
INSERT INTO tracker_dataversion (id, token) VALUES (1, gen_random_uuid());

CREATE FUNCTION tracker_dataversion_bump() RETURNS trigger AS $$
BEGIN
    -- An upsert: a database flushed whole (transactional tests) gets its row back on its next write.
    INSERT INTO tracker_dataversion (id, token) VALUES (1, gen_random_uuid())
        ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION tracker_dataversion_bump_observations() RETURNS trigger AS $$
DECLARE
    touched boolean := false;
BEGIN
    -- Each transition table exists only for its events: ask only those of the event that fired.
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        touched := EXISTS (SELECT 1 FROM new_rows WHERE state = 'approved');
    END IF;
    IF NOT touched AND TG_OP IN ('UPDATE', 'DELETE') THEN
        touched := EXISTS (SELECT 1 FROM old_rows WHERE state = 'approved');
    END IF;
    IF touched THEN
        INSERT INTO tracker_dataversion (id, token) VALUES (1, gen_random_uuid())
            ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tracker_dataversion_insert AFTER INSERT ON tracker_observation
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tracker_dataversion_bump_observations();
CREATE TRIGGER tracker_dataversion_update AFTER UPDATE ON tracker_observation
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tracker_dataversion_bump_observations();
CREATE TRIGGER tracker_dataversion_delete AFTER DELETE ON tracker_observation
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tracker_dataversion_bump_observations();
CREATE TRIGGER tracker_dataversion_truncate AFTER TRUNCATE ON tracker_observation
    FOR EACH STATEMENT EXECUTE FUNCTION tracker_dataversion_bump();
"""

# Small reference data: any statement on these tables changes what a published answer says.
REFERENCE_TABLES = (
    "tracker_latestfigure",
    "tracker_source",
    "tracker_body",
    "tracker_indicator",
    "tracker_agendaitem",
    "tracker_framework",
    "tracker_crosswalklink",
)
CREATE += "".join(
    f"CREATE TRIGGER tracker_dataversion AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}\n"
    "    FOR EACH STATEMENT EXECUTE FUNCTION tracker_dataversion_bump();\n"
    for table in REFERENCE_TABLES
)

DROP = "".join(f"DROP TRIGGER IF EXISTS tracker_dataversion ON {table};\n" for table in REFERENCE_TABLES)
DROP += """
DROP TRIGGER IF EXISTS tracker_dataversion_insert ON tracker_observation;
DROP TRIGGER IF EXISTS tracker_dataversion_update ON tracker_observation;
DROP TRIGGER IF EXISTS tracker_dataversion_delete ON tracker_observation;
DROP TRIGGER IF EXISTS tracker_dataversion_truncate ON tracker_observation;
DROP FUNCTION IF EXISTS tracker_dataversion_bump_observations();
DROP FUNCTION IF EXISTS tracker_dataversion_bump();
DELETE FROM tracker_dataversion;
"""


def create_triggers(apps, schema_editor):
    # PostgreSQL only: the embedded SQLite default (``make run``) has no row, so it caches nothing.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    """A one-row data version, replaced by triggers on every write that changes published data, so the status API
    can cache whole answers that are never stale."""

    dependencies = [("tracker", "0020_finding_last_changed")]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.UUIDField(default=uuid.uuid4, verbose_name="token")),
            ],
            options={"verbose_name": "data version", "verbose_name_plural": "data versions"},
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
