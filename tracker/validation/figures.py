"""The figures every rule reads: published numeric figures, plus any candidates being checked before they count.

Each rule kind asks ``figures_cte`` for a ``WITH fig AS (...)`` table narrowed to the indicators (and, when
checking candidates, the bodies and dates) it needs, so a check of one submission reads the rows around it,
not the table. Published means the one definition the whole portal uses; a candidate replaces the figure it
corrects.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Q, QuerySet

from tracker.models import Framework, Observation
from tracker.validation import dialect, learnt

FIG_COLUMNS = (
    "id",
    "indicator_id",
    "body_id",
    "period_start",
    "period_end",
    "date_precision",
    "value",
    "value_qualifier",
    "supersedes_id",
    "approved_at",
)


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """A figure checked before it counts: a form's input, an import row, or a stored submission.

    ``ref`` identifies it in the results: the observation's id when it is stored, a negative number otherwise.
    """

    ref: int
    indicator_id: int
    body_id: int | None
    period_end: date
    value: Decimal
    period_start: date | None = None
    date_precision: str = "day"
    value_qualifier: str = "exact"
    supersedes_id: int | None = None

    @classmethod
    def of(cls, obs: Observation) -> Candidate:
        assert obs.value is not None
        return cls(
            ref=obs.pk,
            indicator_id=obs.indicator_id,
            body_id=obs.body_id,
            period_start=obs.period_start,
            period_end=obs.period_end,
            date_precision=obs.date_precision,
            value=obs.value,
            value_qualifier=obs.value_qualifier,
            supersedes_id=obs.supersedes_id,
        )


@dataclass(frozen=True, kw_only=True)
class Scope:
    """What a run covers: a framework (or all) and a date (figures dated after it do not exist yet)."""

    framework: Framework | None = None
    as_of: date | None = None
    candidates: Sequence[Candidate] = ()
    # A whole run reads the published figures once into a temporary table (``materialize``) that every rule
    # then reads, instead of each rule scanning the observations again.
    materialized: bool = False
    # Outliers against a series' own history are judged for figures approved since this moment (the previous
    # run): an older figure's history does not change, so its finding (or its absence) stands.
    # (previous run's start, its as-of date): figures approved after it or dated after its date are judged.
    since: tuple[datetime, date] | None = None

    @property
    def checking_candidates(self) -> bool:
        return bool(self.candidates)


TEMP_TABLE = "nap_validation_fig"


def _published(scope: Scope) -> QuerySet[Observation]:
    """The published numeric figures in the scope's framework and up to its date, unordered."""
    published = Observation.objects.published().filter(value__isnull=False)
    if scope.framework is not None:
        published = published.filter(indicator__item__framework=scope.framework)
    if scope.as_of is not None:
        published = published.filter(period_end__lte=scope.as_of)
    # No ORDER BY: the model's default ordering joins three tables, and the rules order what they need.
    return published.order_by()


@contextmanager
def materialized(scope: Scope) -> Iterator[Scope]:
    """A whole run's figures, read once: a temporary table of the published figures, dropped at the end of the
    transaction.

    Must run inside ``transaction.atomic()``; yields the scope the rules should use.
    """
    sql, params = _published(scope).values_list(*FIG_COLUMNS).query.sql_with_params()
    if not dialect.postgresql():
        # SQLite (the embedded default): a plain temporary table, kept until the next run replaces it.
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TEMP_TABLE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {TEMP_TABLE} AS SELECT * FROM ({sql}) AS published", params)
        yield replace(scope, materialized=True)
        return
    with connection.cursor() as cursor:
        # Enough memory for the run's sorts and windows to stay off disk; no JIT for these short statements.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")
        # A temporary table lives in the session's own buffers (8 MB by default), which can only grow before
        # the session's first temporary table: try, and carry on with the default if it is too late.
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL temp_buffers = '256MB'")
        except DatabaseError:
            pass
        learnt.lock()
        cursor.execute(f"DROP TABLE IF EXISTS {TEMP_TABLE}")
        # Neither sorted nor indexed: with the learnt ranges stored (``learnt.py``) only the running totals' rule
        # windows its series, and sorting its half of the rows there costs less than sorting and indexing all
        # of them here (1,000,000 figures: 4.2 + 0.5 s → 1.8 s for the copy, +0.6 s for that rule). ANALYZE
        # gives the planner true row counts (its estimate for the published figures' anti-join is 1 row).
        cursor.execute(
            f"CREATE TEMPORARY TABLE {TEMP_TABLE} ON COMMIT DROP AS SELECT * FROM ({sql}) AS published", params
        )
        cursor.execute(f"ANALYZE {TEMP_TABLE}")
    yield replace(scope, materialized=True)


def figures_cte(
    scope: Scope, *, indicator_ids: Collection[int], series_only: bool = False, same_dates: bool = False
) -> tuple[str, list[Any]]:
    """``fig AS (...)``: the published numeric figures of ``indicator_ids`` (plus the candidates among them).

    With candidates, the published rows are narrowed to the candidates' series (``series_only``) or to the
    candidates' dates (``same_dates``), so the check reads a bounded number of rows.
    """
    ids = sorted(indicator_ids)
    if scope.materialized:
        among = dialect.among("indicator_id")
        return f"fig AS (SELECT *, false AS is_candidate FROM {TEMP_TABLE} WHERE {among})", [dialect.array(ids)]
    published = _published(scope).filter(indicator_id__in=ids)
    matching = [c for c in scope.candidates if c.indicator_id in indicator_ids]
    if scope.candidates:
        replaced = [c.supersedes_id for c in scope.candidates if c.supersedes_id]
        replaced += [c.ref for c in scope.candidates if c.ref > 0]
        published = published.exclude(pk__in=replaced)
        if series_only:
            series = Q(pk__in=[])
            for indicator_id, body_id in {(c.indicator_id, c.body_id) for c in matching}:
                series |= (
                    Q(indicator_id=indicator_id, body_id=body_id)
                    if body_id
                    else Q(indicator_id=indicator_id, body__isnull=True)
                )
            published = published.filter(series)
        if same_dates:
            published = published.filter(period_end__in=sorted({c.period_end for c in matching}))
    sql, published_params = published.values_list(*FIG_COLUMNS).query.sql_with_params()
    parts = [f"SELECT {', '.join(FIG_COLUMNS)}, false AS is_candidate FROM ({sql}) AS published"]
    params: list[Any] = list(published_params)
    if matching:
        types = ("bigint", "bigint", "bigint", "date", "date", "text", "numeric", "text", "bigint")
        row = "(" + "".join(f"{dialect.cast('%s', pg_type)}, " for pg_type in types)
        rows = ", ".join([row + f"{dialect.cast('NULL', 'timestamptz')}, true)"] * len(matching))
        parts.append(dialect.values_table(rows, "candidate", [*FIG_COLUMNS, "is_candidate"]))
        for c in matching:
            params += [
                c.ref,
                c.indicator_id,
                c.body_id,
                c.period_start,
                c.period_end,
                c.date_precision,
                c.value,
                c.value_qualifier,
                c.supersedes_id,
            ]
    return f"fig AS ({' UNION ALL '.join(parts)})", params
