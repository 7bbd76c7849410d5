"""On PostgreSQL the database keeps the latest-value read model in the transaction of every write.

The workflow services approve and correct; but figures also arrive from the seed loader, imports, the admin
and tests that write rows directly, and one writer forgetting the read model would make the status wrong.
So a trigger recomputes a series' row (two rows read over observation_latest_idx) whenever a figure of the
series is approved, changes state, moves, is corrected or is deleted — in the same transaction as that write.
Bulk loads (generate_synthetic) switch the triggers off for their COPY and rebuild the table once.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION tracker_latestfigure_series(ind bigint, bod bigint) RETURNS void AS $$
DECLARE
    top bigint[];
    latest_end date;
BEGIN
    IF bod IS NULL THEN
        DELETE FROM tracker_latestfigure WHERE indicator_id = ind AND body_id IS NULL;
        SELECT array_agg(id ORDER BY period_end DESC, approved_at DESC NULLS LAST, id DESC), max(period_end)
          INTO top, latest_end FROM (
            SELECT o.id, o.period_end, o.approved_at FROM tracker_observation o
            WHERE o.indicator_id = ind AND o.body_id IS NULL AND o.state = 'approved'
              AND NOT EXISTS (SELECT 1 FROM tracker_observation c WHERE c.supersedes_id = o.id AND c.state = 'approved')
            ORDER BY o.period_end DESC, o.approved_at DESC NULLS LAST, o.id DESC LIMIT 2) t;
    ELSE
        DELETE FROM tracker_latestfigure WHERE indicator_id = ind AND body_id = bod;
        SELECT array_agg(id ORDER BY period_end DESC, approved_at DESC NULLS LAST, id DESC), max(period_end)
          INTO top, latest_end FROM (
            SELECT o.id, o.period_end, o.approved_at FROM tracker_observation o
            WHERE o.indicator_id = ind AND o.body_id = bod AND o.state = 'approved'
              AND NOT EXISTS (SELECT 1 FROM tracker_observation c WHERE c.supersedes_id = o.id AND c.state = 'approved')
            ORDER BY o.period_end DESC, o.approved_at DESC NULLS LAST, o.id DESC LIMIT 2) t;
    END IF;
    IF top IS NOT NULL THEN
        INSERT INTO tracker_latestfigure (indicator_id, body_id, latest_id, previous_id, latest_period_end)
        VALUES (ind, bod, top[1], top[2], latest_end);
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION tracker_latestfigure_follow() RETURNS trigger AS $$
DECLARE
    corrected record;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM tracker_latestfigure_series(NEW.indicator_id, NEW.body_id);
        IF NEW.supersedes_id IS NOT NULL THEN
            SELECT indicator_id, body_id INTO corrected FROM tracker_observation WHERE id = NEW.supersedes_id;
            IF FOUND AND (corrected.indicator_id <> NEW.indicator_id OR corrected.body_id IS DISTINCT FROM NEW.body_id) THEN
                PERFORM tracker_latestfigure_series(corrected.indicator_id, corrected.body_id);
            END IF;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.indicator_id <> NEW.indicator_id
                                                  OR OLD.body_id IS DISTINCT FROM NEW.body_id)) THEN
        PERFORM tracker_latestfigure_series(OLD.indicator_id, OLD.body_id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tracker_latestfigure_insert AFTER INSERT ON tracker_observation
    FOR EACH ROW WHEN (NEW.state = 'approved') EXECUTE FUNCTION tracker_latestfigure_follow();
CREATE TRIGGER tracker_latestfigure_update AFTER UPDATE OF state, period_end, approved_at, indicator_id, body_id,
    supersedes_id ON tracker_observation
    FOR EACH ROW WHEN (OLD.state = 'approved' OR NEW.state = 'approved') EXECUTE FUNCTION tracker_latestfigure_follow();
CREATE TRIGGER tracker_latestfigure_delete AFTER DELETE ON tracker_observation
    FOR EACH ROW WHEN (OLD.state = 'approved') EXECUTE FUNCTION tracker_latestfigure_follow();
"""
DROP = """
DROP TRIGGER IF EXISTS tracker_latestfigure_insert ON tracker_observation;
DROP TRIGGER IF EXISTS tracker_latestfigure_update ON tracker_observation;
DROP TRIGGER IF EXISTS tracker_latestfigure_delete ON tracker_observation;
DROP FUNCTION IF EXISTS tracker_latestfigure_follow();
DROP FUNCTION IF EXISTS tracker_latestfigure_series(bigint, bigint);
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0012_latest_figure_read_model")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
