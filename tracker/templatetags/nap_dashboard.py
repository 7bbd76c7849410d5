"""Template filters for the dashboard's chart points (plain values, not observations)."""

from __future__ import annotations

from django import template

from tracker.formatting import Figure, format_figure
from tracker.models import Indicator
from tracker.selectors.dashboard import SeriesPoint

register = template.Library()


@register.filter
def point_figure(point: SeriesPoint, indicator: Indicator) -> str:
    """A chart point's value as its source gives it, in its indicator's unit and scale."""
    return format_figure(
        Figure(value=point.value, unit=indicator.unit, scale=indicator.scale, qualifier=point.qualifier)
    )
