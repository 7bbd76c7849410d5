"""The five rule kinds, each evaluated set-wise: one SQL statement per rule (window and aggregate queries over
the ``fig`` table of ``figures.py``), never a loop over observations in Python.

Each check returns ``Draft`` findings: the rule, a key stable across runs, what the finding is about and the
numbers its message needs (``params``, JSON-safe; the words are written at display time by ``messages.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection

from tracker import cadence
from tracker.choices import Accumulation, BodyKind, Cadence, ObservationState, Unit, ValueQualifier
from tracker.models import Body, Indicator, ValidationRule
from tracker.validation import dialect
from tracker.validation import learnt as learnt_store
from tracker.validation.expressions import parse, relation_sql
from tracker.validation.figures import Scope, figures_cte
from tracker.validation.robust import median_mad_sql

# The jurisdictions that make up the national whole when a rule names no parts.
JURISDICTION_KINDS = (BodyKind.PROVINCE, BodyKind.REGION, BodyKind.FEDERAL_TERRITORY)


@dataclass
class Draft:
    rule: ValidationRule
    key: str
    period_end: date
    indicator_id: int | None = None
    body_id: int | None = None
    period_start: date | None = None
    observation_id: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    # The candidates (``Candidate.ref``) the finding is about, when checking candidates.
    refs: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """Reference data every check needs, read once per run (two queries)."""

    indicators: dict[int, Indicator]
    bodies: dict[int, Body]
    short_names: dict[int, str] = field(default_factory=dict)  # read per finding: a dict, not model attributes

    @classmethod
    def load(cls) -> Context:
        indicators = Indicator.objects.select_related("item").only(
            "id", "code", "name", "unit", "scale", "accumulation", "item__framework_id"
        )
        bodies = {b.pk: b for b in Body.objects.only("id", "slug", "short_name", "kind", "parent_id")}
        return cls(
            indicators={i.pk: i for i in indicators},
            bodies=bodies,
            short_names={pk: body.short_name for pk, body in bodies.items()},
        )

    def numeric_ids(self, scope: Scope, rule: ValidationRule, *, accumulation: str | None = None) -> set[int]:
        """The indicators a rule checks: its own, or every numeric one of its (or the run's) framework."""
        if rule.indicator_id:
            return {rule.indicator_id}
        framework_id = rule.framework_id or (scope.framework.pk if scope.framework else None)
        return {
            i.pk
            for i in self.indicators.values()
            if i.unit != Unit.TEXT
            and (framework_id is None or i.item.framework_id == framework_id)
            and (accumulation is None or i.accumulation == accumulation)
        }

    def body_names(self, ids: Sequence[int | None]) -> list[str]:
        return [self.short_names.get(i, "") for i in ids if i is not None]

    def body_name(self, body_id: int | None) -> str:
        return self.short_names.get(body_id, "") if body_id is not None else ""

    def figure_params(self, indicator_id: int) -> dict[str, Any]:
        indicator = self.indicators[indicator_id]
        return {"indicator": indicator.name, "unit": indicator.unit, "scale": indicator.scale}


def fetch_rows(sql: str, params: list[Any]) -> Iterator[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description or ()]
        for row in dialect.rows_as_postgresql(cursor.fetchall()):
            yield dict(zip(names, row, strict=True))


def _ids_in_scope(scope: Scope, ids: set[int]) -> set[int]:
    """With candidates, only the indicators they touch are worth a query."""
    if scope.checking_candidates:
        return ids & {c.indicator_id for c in scope.candidates}
    return ids


def _dec(value: Any) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f")


# ---- 1. Parts and whole ---------------------------------------------------------------------------------------
def parts_of(rule: ValidationRule, ctx: Context) -> list[int]:
    named = [b.pk for b in rule.parts.all()]
    if named:
        return sorted(named)
    if rule.whole_body_id:
        return sorted(b.pk for b in ctx.bodies.values() if b.parent_id == rule.whole_body_id)
    return sorted(b.pk for b in ctx.bodies.values() if b.kind in JURISDICTION_KINDS and b.parent_id is None)


def check_parts_whole(rule: ValidationRule, scope: Scope, ctx: Context) -> list[Draft]:
    """The parts' figures for one indicator and period against the whole's figure of the same period.

    Flagged: the parts add up to more than the whole (beyond the tolerance) — whatever the coverage — or, when
    every part reported, to a different total. A qualified whole ("more than 10,000") is only flagged in the
    direction the qualifier rules out.
    """
    assert rule.indicator_id is not None
    if not _ids_in_scope(scope, {rule.indicator_id}):
        return []
    parts = parts_of(rule, ctx)
    if not parts:
        return []
    cte, params = figures_cte(scope, indicator_ids={rule.indicator_id}, same_dates=True)
    whole = "body_id = %s" if rule.whole_body_id else "body_id IS NULL"
    whole_params = [rule.whole_body_id] if rule.whole_body_id else []
    candidate_only = "AND (w.is_candidate OR p.has_candidate)" if scope.checking_candidates else ""
    tolerance_sql = "%s" if dialect.postgresql() else dialect.cast("%s", "numeric")
    bodies = dialect.array_agg("body_id", "body_id")
    sql = f"""
        WITH {cte},
        one AS (  -- one figure per body and period: a candidate first, then the latest entered
            {dialect.first_per("body_id, period_start, period_end", "is_candidate DESC, id DESC", "fig")}
        ),
        whole AS (SELECT * FROM one WHERE {whole}),
        parts AS (
            SELECT period_start, period_end, sum(value) AS total, count(*) AS reported,
                   {bodies} AS bodies, {dialect.bool_or("is_candidate")} AS has_candidate,
                   {dialect.array_agg("id")} FILTER (WHERE is_candidate) AS candidate_ids,
                   {dialect.bool_or("value_qualifier IN (%s, %s)")} AS some_part_is_a_floor
            FROM one WHERE {dialect.among("body_id")} GROUP BY period_start, period_end
        )
        SELECT w.id, w.period_start, w.period_end, w.value, w.value_qualifier, p.total, p.reported, p.bodies,
               w.is_candidate, p.candidate_ids
        FROM whole w JOIN parts p
          ON p.period_end = w.period_end AND p.period_start IS NOT DISTINCT FROM w.period_start
        WHERE (
            (p.total - w.value > abs(w.value) * {tolerance_sql} / 100 AND w.value_qualifier NOT IN (%s, %s))
            OR (p.reported = %s AND w.value - p.total > abs(w.value) * {tolerance_sql} / 100
                AND w.value_qualifier <> %s AND NOT p.some_part_is_a_floor)
        ) {candidate_only}
    """
    floors = [ValueQualifier.MORE_THAN, ValueQualifier.AT_LEAST]
    tolerance = rule.tolerance_percent
    all_params = [*params, *whole_params, *floors, dialect.array(parts), tolerance, *floors, len(parts), tolerance]
    all_params.append(ValueQualifier.LESS_THAN)
    drafts = []
    for row in fetch_rows(sql, all_params):
        reported = sorted(row["bodies"])  # (in order already on PostgreSQL; SQLite's list is unordered)
        missing = [b for b in parts if b not in reported]
        drafts.append(
            Draft(
                rule=rule,
                key=f"{rule.indicator_id}:{rule.whole_body_id or 'national'}:{row['period_start']}:{row['period_end']}",
                indicator_id=rule.indicator_id,
                body_id=rule.whole_body_id,
                period_start=row["period_start"],
                period_end=row["period_end"],
                observation_id=row["id"] if row["id"] > 0 else None,
                refs=([row["id"]] if row["is_candidate"] else []) + list(row["candidate_ids"] or []),
                params={
                    **ctx.figure_params(rule.indicator_id),
                    "whole": _dec(row["value"]),
                    "whole_qualifier": row["value_qualifier"],
                    "whole_body": ctx.body_names([rule.whole_body_id])[0] if rule.whole_body_id else "",
                    "total": _dec(row["total"]),
                    "reported": row["reported"],
                    "expected": len(parts),
                    "reported_bodies": ctx.body_names(reported),
                    "reported_body_ids": reported,
                    "missing_bodies": ctx.body_names(missing),
                    "tolerance": _dec(tolerance),
                },
            )
        )
    return drafts


# ---- 2. Range -------------------------------------------------------------------------------------------------
def check_range(rule: ValidationRule, scope: Scope, ctx: Context) -> list[Draft]:
    """Fixed bounds, and bounds learnt from the series: median ± k·MAD of the last N values before each figure."""
    # Learnt bounds suit per-period figures; a running total grows by design (the stock rule watches it).
    accumulation = Accumulation.PER_PERIOD if rule.mad_k is not None and not rule.indicator_id else None
    ids = _ids_in_scope(scope, ctx.numeric_ids(scope, rule, accumulation=accumulation))
    if not ids:
        return []
    cte, params = figures_cte(scope, indicator_ids=ids, series_only=True)
    fixed = []
    if rule.min_value is not None:
        fixed.append(("value < %s", rule.min_value))
    if rule.max_value is not None:
        fixed.append(("value > %s", rule.max_value))
    learn = rule.mad_k is not None
    since = scope.since is not None and not scope.checking_candidates
    candidate_only = "AND is_candidate" if scope.checking_candidates else ""
    if learn:
        # The MAD is floored at 1 percent of the median, so a flat history does not flag every small change.
        # Fixed bounds, when the rule has them too, are checked over every figure (a UNION, not a join back).
        fixed_part = (
            f"""UNION ALL SELECT id, indicator_id, body_id, period_start, period_end, value, value_qualifier,
                   is_candidate, NULL, NULL, 0 FROM fig WHERE ({" OR ".join(c for c, _ in fixed)}) {candidate_only}"""
            if fixed
            else ""
        )
        # A whole run reads the stored bounds, learning those of figures that have none first.
        stored = scope.materialized and learnt_store.kept()
        spread = dialect.greatest("mad", "abs(median) * 0.01")
        if stored:
            learnt_sql = learnt_store.stored_sql(since=since)
            learnt_store.learn_missing(cte, params, rule.history)
        else:
            learnt_sql = median_mad_sql(rule.history, candidates_only=scope.checking_candidates, since=since)
        sql = f"""
            WITH {cte},
            learnt AS ({learnt_sql})
            SELECT id, indicator_id, body_id, period_start, period_end, value, value_qualifier, is_candidate,
                   median, {spread} AS mad, %s AS learnt_from
            FROM learnt WHERE abs({dialect.cast("value", "float8")} - median) > %s * {spread}
            {fixed_part}
        """
    else:
        sql = f"""
            WITH {cte}
            SELECT id, indicator_id, body_id, period_start, period_end, value, value_qualifier,
                   NULL AS median, NULL AS mad, 0 AS learnt_from, is_candidate
            FROM fig WHERE ({" OR ".join(c for c, _ in fixed)}) {candidate_only}
        """
    judged_since = [*scope.since, *scope.since] if since and scope.since else []
    if learn and stored:
        all_params = [*params, rule.history, *judged_since[:2], rule.history, rule.mad_k]
    else:
        all_params = [*params, *judged_since, rule.history, rule.mad_k] if learn else [*params]
    all_params += [v for _, v in fixed]
    drafts = []
    seen: set[int] = set()
    for row in fetch_rows(sql, all_params):
        if row["id"] in seen:
            continue  # outside both the fixed and the learnt bounds: one finding
        seen.add(row["id"])
        value = Decimal(row["value"])
        learnt = None
        if row["median"] is not None and row["mad"] is not None:
            median, mad, k = Decimal(str(row["median"])), Decimal(str(row["mad"])), Decimal(rule.mad_k or 0)
            learnt = {"low": _dec(median - k * mad), "high": _dec(median + k * mad), "median": _dec(median)}
        low_fixed = rule.min_value is not None and value < rule.min_value
        high_fixed = rule.max_value is not None and value > rule.max_value
        drafts.append(
            Draft(
                rule=rule,
                key=f"{row['id']}",
                indicator_id=row["indicator_id"],
                body_id=row["body_id"],
                period_start=row["period_start"],
                period_end=row["period_end"],
                observation_id=row["id"] if row["id"] > 0 else None,
                refs=[row["id"]] if row["is_candidate"] else [],
                params={
                    **ctx.figure_params(row["indicator_id"]),
                    "body": ctx.body_name(row["body_id"]),
                    "value": _dec(value),
                    "qualifier": row["value_qualifier"],
                    "fixed": low_fixed or high_fixed,
                    "min": _dec(rule.min_value),
                    "max": _dec(rule.max_value),
                    "learnt": None if low_fixed or high_fixed else learnt,
                    "learnt_from": row["learnt_from"],
                },
            )
        )
    return drafts


# ---- 3. Stock series ------------------------------------------------------------------------------------------
def check_stock(rule: ValidationRule, scope: Scope, ctx: Context) -> list[Draft]:
    """A running total must not fall, unless the lower figure is a correction (it supersedes an approved one,
    with a reason). Qualifiers that leave the comparison open ("about", a "less than" before) are not judged."""
    ids = _ids_in_scope(scope, ctx.numeric_ids(scope, rule, accumulation=Accumulation.RUNNING_TOTAL))
    if not ids:
        return []
    cte, params = figures_cte(scope, indicator_ids=ids, series_only=True)
    sql = f"""
        WITH {cte},
        steps AS (
            SELECT fig.*, lag(value) OVER w AS previous_value, lag(id) OVER w AS previous_id,
                   lag(period_start) OVER w AS previous_start, lag(period_end) OVER w AS previous_end,
                   lag(value_qualifier) OVER w AS previous_qualifier, lag(is_candidate) OVER w AS previous_candidate
            FROM fig WINDOW w AS (PARTITION BY indicator_id, body_id ORDER BY period_end, id)
        )
        SELECT id, indicator_id, body_id, period_start, period_end, {dialect.number_text("value")} AS value_text,
               value_qualifier, is_candidate, {dialect.number_text("previous_value")} AS previous_text, previous_id,
               previous_start, previous_end, previous_qualifier, previous_candidate
        FROM steps
        WHERE value < previous_value AND supersedes_id IS NULL
          AND previous_qualifier NOT IN (%s, %s) AND value_qualifier NOT IN (%s, %s, %s)
          {"AND (is_candidate OR previous_candidate)" if scope.checking_candidates else ""}
    """
    all_params = [
        *params,
        ValueQualifier.ABOUT,
        ValueQualifier.LESS_THAN,
        ValueQualifier.ABOUT,
        ValueQualifier.MORE_THAN,
        ValueQualifier.AT_LEAST,
    ]
    # A falling running total is the commonest finding at volume: its figures come as text already normalised
    # (``trim_scale``, as ``_dec`` writes them), so tens of thousands of findings build no Decimal.
    drafts = []
    for row in fetch_rows(sql, all_params):
        ref = row["id"] if row["id"] > 0 or not row["previous_candidate"] else row["previous_id"]
        drafts.append(
            Draft(
                rule=rule,
                key=f"{row['id']}",
                indicator_id=row["indicator_id"],
                body_id=row["body_id"],
                period_start=row["period_start"],
                period_end=row["period_end"],
                observation_id=ref if ref and ref > 0 else None,
                refs=[row["id"]] if row["is_candidate"] else [row["previous_id"]] if row["previous_candidate"] else [],
                params={
                    **ctx.figure_params(row["indicator_id"]),
                    "body": ctx.body_name(row["body_id"]),
                    "value": row["value_text"],
                    "qualifier": row["value_qualifier"],
                    "previous": row["previous_text"],
                    "previous_qualifier": row["previous_qualifier"],
                    "previous_start": row["previous_start"],
                    "previous_end": row["previous_end"],
                    "previous_id": row["previous_id"] if row["previous_id"] and row["previous_id"] > 0 else None,
                },
            )
        )
    return drafts


# ---- 4. Relations between indicators --------------------------------------------------------------------------
def check_relation(rule: ValidationRule, scope: Scope, ctx: Context) -> list[Draft]:
    """An expression over indicators of the same body and period (e.g. executions <= death sentences), judged
    where every indicator it names has a figure for that body and period."""
    relation = parse(rule.expression)
    by_code = {i.code: i.pk for i in ctx.indicators.values()}
    codes = relation.codes
    if any(code not in by_code for code in codes):
        return []  # an indicator was renamed: the admin's clean() reports it; nothing to judge
    ids = {by_code[c] for c in codes}
    if not _ids_in_scope(scope, ids):
        return []
    cte, params = figures_cte(scope, indicator_ids=ids, same_dates=True)
    column = {code: f"c{n}" for n, code in enumerate(codes)}
    pivot_params: list[Any] = [by_code[c] for c in codes]
    pivots = ", ".join(f"max(value) FILTER (WHERE indicator_id = %s) AS {column[c]}" for c in codes)
    newest_first = dialect.array_agg("id", "is_candidate DESC, id DESC")
    expression_params: list[Any] = []
    left, comparator, right = relation_sql(relation, column, expression_params)
    sql = f"""
        WITH {cte},
        grouped AS (
            SELECT body_id, period_start, period_end, {pivots}, {dialect.bool_or("is_candidate")} AS has_candidate,
                   {newest_first} AS ids,
                   {dialect.array_agg("id")} FILTER (WHERE is_candidate) AS candidate_ids
            FROM fig GROUP BY body_id, period_start, period_end
        )
        SELECT body_id, period_start, period_end, {", ".join(column.values())}, ids, candidate_ids,
               {left} AS left_value, {right} AS right_value
        FROM grouped
        WHERE {" AND ".join(f"{c} IS NOT NULL" for c in column.values())}
          AND NOT ({left} {comparator} {right})
          {"AND has_candidate" if scope.checking_candidates else ""}
    """
    # left/right appear twice (select and where): their parameters go in twice, in order.
    all_params = [*params, *pivot_params, *expression_params, *expression_params]
    drafts = []
    for row in fetch_rows(sql, all_params):
        # The first in (is_candidate DESC, id DESC): the newest candidate, else the newest figure (SQLite's
        # list is unordered).
        first = row["ids"][0] if dialect.postgresql() else max(row["candidate_ids"] or row["ids"])
        drafts.append(
            Draft(
                rule=rule,
                key=f"{row['body_id'] or 'national'}:{row['period_start']}:{row['period_end']}",
                indicator_id=by_code[codes[0]],
                body_id=row["body_id"],
                period_start=row["period_start"],
                period_end=row["period_end"],
                observation_id=first if first > 0 else None,
                refs=list(row["candidate_ids"] or []),
                params={
                    **ctx.figure_params(by_code[codes[0]]),
                    "body": ctx.body_name(row["body_id"]),
                    "expression": rule.expression,
                    "figures": [
                        {"indicator": ctx.indicators[by_code[c]].name, "value": _dec(row[column[c]])} for c in codes
                    ],
                    "left": _dec(row["left_value"]),
                    "right": _dec(row["right_value"]),
                },
            )
        )
    return drafts


# ---- 5. Completeness and timeliness ---------------------------------------------------------------------------
def closed_periods(cadence_name: str, as_of: date, count: int) -> list[cadence.Period]:
    """The ``count`` most recent periods of a cadence that closed before ``as_of``, newest first."""
    periods: list[cadence.Period] = []
    day = as_of
    for _ in range(count):
        period = cadence.last_closed_period(cadence_name, day)
        periods.append(period)
        day = period.start
    return periods


def returns_sql(*, as_of: date, lookback: int, framework_id: int | None) -> tuple[str, list[Any]]:
    """``returns AS (...)``: one row per active assignment and closed period of the last ``lookback``: when its
    figure is due and when the first one was received (submitted, or approved when entered by M&E or seeded)."""
    values: list[str] = []
    params: list[Any] = []
    for cadence_name in Cadence.values:
        for period in closed_periods(cadence_name, as_of, lookback):
            values.append(f"(%s, {dialect.cast('%s', 'date')}, {dialect.cast('%s', 'date')})")
            params += [cadence_name, period.start, period.end]
    framework = "AND item.framework_id = %s" if framework_id else ""
    first_received, first_params = dialect.local_date("min(coalesce(o.submitted_at, o.approved_at))")
    in_time, in_time_params = dialect.before_day_ends("coalesce(o.submitted_at, o.approved_at)", as_of)
    # A period closes on a month's last day, so the due date (``due_day`` of the next month) is end + due_day.
    sql = f"""
        periods(cadence, period_start, period_end) AS (VALUES {", ".join(values)}),
        returns AS (
            SELECT a.id AS assignment_id, a.indicator_id, a.body_id, p.period_start, p.period_end,
                   {dialect.plus_days("p.period_end", "a.due_day")} AS due,
                   (SELECT {first_received}
                    FROM tracker_observation o
                    WHERE o.indicator_id = a.indicator_id AND o.body_id = a.body_id
                      AND o.state IN (%s, %s) AND o.period_end BETWEEN p.period_start AND p.period_end
                      AND {in_time}
                   ) AS received
            FROM tracker_reportingassignment a
            JOIN periods p ON p.cadence = a.cadence
            JOIN tracker_indicator i ON i.id = a.indicator_id
            JOIN tracker_agendaitem item ON item.id = i.item_id
            WHERE a.active {framework}
        )
    """
    params += [*first_params, ObservationState.SUBMITTED, ObservationState.APPROVED, *in_time_params]
    if framework_id:
        params.append(framework_id)
    return sql, params


def check_completeness(rule: ValidationRule, scope: Scope, ctx: Context) -> list[Draft]:
    """Per assignment and closed period: a figure received after its due date is late; none by ``as_of`` when
    the due date has passed is missing. (A return not yet due is neither.)"""
    if scope.checking_candidates:
        return []  # a candidate is itself the return: it is never missing
    as_of = scope.as_of or date.today()
    framework_id = rule.framework_id or (scope.framework.pk if scope.framework else None)
    cte, params = returns_sql(as_of=as_of, lookback=rule.lookback, framework_id=framework_id)
    sql = f"""
        WITH {cte}
        SELECT * FROM returns
        WHERE (received IS NULL AND due < %s) OR received > due
        ORDER BY period_end, body_id, indicator_id
    """
    drafts = []
    for row in fetch_rows(sql, [*params, as_of]):
        received = row["received"]
        drafts.append(
            Draft(
                rule=rule,
                key=f"{row['assignment_id']}:{row['period_end']}",
                indicator_id=row["indicator_id"],
                body_id=row["body_id"],
                period_start=row["period_start"],
                period_end=row["period_end"],
                params={
                    **ctx.figure_params(row["indicator_id"]),
                    "body": ctx.body_name(row["body_id"]),
                    "due": row["due"],
                    "received": received,
                    "days_late": (received - row["due"]).days if received else (as_of - row["due"]).days,
                    "missing": received is None,
                },
            )
        )
    return drafts


CHECKS = {
    "parts_whole": check_parts_whole,
    "range": check_range,
    "stock": check_stock,
    "relation": check_relation,
    "completeness": check_completeness,
}
