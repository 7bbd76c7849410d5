"""Reads of the single-figure form: what the reporter sees beside the figure they type (unit, target, last
approved figure of the series) — two queries, whatever the series' history."""

from dataclasses import dataclass

from tracker.formatting import format_figure, format_period, observation_figure
from tracker.models import Indicator, Observation


@dataclass(frozen=True)
class FigureContext:
    indicator: Indicator
    national: bool
    last: Observation | None

    @property
    def last_figure(self) -> str:
        return format_figure(observation_figure(self.last)) if self.last is not None else ""

    @property
    def last_period(self) -> str:
        last = self.last
        return format_period(last.period_start, last.period_end, last.date_precision) if last is not None else ""


def _id(raw: object) -> int | None:
    try:
        return int(str(raw)) if raw not in (None, "") else None
    except ValueError:
        return None


def figure_context(*, indicator: object, body: object) -> FigureContext | None:
    """The panel for the indicator and body chosen on the form (ids as posted; anything else shows nothing).

    The last approved figure is THE latest figure of the series (``latest_per_series``: published, never one an
    approved correction replaced) of the same indicator and body, national when no body."""
    indicator_id, body_id = _id(indicator), _id(body)
    if indicator_id is None:
        return None
    found = Indicator.objects.select_related("item__framework").filter(pk=indicator_id).first()
    if found is None:
        return None
    series = Observation.objects.filter(indicator_id=indicator_id)
    series = series.filter(body__isnull=True) if body_id is None else series.filter(body_id=body_id)
    last = series.latest_per_series().select_related("indicator").first()
    return FigureContext(indicator=found, national=body_id is None, last=last)
