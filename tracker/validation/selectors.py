"""Reads of the validation sub-domain: findings as the policy lets a user see them, the completeness matrix."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from tracker import permissions
from tracker.choices import DatePrecision, FindingState
from tracker.formatting import format_period
from tracker.models import Body, Finding, Framework
from tracker.validation import dialect
from tracker.validation.checks import fetch_rows, returns_sql


def visible_findings(user: Any) -> QuerySet[Finding]:
    """Findings over figures the user may see. A finding without a figure (a missing return) is about a body
    and a period, which every user of the validation pages may see; a finding on a submission is visible to
    whoever may see that submission."""
    if not permissions.can(user, "view_validation"):
        return Finding.objects.none()
    findings = Finding.objects.all()
    # The policy's own condition for seeing an observation, written on the finding's observation.
    where = permissions.observation_where(user, "view", prefix="observation__")
    if where is True:
        return findings
    if where is False:
        return findings.filter(observation__isnull=True)
    return findings.filter(Q(observation__isnull=True) | where)


def open_finding_counts(*, observation_ids: list[int]) -> dict[int, dict[str, int]]:
    """Open findings per observation and severity, in one query: the flags of the review queue."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"warning": 0, "error": 0})
    rows = (
        Finding.objects.filter(observation_id__in=observation_ids)
        .exclude(state=FindingState.RESOLVED)
        .values_list("observation_id", "severity")
    )
    for observation_id, severity in rows:
        counts[observation_id][severity] += 1
    return dict(counts)


def findings_of_observation(*, observation_id: int) -> QuerySet[Finding]:
    """Every finding about a figure, resolved ones included (the history), newest first."""
    return (
        Finding.objects.filter(observation_id=observation_id)
        .select_related("rule", "changed_by")
        .order_by("state", "-last_changed")
    )


def _quarter_end(start: date) -> date:
    next_start = date(start.year + 1, 1, 1) if start.month > 9 else date(start.year, start.month + 3, 1)
    return next_start - timedelta(days=1)


@dataclass
class MatrixCell:
    expected: int = 0
    received: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    not_yet_due: int = 0


@dataclass
class CompletenessMatrix:
    """Bodies × periods (calendar quarters in which the reporting periods close), counts of returns."""

    periods: list[date] = field(default_factory=list)
    rows: list[tuple[Body, list[MatrixCell]]] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        """Each quarter as months: "Jan 2025 – Mar 2025"."""
        return [format_period(q, _quarter_end(q), DatePrecision.MONTH) for q in self.periods]


def completeness_matrix(*, as_of: date, framework: Framework | None = None, lookback: int = 4) -> CompletenessMatrix:
    """Expected, received, on time, late and missing returns per body and quarter, aggregated in SQL (one
    statement, plus one for the bodies): the rows read are bounded by the assignments, not the figures."""
    cte, params = returns_sql(as_of=as_of, lookback=lookback, framework_id=framework.pk if framework else None)
    sql = f"""
        WITH {cte}
        SELECT body_id, {dialect.quarter_start("period_end")} AS quarter,
               count(*) AS expected,
               count(received) AS received,
               count(*) FILTER (WHERE received <= due) AS on_time,
               count(*) FILTER (WHERE received > due) AS late,
               count(*) FILTER (WHERE received IS NULL AND due < %s) AS missing,
               count(*) FILTER (WHERE received IS NULL AND due >= %s) AS not_yet_due
        FROM returns GROUP BY body_id, quarter
    """
    cells: dict[tuple[int, date], MatrixCell] = {}
    for row in fetch_rows(sql, [*params, as_of, as_of]):
        cells[(row["body_id"], row["quarter"])] = MatrixCell(
            expected=row["expected"],
            received=row["received"],
            on_time=row["on_time"],
            late=row["late"],
            missing=row["missing"],
            not_yet_due=row["not_yet_due"],
        )
    periods = sorted({quarter for _, quarter in cells}, reverse=True)[:lookback]
    bodies = Body.objects.filter(pk__in={body_id for body_id, _ in cells}).order_by("name")
    matrix = CompletenessMatrix(periods=periods)
    for body in bodies:
        matrix.rows.append((body, [cells.get((body.pk, quarter), MatrixCell()) for quarter in periods]))
    return matrix
