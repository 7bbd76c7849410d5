"""Chart data for ``static/js/charts.js``: plain JSON, rendered with ``json_script`` (no inline script).

Values are sent scaled for display (98,300,000 with a million scale is 98.3) together with the label the
portal writes everywhere else ("about 98.3 million"), the period as precise as its source and the source
itself, so the tooltip says exactly what the tables say. A chart names each of its sources once, in
``sources``; a point gives the index of its own (``s``): a long source title on each of thousands of points was
a third of a chart's bytes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from tracker.choices import Scale
from tracker.formatting import Figure, figure_formatter, format_figure, format_period, scale_word
from tracker.models import Indicator
from tracker.selectors.dashboard import SeriesPoint


def _timestamp(day: date) -> int:
    """Milliseconds since the epoch at noon UTC, so no time zone moves a point to the day before."""
    return int(datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp() * 1000)


def _scaled(value: Decimal, scale: int) -> float:
    # Charts draw floats; the exact Decimal stays in the label and the tables.
    return float(value.scaleb(-int(scale)) if scale else value)


def axis_title(indicator: Indicator, *, accumulation: bool = False) -> str:
    """ "Count", "Rs (billion)"; with ``accumulation`` also "· running total" or "· per period"."""
    unit = str(indicator.get_unit_display())
    title = f"{unit} ({scale_word(indicator.scale)})" if indicator.scale != Scale.UNITS else unit
    return f"{title} · {str(indicator.get_accumulation_display()).lower()}" if accumulation else title


def chart_payload(
    indicator: Indicator,
    points: Iterable[SeriesPoint],
    *,
    series_label: dict[int, str] | None = None,
    indicators: dict[int, Indicator] | None = None,
) -> dict[str, Any]:
    """One chart: a dataset per series (indicator × body), and the target line where the indicator has one.

    ``indicators`` maps the ids of linked indicators (the crosswalk) to their objects, so their points are
    scaled and labelled by their own unit; ``series_label`` prefixes their series (e.g. "NAP 2014"). A linked
    indicator of the other accumulation (the 2014 running total of executions beside the 2021 count per period)
    is drawn against a second axis: a stock and a flow never share one.
    """
    indicators = {indicator.pk: indicator, **(indicators or {})}
    # Formatters made once per chart, periods formatted once per distinct period: per point, format_period
    # and gettext were 41 of 56 s of a dashboard at 100k (issue 15).
    figure_of = figure_formatter()
    period_of = functools.lru_cache(maxsize=None)(format_period)
    national = _("National")
    datasets: dict[tuple[int, int | None], dict[str, Any]] = {}
    sources: dict[str, int] = {}  # each source's index in the chart's list
    xs: list[int] = []
    for point in points:
        owner = indicators[point.indicator_id]
        key = (point.indicator_id, point.body_id)
        if key not in datasets:
            body = point.body_label or national
            prefix = (series_label or {}).get(point.indicator_id)
            datasets[key] = {
                "label": f"{prefix} · {body}" if prefix else body,
                "kind": "series",
                "axis": "y" if owner.accumulation == indicator.accumulation else "y2",
                "points": [],
            }
        x = _timestamp(point.period_end)
        xs.append(x)
        datasets[key]["points"].append(
            {
                "x": x,
                "y": _scaled(point.value, owner.scale),
                "figure": figure_of(point.value, owner.unit, owner.scale, point.qualifier, ""),
                "period": period_of(point.period_start, point.period_end, point.date_precision),
                "s": sources.setdefault(point.source, len(sources)),
            }
        )
    series = list(datasets.values())
    if indicator.target_value is not None and xs:
        target_figure = format_figure(Figure(value=indicator.target_value, unit=indicator.unit, scale=indicator.scale))
        end = _timestamp(indicator.target_date) if indicator.target_date else max(xs)
        y = _scaled(indicator.target_value, indicator.scale)
        series.append(
            {
                "label": _("Target"),
                "kind": "target",
                "axis": "y",
                "points": [
                    {"x": min(xs), "y": y, "figure": target_figure, "period": ""},
                    {"x": max(end, min(xs)), "y": y, "figure": target_figure, "period": ""},
                ],
            }
        )
    second = next((indicators[k[0]] for k, d in datasets.items() if d["axis"] == "y2"), None)
    return {
        "id": indicator.code,
        "title": indicator.name,
        "axis": axis_title(indicator, accumulation=second is not None),
        "axis2": axis_title(second, accumulation=True) if second is not None else "",
        "series": series,
        "sources": list(sources),
    }
