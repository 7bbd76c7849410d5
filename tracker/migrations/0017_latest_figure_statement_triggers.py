"""The read model's triggers fire once per statement, not once per row.

A per-row trigger recomputed the series for every approved row a statement wrote: a bulk insert of 10,000
approved figures of one series recomputed that series 10,000 times (and piled 10,000 dead versions of its one
read-model row), minutes in all. The statement-level triggers read the statement's transition tables, take
each touched series once, and recompute it (newest first over observation_latest_idx, stopping at the second
published figure). PostgreSQL allows transition tables only on single-event triggers without a column
list, so an UPDATE compares the old and new rows itself and ignores updates that change nothing the read model
depends on. The trigger names are kept: bulk loads (generate_synthetic) switch them off by name.
"""

from django.db import migrations

CREATE = """
-- Walks the series newest first and stops at the second published figure. Written as a loop rather than one
-- NOT EXISTS query: with statistics taken before a bulk insert (a small table), the planner chose an anti
-- join that re-read the whole series for every row, 34 s for 10,000 rows of one series in one statement.
CREATE OR REPLACE FUNCTION tracker_latestfigure_series(ind bigint, bod bigint) RETURNS void AS $$
DECLARE
    heads refcursor;
    candidate record;
    found_ids bigint[] := '{}';
    latest_end date;
BEGIN
    -- The national series (no body) and a body's series differ only in how the body matches; each form keeps
    -- observation_latest_idx usable, and one loop below walks whichever is open.
    IF bod IS NULL THEN
        DELETE FROM tracker_latestfigure WHERE indicator_id = ind AND body_id IS NULL;
        OPEN heads FOR
            SELECT o.id, o.period_end FROM tracker_observation o
            WHERE o.indicator_id = ind AND o.body_id IS NULL AND o.state = 'approved'
            ORDER BY o.period_end DESC, o.approved_at DESC NULLS LAST, o.id DESC;
    ELSE
        DELETE FROM tracker_latestfigure WHERE indicator_id = ind AND body_id = bod;
        OPEN heads FOR
            SELECT o.id, o.period_end FROM tracker_observation o
            WHERE o.indicator_id = ind AND o.body_id = bod AND o.state = 'approved'
            ORDER BY o.period_end DESC, o.approved_at DESC NULLS LAST, o.id DESC;
    END IF;
    LOOP
        FETCH heads INTO candidate;
        EXIT WHEN NOT FOUND;
        CONTINUE WHEN EXISTS (
            SELECT 1 FROM tracker_observation c WHERE c.supersedes_id = candidate.id AND c.state = 'approved');
        found_ids := found_ids || candidate.id;
        latest_end := coalesce(latest_end, candidate.period_end);
        EXIT WHEN cardinality(found_ids) = 2;
    END LOOP;
    CLOSE heads;
    IF cardinality(found_ids) > 0 THEN
        INSERT INTO tracker_latestfigure (indicator_id, body_id, latest_id, previous_id, latest_period_end)
        VALUES (ind, bod, found_ids[1], found_ids[2], latest_end);
    END IF;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS tracker_latestfigure_insert ON tracker_observation;
DROP TRIGGER IF EXISTS tracker_latestfigure_update ON tracker_observation;
DROP TRIGGER IF EXISTS tracker_latestfigure_delete ON tracker_observation;
DROP FUNCTION IF EXISTS tracker_latestfigure_follow();

CREATE FUNCTION tracker_latestfigure_follow_inserted() RETURNS trigger AS $$
DECLARE
    s record;
BEGIN
    FOR s IN
        SELECT n.indicator_id, n.body_id FROM new_rows n WHERE n.state = 'approved'
        UNION
        -- An approved correction can replace a figure of another series (it moved indicator or body).
        SELECT c.indicator_id, c.body_id FROM new_rows n JOIN tracker_observation c ON c.id = n.supersedes_id
        WHERE n.state = 'approved'
    LOOP
        PERFORM tracker_latestfigure_series(s.indicator_id, s.body_id);
    END LOOP;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION tracker_latestfigure_follow_updated() RETURNS trigger AS $$
DECLARE
    s record;
BEGIN
    FOR s IN
        WITH changed AS (
            SELECT o.indicator_id AS old_indicator, o.body_id AS old_body, n.indicator_id, n.body_id,
                   n.supersedes_id, n.state
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.state = 'approved' OR n.state = 'approved')
              AND (o.state, o.period_end, o.approved_at, o.indicator_id, o.body_id, o.supersedes_id)
                  IS DISTINCT FROM (n.state, n.period_end, n.approved_at, n.indicator_id, n.body_id, n.supersedes_id)
        )
        SELECT old_indicator AS indicator_id, old_body AS body_id FROM changed
        UNION
        SELECT indicator_id, body_id FROM changed
        UNION
        SELECT c.indicator_id, c.body_id FROM changed JOIN tracker_observation c ON c.id = changed.supersedes_id
    LOOP
        PERFORM tracker_latestfigure_series(s.indicator_id, s.body_id);
    END LOOP;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION tracker_latestfigure_follow_deleted() RETURNS trigger AS $$
DECLARE
    s record;
BEGIN
    FOR s IN SELECT DISTINCT o.indicator_id, o.body_id FROM old_rows o WHERE o.state = 'approved' LOOP
        PERFORM tracker_latestfigure_series(s.indicator_id, s.body_id);
    END LOOP;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tracker_latestfigure_insert AFTER INSERT ON tracker_observation
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tracker_latestfigure_follow_inserted();
CREATE TRIGGER tracker_latestfigure_update AFTER UPDATE ON tracker_observation
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tracker_latestfigure_follow_updated();
CREATE TRIGGER tracker_latestfigure_delete AFTER DELETE ON tracker_observation
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tracker_latestfigure_follow_deleted();
"""

# Back to the per-row triggers of 0013 (its SQL recreates the function and the triggers).
DROP = """
DROP TRIGGER IF EXISTS tracker_latestfigure_insert ON tracker_observation;
DROP TRIGGER IF EXISTS tracker_latestfigure_update ON tracker_observation;
DROP TRIGGER IF EXISTS tracker_latestfigure_delete ON tracker_observation;
DROP FUNCTION IF EXISTS tracker_latestfigure_follow_inserted();
DROP FUNCTION IF EXISTS tracker_latestfigure_follow_updated();
DROP FUNCTION IF EXISTS tracker_latestfigure_follow_deleted();
DROP FUNCTION IF EXISTS tracker_latestfigure_series(bigint, bigint);
"""


def create_statement_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def back_to_row_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from importlib import import_module

        row_triggers = import_module("tracker.migrations.0013_latest_figure_triggers")
        schema_editor.execute(DROP, params=None)
        schema_editor.execute(row_triggers.CREATE, params=None)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0016_idempotent_api_requests")]

    operations = [migrations.RunPython(create_statement_triggers, back_to_row_triggers)]
