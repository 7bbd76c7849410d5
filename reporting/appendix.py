"""The XLSX appendix: every dated figure of the report's `{period}` series, which the report itself lists
yearly once a series is long (``builder.LISTED_WHOLE``).

Read as plain rows from one streamed query (``values_list().iterator()``), never as model instances, so a
million-figure database costs memory for one chunk at a time; periods are formatted once per distinct period.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import F

from reporting.builder import period_history
from reporting.definitions import NATIONAL, ReportParams
from tracker.formatting import figure_formatter, format_period_label
from tracker.models import Body, Framework, Observation

CHUNK = 5_000


@dataclass(frozen=True)
class AppendixRow:
    indicator_code: str
    indicator: str
    body: str  # the reporting body's short name; empty for a national figure
    period: str
    period_start: date | None
    period_end: date
    value: Decimal | None
    unit: str
    qualifier: str
    figure: str  # as the portal reads it: "28,500+", "about 30,000"
    source: str  # "publisher, title"


def history_appendix(params: ReportParams) -> Iterator[AppendixRow]:
    """Every published figure of the `{period}` series the report for ``params`` reads (same date, knowledge
    date, scope and crosswalk), series by series, oldest first. Two queries before the first row."""
    framework = Framework.objects.filter(slug=params.framework).first()
    if framework is None:
        return
    base = Observation.objects.all()
    if params.scope != NATIONAL:
        body = Body.objects.reporting().filter(slug=params.scope).first()
        if body is None:
            return
        base = base.filter(body=body)
    rows = (
        period_history(base, framework, params.as_of, params.knowledge_date)
        .order_by("series_id", F("body__short_name").asc(nulls_first=True), "period_end", "approved_at", "pk")
        .values_list(
            "indicator__code",
            "indicator__name",
            "indicator__unit",
            "indicator__scale",
            "body__short_name",
            "period_start",
            "period_end",
            "date_precision",
            "value",
            "value_qualifier",
            "text_value",
            "source__publisher__name",
            "source__title",
        )
    )
    periods: dict[tuple[date | None, date, str], str] = {}
    formatted = figure_formatter(style=params.number_style)
    for (
        code,
        name,
        unit,
        scale,
        body_name,
        start,
        end,
        precision,
        value,
        qualifier,
        text,
        publisher,
        title,
    ) in rows.iterator(chunk_size=CHUNK):
        key = (start, end, precision)
        if key not in periods:
            periods[key] = format_period_label(start, end, precision)
        yield AppendixRow(
            indicator_code=code,
            indicator=name,
            body=body_name or "",
            period=periods[key],
            period_start=start,
            period_end=end,
            value=value,
            unit=unit,
            qualifier=qualifier,
            figure=formatted(value, unit, scale, qualifier, text),
            source=f"{publisher}, {title}",
        )
