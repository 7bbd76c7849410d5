"""Stored learnt ranges (``LearntBound``) and the triggers that forget them when a series changes.

A learnt range (median and MAD of a figure's last N predecessors) changes only when the published figures
before it do. Statement-level triggers on ``tracker_observation`` take the rows a statement touched that are or
were approved (and, for an approved correction, the figure it replaces), and delete the stored bounds of each
touched series from the earliest touched period end on. They first take ROW EXCLUSIVE on the bounds table:
the whole run holds SHARE ROW EXCLUSIVE from before it reads the figures until it commits, so a figure approved
during a run waits for it (or the run waits for the approval) and a bound computed from an older snapshot is
never kept. An UPDATE counts only when it changes what the published series depends on.
"""

import django.db.models.functions.comparison
from django.db import migrations, models

CREATE = """
-- Each function deletes the bounds of every touched series (indicator, body) from its earliest touched period
-- end on: the figures whose history of N predecessors may have changed.
CREATE FUNCTION tracker_learntbound_forget_inserted() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_rows WHERE state = 'approved') THEN
        RETURN NULL;
    END IF;
    LOCK TABLE tracker_learntbound IN ROW EXCLUSIVE MODE;
    DELETE FROM tracker_learntbound b USING (
        SELECT indicator_id, coalesce(body_id, 0) AS body_key, min(period_end) AS since FROM (
            SELECT n.indicator_id, n.body_id, n.period_end FROM new_rows n WHERE n.state = 'approved'
            UNION ALL
            SELECT c.indicator_id, c.body_id, c.period_end
            FROM new_rows n JOIN tracker_observation c ON c.id = n.supersedes_id WHERE n.state = 'approved'
        ) touched GROUP BY 1, 2
    ) s
    WHERE b.indicator_id = s.indicator_id AND coalesce(b.body_id, 0) = s.body_key AND b.period_end >= s.since;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION tracker_learntbound_forget_deleted() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM old_rows WHERE state = 'approved') THEN
        RETURN NULL;
    END IF;
    LOCK TABLE tracker_learntbound IN ROW EXCLUSIVE MODE;
    DELETE FROM tracker_learntbound b USING (
        SELECT indicator_id, coalesce(body_id, 0) AS body_key, min(period_end) AS since FROM (
            SELECT o.indicator_id, o.body_id, o.period_end FROM old_rows o WHERE o.state = 'approved'
            UNION ALL
            SELECT c.indicator_id, c.body_id, c.period_end
            FROM old_rows o JOIN tracker_observation c ON c.id = o.supersedes_id WHERE o.state = 'approved'
        ) touched GROUP BY 1, 2
    ) s
    WHERE b.indicator_id = s.indicator_id AND coalesce(b.body_id, 0) = s.body_key AND b.period_end >= s.since;
    -- The deleted figures' own rows (no foreign key cascades them).
    DELETE FROM tracker_learntbound b USING old_rows o WHERE b.observation_id = o.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION tracker_learntbound_forget_updated() RETURNS trigger AS $$
BEGIN
    -- Both sides of an update that changes what a published series depends on, where either is approved.
    IF NOT EXISTS (
        SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE (o.state = 'approved' OR n.state = 'approved')
          AND (o.state, o.indicator_id, o.body_id, o.period_end, o.date_precision, o.value, o.supersedes_id)
              IS DISTINCT FROM (n.state, n.indicator_id, n.body_id, n.period_end, n.date_precision, n.value,
                                n.supersedes_id)
    ) THEN
        RETURN NULL;
    END IF;
    LOCK TABLE tracker_learntbound IN ROW EXCLUSIVE MODE;
    DELETE FROM tracker_learntbound b USING (
        WITH changed AS (
            SELECT x.* FROM old_rows o JOIN new_rows n ON n.id = o.id
            CROSS JOIN LATERAL (VALUES (o.indicator_id, o.body_id, o.period_end, o.state, o.supersedes_id),
                                       (n.indicator_id, n.body_id, n.period_end, n.state, n.supersedes_id))
                AS x(indicator_id, body_id, period_end, state, supersedes_id)
            WHERE x.state = 'approved'
              AND (o.state, o.indicator_id, o.body_id, o.period_end, o.date_precision, o.value, o.supersedes_id)
                  IS DISTINCT FROM (n.state, n.indicator_id, n.body_id, n.period_end, n.date_precision, n.value,
                                    n.supersedes_id)
        )
        SELECT indicator_id, coalesce(body_id, 0) AS body_key, min(period_end) AS since FROM (
            SELECT x.indicator_id, x.body_id, x.period_end FROM changed x
            UNION ALL
            SELECT c.indicator_id, c.body_id, c.period_end
            FROM changed x JOIN tracker_observation c ON c.id = x.supersedes_id
        ) touched GROUP BY 1, 2
    ) s
    WHERE b.indicator_id = s.indicator_id AND coalesce(b.body_id, 0) = s.body_key AND b.period_end >= s.since;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tracker_learntbound_insert AFTER INSERT ON tracker_observation
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tracker_learntbound_forget_inserted();
CREATE TRIGGER tracker_learntbound_update AFTER UPDATE ON tracker_observation
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tracker_learntbound_forget_updated();
CREATE TRIGGER tracker_learntbound_delete AFTER DELETE ON tracker_observation
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tracker_learntbound_forget_deleted();
"""

DROP = """
DROP TRIGGER IF EXISTS tracker_learntbound_insert ON tracker_observation;
DROP TRIGGER IF EXISTS tracker_learntbound_update ON tracker_observation;
DROP TRIGGER IF EXISTS tracker_learntbound_delete ON tracker_observation;
DROP FUNCTION IF EXISTS tracker_learntbound_forget_inserted();
DROP FUNCTION IF EXISTS tracker_learntbound_forget_updated();
DROP FUNCTION IF EXISTS tracker_learntbound_forget_deleted();
"""


def create_triggers(apps, schema_editor):
    # PostgreSQL only, like the read model's triggers (0017): the embedded SQLite default (``make run``) has none.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0018_indicator_proposals"),
    ]

    operations = [
        migrations.CreateModel(
            name="LearntBound",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "observation_id", "history", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("observation_id", models.BigIntegerField(verbose_name="figure")),
                ("history", models.PositiveSmallIntegerField(verbose_name="history length")),
                ("indicator_id", models.BigIntegerField(verbose_name="indicator")),
                ("body_id", models.BigIntegerField(null=True, verbose_name="body")),
                ("period_end", models.DateField(verbose_name="period end")),
                ("median", models.FloatField(null=True, verbose_name="median")),
                ("mad", models.FloatField(null=True, verbose_name="median absolute deviation")),
            ],
            options={
                "verbose_name": "learnt bound",
                "verbose_name_plural": "learnt bounds",
                "indexes": [
                    models.Index(
                        models.F("indicator_id"),
                        django.db.models.functions.comparison.Coalesce(models.F("body_id"), models.Value(0)),
                        models.F("period_end"),
                        name="learntbound_series_idx",
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
