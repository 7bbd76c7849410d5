"""The few SQL constructs of the validation checks that PostgreSQL and SQLite write differently, one function each.

The checks are tuned for PostgreSQL (arrays, ``DISTINCT ON``, casts, time zones): each function here returns
exactly the PostgreSQL text the checks were written with, and on SQLite — the embedded ``make run`` default —
a portable equivalent (JSON arrays, a window, ``CAST``). The SQLite forms favour plainness over speed. Rows
read back through ``fetch_rows`` are turned into the types PostgreSQL's driver gives (``rows_as_postgresql``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection


def postgresql() -> bool:
    return connection.vendor == "postgresql"


_SQLITE_TYPES = {"bigint": "INTEGER", "numeric": "REAL", "float8": "REAL", "text": "TEXT"}


def cast(expr: str, pg_type: str) -> str:
    """``expr::pg_type``. (SQLite's numbers are REAL: its integer division would floor a ratio.)"""
    if postgresql():
        return f"{expr}::{pg_type}"
    if pg_type == "date":
        return f"date({expr})"
    if pg_type == "timestamptz":
        return expr
    return f"CAST({expr} AS {_SQLITE_TYPES[pg_type]})"


def among(column: str) -> str:
    """``column`` is one of the list given as the parameter ``array(values)``."""
    if postgresql():
        return f"{column} = ANY(%s)"
    return f"{column} IN (SELECT value FROM json_each(%s))"


def array(values: Sequence[Any]) -> Any:
    """The parameter of ``among``: a list (PostgreSQL's array), or a JSON array for SQLite."""
    return list(values) if postgresql() else json.dumps(list(values))


def divide(left: str, right: str) -> str:
    """``left / right``, NULL when ``right`` is 0 (SQLite divides two integers as integers: one is made REAL)."""
    if postgresql():
        return f"({left} / NULLIF({right}, 0))"
    return f"(CAST({left} AS REAL) / NULLIF({right}, 0))"


def values_table(rows: str, alias: str, columns: Sequence[str]) -> str:
    """``SELECT * FROM (VALUES rows) AS alias(columns)`` (SQLite names a VALUES list's columns column1…)."""
    if postgresql():
        return f"SELECT * FROM (VALUES {rows}) AS {alias}({', '.join(columns)})"
    named = ", ".join(f"column{n} AS {column}" for n, column in enumerate(columns, start=1))
    return f"SELECT {named} FROM (VALUES {rows}) AS {alias}"


def bool_or(expr: str) -> str:
    return f"bool_or({expr})" if postgresql() else f"max({expr})"


def array_agg(expr: str, order: str = "") -> str:
    """An aggregate list (on SQLite a JSON array, decoded by ``rows_as_postgresql``; ``order`` is then not
    kept: callers needing an order sort the list)."""
    if postgresql():
        return f"array_agg({expr} ORDER BY {order})" if order else f"array_agg({expr})"
    return f"json_group_array({expr})"


def greatest(*exprs: str) -> str:
    return f"{'GREATEST' if postgresql() else 'max'}({', '.join(exprs)})"


def least(*exprs: str) -> str:
    return f"{'LEAST' if postgresql() else 'min'}({', '.join(exprs)})"


def fence() -> str:
    """``OFFSET 0``: keeps the planner from inlining a subquery (SQLite wants a LIMIT before an OFFSET)."""
    return "OFFSET 0" if postgresql() else "LIMIT -1 OFFSET 0"


def byte_order(expr: str) -> str:
    return f'{expr} COLLATE "C"' if postgresql() else f"{expr} COLLATE BINARY"


def first_per(keys: str, order: str, source: str) -> str:
    """``SELECT DISTINCT ON (keys) * FROM source ORDER BY keys, order``: the first row of each group."""
    if postgresql():
        return f"SELECT DISTINCT ON ({keys}) * FROM {source} ORDER BY {keys}, {order}"
    return (
        f"SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY {keys} ORDER BY {order}) AS first_rank "
        f"FROM {source}) AS ranked WHERE first_rank = 1"
    )


def number_text(expr: str) -> str:
    """A number as text without trailing zeros (``_dec``'s form)."""
    if postgresql():
        return f"trim_scale({expr})::text"
    # A whole number held as REAL (a candidate's value) prints as "5.0": as an integer then.
    whole = f"CAST(CAST({expr} AS INTEGER) AS TEXT)"
    return f"CASE WHEN {expr} = CAST({expr} AS INTEGER) THEN {whole} ELSE CAST({expr} AS TEXT) END"


def plus_days(date_expr: str, days_expr: str) -> str:
    if postgresql():
        return f"({date_expr} + {days_expr})"
    return f"date({date_expr}, '+' || {days_expr} || ' days')"


def quarter_start(date_expr: str) -> str:
    if postgresql():
        return f"date_trunc('quarter', {date_expr})::date"
    # The month's first day, back (month - 1) % 3 months. (``%%``: the query is formatted with parameters.)
    return (
        f"date({date_expr}, 'start of month', "
        f"'-' || ((CAST(strftime('%%m', {date_expr}) AS INTEGER) - 1) %% 3) || ' months')"
    )


def local_date(expr: str) -> tuple[str, list[Any]]:
    """The date of the time stamp ``expr`` in the portal's time zone."""
    if postgresql():
        return f"({expr} AT TIME ZONE %s)::date", [settings.TIME_ZONE]
    # Django's own SQLite function (time stamps are stored in UTC).
    return f"django_datetime_cast_date({expr}, %s, 'UTC')", [settings.TIME_ZONE]


def before_day_ends(expr: str, day: date) -> tuple[str, list[Any]]:
    """The time stamp ``expr`` falls before the end of ``day`` in the portal's time zone."""
    if postgresql():
        return f"{expr} < (%s::date + 1)::timestamp AT TIME ZONE %s", [day, settings.TIME_ZONE]
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))
    # Stored as UTC text, compared as text.
    return f"{expr} < %s", [end.astimezone(ZoneInfo("UTC")).replace(tzinfo=None).isoformat(" ")]


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def _as_postgresql(value: Any) -> Any:
    if isinstance(value, str):
        if _DATE.match(value):
            return date.fromisoformat(value)
        if value.startswith("["):
            return json.loads(value)
    elif isinstance(value, float):
        return Decimal(repr(value))
    return value


def rows_as_postgresql(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """SQLite's raw values as PostgreSQL's driver gives them: dates (SQLite returns ISO text), lists (JSON
    arrays) and decimals (floats)."""
    if postgresql():
        return rows
    return [tuple(_as_postgresql(value) for value in row) for row in rows]
