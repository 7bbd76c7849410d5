"""The data version also follows assessments, responsibilities and reporting assignments: the status report shows
each item's rating and responsible bodies, the dashboard's compliance matrix each assignment's due status, and
both are cached under the data version (``tracker.page_cache``)."""

from django.db import migrations

TABLES = ("tracker_assessment", "tracker_responsibility", "tracker_reportingassignment")

CREATE = "".join(
    f"CREATE TRIGGER tracker_dataversion AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}\n"
    "    FOR EACH STATEMENT EXECUTE FUNCTION tracker_dataversion_bump();\n"
    for table in TABLES
)
DROP = "".join(f"DROP TRIGGER IF EXISTS tracker_dataversion ON {table};\n" for table in TABLES)


def create_triggers(apps, schema_editor):
    # PostgreSQL only, like 0021's: the embedded SQLite default has no data version row and caches nothing.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0021_data_version")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
