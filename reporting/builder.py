"""Builds the annotated status report: one row per agenda item with its current status as NACTA writes it.

The builder reads the database in a fixed number of queries and returns plain data (``Report``); renderers
turn that into HTML, PDF, XLSX and CSV, and an edition stores its JSON form to compare editions later.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, Window
from django.db.models.functions import DenseRank, ExtractYear, RowNumber
from django.utils import translation
from django.utils.translation import gettext as _

from reporting.definitions import NATIONAL, ReportParams, ReportParamsError
from tracker.choices import Direction, ResponsibilityRole, Unit
from tracker.comparison import change_bound, not_comparable_reason, qualified_percent
from tracker.formatting import (
    INTERNATIONAL,
    Figure,
    format_date,
    format_date_long,
    format_figure,
    format_number,
    format_period_label,
)
from tracker.models import AgendaItem, Assessment, Body, Framework, Indicator, Observation, Responsibility, Source
from tracker.models.querysets import ObservationQuerySet, id_among, newest_first, series_key, via_crosswalk
from tracker.selectors import latest_assessments, latest_figures

# Bump when the layout of a report changes, so that equal data under a new layout makes a new edition.
# 3: a long `{period}` series listed yearly, its whole history only in the XLSX appendix
# 4: the PDF lists national figures in its table and bodies' figures in an annex, capped per indicator
# 5: a change's percentage carries its qualifier (at least / at most / about) in the XLSX and CSV; a change in a
#    wording that names the period names both periods
REPORT_LAYOUT_VERSION = 5  # 2: bodies named in every cell, knowledge date, qualifiers and references
HISTORY_PLACEHOLDER = "{period}"
# A `{period}` series of up to LISTED_WHOLE dated figures is listed whole, as NACTA writes it; a longer one lists
# the latest figure of each of its last LISTED_YEARS years and its latest figure, so a cell stays the same size
# at a million figures. Every figure is in the XLSX appendix (``history_appendix``).
LISTED_WHOLE = 12
LISTED_YEARS = 5


@dataclass(frozen=True)
class Footnote:
    number: int
    publisher: str
    title: str
    date: str
    url: str
    reference: str = ""  # the originating document, shown where there is no URL

    @property
    def text(self) -> str:
        parts = [self.publisher, f"“{self.title}”"]
        if self.date:
            parts.append(self.date)
        return ", ".join(parts)


@dataclass(frozen=True)
class FigureEntry:
    """One dated figure of a status cell, with the footnote of its source."""

    text: str
    figure: str  # the figure as the portal reads it, qualifier included: "28,500+", "about 30,000"
    quote: str  # the figure in the source's own words, where recorded
    value: Decimal | None
    unit: str
    scale: int
    qualifier: str
    period: str
    period_start: date | None
    period_end: date
    date_precision: str
    footnote: int
    via: str  # "via crosswalk from NAP 2014 item 14", or empty


@dataclass(frozen=True)
class Change:
    text: str  # "5,489 → 5,089 accounts, ↓7%"
    trend: str  # better / worse / neutral / unchanged / new / not_comparable
    percent: Decimal | None
    # How the true change relates to the signed ``percent`` (``comparison.change_bound``): "at_least" (it is a
    # lower bound), "at_most", "about", or "" (exact). The text says it in words ("at most ↓80%"); the files'
    # numeric change column needs it beside the number, as a figure's value needs its qualifier.
    qualifier: str = ""

    @property
    def trend_label(self) -> str:
        labels = {
            "better": _("better"),
            "worse": _("worse"),
            "neutral": "",
            "unchanged": _("unchanged"),
            # "new" is said by the text itself ("new: 5 Executions"): no second label.
        }
        return labels.get(self.trend, "")


@dataclass(frozen=True)
class StatusCell:
    """The status of one indicator: its latest figure, or its dated series when the template names the period."""

    indicator: str  # code: the stable key of the cell across editions
    label: str
    direction: str
    figures: list[FigureEntry]
    change: Change | None = None
    body: str = ""  # the reporting body's short name; empty for a national figure
    history_total: int = 0  # a long `{period}` series listed yearly: how many dated figures it has in all

    @property
    def listing_note(self) -> str:
        """Said under a series listed yearly, so the reader knows the listing is a selection."""
        if self.history_total <= len(self.figures):
            return ""
        return _("yearly; all %(count)s figures in the XLSX appendix") % {
            "count": format_number(self.history_total, style=INTERNATIONAL)
        }

    @property
    def text(self) -> str:
        return self.named("; ".join(f.text for f in self.figures))

    @property
    def change_text(self) -> str:
        """The comparison, named like the figures: "Punjab: 2 → 2 Executions"."""
        return self.named(self.change.text) if self.change and self.change.text else ""

    def named(self, text: str) -> str:
        """``text`` with the reporting body's name in front, so a body's figure never reads as national."""
        return f"{self.body}: {text}" if self.body and text else text

    @property
    def latest(self) -> FigureEntry:
        return self.figures[-1]


@dataclass(frozen=True)
class Rating:
    code: str
    label: str
    date: str
    footnote: int | None


@dataclass(frozen=True)
class ReportRow:
    number: int
    title: str
    category: str
    cells: list[StatusCell]
    lead_bodies: list[str]
    supporting_bodies: list[str]
    rating: Rating | None

    @property
    def status_text(self) -> str:
        return " ".join(cell.text for cell in self.cells)

    @property
    def bodies_text(self) -> str:
        parts = []
        if self.lead_bodies:
            parts.append(_("Lead: %(bodies)s") % {"bodies": ", ".join(self.lead_bodies)})
        if self.supporting_bodies:
            parts.append(_("Supporting: %(bodies)s") % {"bodies": ", ".join(self.supporting_bodies)})
        return "; ".join(parts)


@dataclass(frozen=True)
class Report:
    params: ReportParams
    framework_title: str
    heading: str  # "Status as of 1st October 2017"
    knowledge: str  # "as known on 1st October 2017" or "with hindsight"
    scope_label: str
    compare_heading: str
    rows: list[ReportRow]
    footnotes: list[Footnote] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """Plain JSON (Decimals and dates as strings): stored with an edition, hashed into its fingerprint."""
        data = asdict(self)
        data["params"] = self.params.to_json()
        data["layout_version"] = REPORT_LAYOUT_VERSION
        return _jsonable(data)  # type: ignore[return-value]

    @property
    def fingerprint(self) -> str:
        """The digest of everything the report says (``to_json``'s content), from tuples of the fields: no
        ``asdict``, which deep-copies every one of a national report's thousands of figures."""
        content = (
            REPORT_LAYOUT_VERSION,
            self.params.to_json(),
            _values(self, _REPORT_TEXTS),
            [
                (
                    _values(row, _ROW_FIELDS),
                    _values(row.rating, _RATING_FIELDS) if row.rating else None,
                    [
                        (
                            _values(cell, _CELL_FIELDS),
                            _values(cell.change, _CHANGE_FIELDS) if cell.change else None,
                            [_values(figure, _FIGURE_FIELDS) for figure in cell.figures],
                        )
                        for cell in row.cells
                    ],
                )
                for row in self.rows
            ],
            [_values(note, _FOOTNOTE_FIELDS) for note in self.footnotes],
        )
        # Decimals and dates as their text, as in ``to_json``; keys (of the parameters) sorted.
        encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        return hashlib.sha256(encoded.encode()).hexdigest()


def _names(cls: type, *nested: str) -> tuple[str, ...]:
    """A dataclass's field names but the ``nested`` ones, which the fingerprint walks itself."""
    return tuple(f.name for f in fields(cls) if f.name not in nested)


def _values(obj: object, names: tuple[str, ...]) -> tuple[object, ...]:
    return tuple(getattr(obj, name) for name in names)


_FIGURE_FIELDS = _names(FigureEntry)
_CHANGE_FIELDS = _names(Change)
_CELL_FIELDS = _names(StatusCell, "figures", "change")
_RATING_FIELDS = _names(Rating)
_ROW_FIELDS = _names(ReportRow, "cells", "rating")
_FOOTNOTE_FIELDS = _names(Footnote)
_REPORT_TEXTS = _names(Report, "params", "rows", "footnotes")


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal | date):
        return str(value)
    return value


def fill_status_template(template: str, *, value: str, period: str) -> str:
    """Fill "{value} Cases ({period})" by plain replacement: a template is data, never a format string."""
    return template.replace("{value}", value).replace(HISTORY_PLACEHOLDER, period)


class _Footnotes:
    """Numbers sources in order of first use in the table."""

    def __init__(self) -> None:
        self.numbers: dict[int, int] = {}
        self.notes: list[Footnote] = []

    def number(self, source: Source) -> int:
        if source.pk not in self.numbers:
            self.numbers[source.pk] = len(self.numbers) + 1
            self.notes.append(
                Footnote(
                    number=self.numbers[source.pk],
                    publisher=source.publisher.name,
                    title=source.title,
                    date=format_date(source.published_on, source.date_precision) if source.published_on else "",
                    url=source.url,
                    reference=source.reference,
                )
            )
        return self.numbers[source.pk]


def build_report(params: ReportParams) -> Report:
    """The report for ``params`` from the data in the database now. Queries: 7, +1 with a comparison date, +1
    for a body's scope — whatever the number of items, indicators or observations."""
    with translation.override(params.language):
        return _build(params)


def _build(params: ReportParams) -> Report:
    framework = Framework.objects.filter(slug=params.framework).first()
    if framework is None:
        raise ReportParamsError(_("Unknown framework “%(slug)s”.") % {"slug": params.framework})
    body: Body | None = None
    if params.scope != NATIONAL:
        body = Body.objects.reporting().filter(slug=params.scope).first()
        if body is None:
            raise ReportParamsError(_("Unknown body “%(slug)s”.") % {"slug": params.scope})

    items = list(
        AgendaItem.objects.filter(framework=framework)
        .order_by("number")
        .prefetch_related(
            Prefetch(
                "responsibilities",
                queryset=Responsibility.objects.select_related("body").order_by("body__short_name"),
            ),
            Prefetch("indicators", queryset=Indicator.objects.order_by("position", "code")),
        )
    )
    known_on = params.knowledge_date
    series = _series_as_of(framework, params.as_of, body, known_on)
    previous: dict[tuple[int, int | None], Observation] = {}
    if params.compare:
        # Both sides of a change as known on the same date: a change is never an artefact of later revisions.
        previous = {
            series_key(o): o
            for o in latest_figures(framework=framework, as_of=params.compare, body=body, known_on=known_on)
        }
    ratings = {a.item_id: a for a in latest_assessments(framework=framework, as_of=params.as_of, known_on=known_on)}

    footnotes = _Footnotes()
    periods: dict[tuple[date | None, date, str], str] = {}  # a label per distinct period, not per figure
    rows = []
    for item in items:
        cells = []
        for indicator in item.indicators.all():
            # National figures first, then each reporting body's own series, named in the cell.
            for (series_id, body_id), observations in sorted(
                ((key, obs) for key, obs in series.items() if key[0] == indicator.pk), key=_national_first
            ):
                reporter = observations[-1].body
                figures = [_figure(indicator, o, params, footnotes, periods) for o in observations]
                total = max((vars(o).get("history_total") or 0) for o in observations)
                change = (
                    _change(indicator, previous.get((series_id, body_id)), observations[-1], params)
                    if params.compare
                    else None
                )
                cells.append(
                    StatusCell(
                        indicator.code if reporter is None else f"{indicator.code}@{reporter.slug}",
                        indicator.name,
                        indicator.direction,
                        figures,
                        change,
                        # A body's own report need not repeat its name in every cell.
                        body=reporter.short_name if reporter and body is None else "",
                        history_total=total if total > len(figures) else 0,
                    )
                )
        responsibilities = list(item.responsibilities.all())
        rows.append(
            ReportRow(
                number=item.number,
                title=item.title,
                category=item.get_category_display(),
                cells=cells,
                lead_bodies=[r.body.short_name for r in responsibilities if r.role == ResponsibilityRole.LEAD],
                supporting_bodies=[
                    r.body.short_name for r in responsibilities if r.role == ResponsibilityRole.SUPPORTING
                ],
                rating=_rating(ratings.get(item.pk), footnotes),
            )
        )
    return Report(
        params=params,
        framework_title=framework.title,
        heading=_("Status as of %(date)s") % {"date": format_date_long(params.as_of)},
        knowledge=(
            _("as known on %(date)s") % {"date": format_date_long(known_on)}
            if known_on
            else _("with hindsight: every figure known when this edition was generated")
        ),
        scope_label=body.name if body else _("National figures"),
        compare_heading=(
            _("Change since %(date)s") % {"date": format_date_long(params.compare)} if params.compare else ""
        ),
        rows=rows,
        footnotes=footnotes.notes,
    )


def _national_first(entry: tuple[tuple[int, int | None], list[Observation]]) -> tuple[bool, str]:
    reporter = entry[1][-1].body
    return (reporter is not None, reporter.short_name if reporter else "")


def _series_as_of(
    framework: Framework, as_of: date, body: Body | None, known_on: date | None
) -> dict[tuple[int, int | None], list[Observation]]:
    """Observations to show per indicator of ``framework``, oldest first: the latest one, or the dated ones
    when the status template names the period ("185 Cases (2012)", "37 Cases (2016)") as NACTA writes it —
    every one for a short series, yearly for a long one (``LISTED_WHOLE``). Two queries, the listing decided
    in SQL, so the rows read and rendered do not grow with a series' length."""
    base = Observation.objects.all() if body is None else Observation.objects.filter(body=body)
    # The listing is chosen over narrow rows (ids and window columns), then fetched by id with its joins:
    # sorting the joined rows of a hundred thousand figures spilled to disk.
    totals = dict(_period_listing(base, framework, as_of, known_on).values_list("pk", "history_total"))  # type: ignore[misc]
    # One fetch for the latest figures and the listed ones: each row's series is worked out once, in one query.
    # The ids gathered first (``id = ANY(ARRAY(…))``), then fetched by primary key: an OR of two IN lists, or an
    # IN over their union, made PostgreSQL read the whole table.
    latest = latest_figures(framework=framework, as_of=as_of, body=body, known_on=known_on).order_by().values("pk")
    # (Both parts unordered: SQLite refuses an ORDER BY inside a compound statement.)
    listed = Observation.objects.filter(pk__in=list(totals)).order_by().values("pk")
    ids = latest.union(listed, all=True) if totals else latest
    figures = {}
    for obs in (
        Observation.objects.with_series(crosswalk=framework)
        .filter(id_among(ids))
        .select_related("indicator__item__framework", "body", "source__publisher")
    ):
        obs.history_total = totals.get(obs.pk, 0)  # type: ignore[attr-defined]
        figures[obs.pk] = obs
    shown: dict[tuple[int, int | None], list[Observation]] = {}
    # Oldest first in the reverse of the one tie-break, so a cell's last figure is its series' latest one.
    for obs in sorted(figures.values(), key=_reading_order):
        shown.setdefault(series_key(obs), []).append(obs)
    return shown


def _period_listing(
    base: ObservationQuerySet, framework: Framework, as_of: date, known_on: date | None
) -> ObservationQuerySet:
    """The dated figures a `{period}` cell lists, each with ``history_total`` (its series' length): a series of
    up to ``LISTED_WHOLE`` figures whole; a longer one the latest figure of each of its last ``LISTED_YEARS``
    years (the widest period among equals: a year's own figure before its December)."""
    series = [F("series_id"), F("body_id")]
    year = ExtractYear("period_end")
    # A year's latest figure; at an equal end, the wider period (the year's own figure before its December).
    latest_widest = [F("period_end").desc(), F("period_start").asc(nulls_last=True), *newest_first(crosswalk=True)]
    return (
        period_history(base, framework, as_of, known_on)
        .annotate(
            history_total=Window(Count("pk"), partition_by=series),
            year_rank=Window(
                RowNumber(),
                partition_by=[*series, year],
                order_by=latest_widest,
            ),
            years_back=Window(DenseRank(), partition_by=series, order_by=year.desc()),
        )
        .filter(Q(history_total__lte=LISTED_WHOLE) | Q(year_rank=1, years_back__lte=LISTED_YEARS))
    )


def period_history(
    base: ObservationQuerySet, framework: Framework, as_of: date, known_on: date | None
) -> ObservationQuerySet:
    """Every published dated figure of the framework's `{period}` series: what the report lists and the XLSX
    appendix holds whole."""
    return (
        base.series_figures(as_of=as_of, crosswalk=framework, known_on=known_on)
        .filter(indicator__status_template__contains=HISTORY_PLACEHOLDER)
        .order_by()
    )


def _reading_order(obs: Observation) -> tuple[date, bool, float, int]:
    """``oldest_first(crosswalk=True)`` in Python: the two queries' rows merged into one reading order."""
    approved = obs.approved_at.timestamp() if obs.approved_at else float("-inf")
    return (obs.period_end, not via_crosswalk(obs), approved, obs.pk)


def _figure(
    indicator: Indicator,
    obs: Observation,
    params: ReportParams,
    footnotes: _Footnotes,
    periods: dict[tuple[date | None, date, str], str],
) -> FigureEntry:
    # A figure carried over the crosswalk reads as its own indicator wrote it.
    template = obs.indicator.status_template or indicator.status_template
    key = (obs.period_start, obs.period_end, obs.date_precision)
    period = periods.get(key) or periods.setdefault(key, format_period_label(*key))
    value_text = format_figure(_as_figure(obs), style=params.number_style)
    via = ""
    if via_crosswalk(obs):
        source_item = obs.indicator.item
        via = _("via crosswalk from %(framework)s item %(number)s") % {
            "framework": source_item.framework.short_title,
            "number": source_item.number,
        }
    return FigureEntry(
        text=fill_status_template(template, value=value_text, period=period),
        figure=value_text,
        quote=obs.quote,
        value=obs.value,
        unit=obs.indicator.unit,
        scale=obs.indicator.scale,
        qualifier=obs.value_qualifier,
        period=period,
        period_start=obs.period_start,
        period_end=obs.period_end,
        date_precision=obs.date_precision,
        footnote=footnotes.number(obs.source),
        via=via,
    )


def _as_figure(obs: Observation) -> Figure:
    ind = obs.indicator
    return Figure(obs.value, ind.unit, ind.scale, obs.value_qualifier, obs.text_value)


def _change(indicator: Indicator, before: Observation | None, now: Observation, params: ReportParams) -> Change:
    """ "5,489 → 5,089 accounts, ↓7%": the arrow shows the movement; the trend reads it by the indicator's
    direction (fewer attacks is better, fewer blocked accounts is worse). Figures that do not measure the same
    thing the same way are shown side by side with the reason they are not comparable (``comparison``)."""
    style = params.number_style
    template = now.indicator.status_template or indicator.status_template
    period = format_period_label(now.period_start, now.period_end, now.date_precision)
    new_text = fill_status_template(template, value=format_figure(_as_figure(now), style=style), period=period)
    if before is None:
        return Change(_("new: %(status)s") % {"status": new_text}, "new", None)
    if before.pk == now.pk:
        return Change("", "unchanged", None)
    old_figure = format_figure(_as_figure(before), style=style)
    new_figure = format_figure(_as_figure(now), style=style)
    # Both figures inside the indicator's own wording: "Schedule IV: 2,646 → 8,374", "5,489 → 5,089 accounts"; a
    # wording that names the period names both ("185 → 37 Cases (2012 → 2016)"), so the older figure is never
    # read as one of the newer period.
    old_period = format_period_label(before.period_start, before.period_end, before.date_precision)
    periods = period if old_period == period else f"{old_period} → {period}"
    both = fill_status_template(template, value=f"{old_figure} → {new_figure}", period=periods)
    reason = not_comparable_reason(before, now)
    if reason:
        return Change(
            _("%(figures)s: not comparable, %(reason)s") % {"figures": both, "reason": reason}, "not_comparable", None
        )
    if before.value is None or now.value is None or now.indicator.unit == Unit.PERCENT_CHANGE:
        if old_figure == new_figure:
            return Change("", "unchanged", None)
        return Change(both, "neutral", None)
    delta = now.value - before.value
    bound = change_bound(before.value_qualifier, now.value_qualifier)
    movement = "up" if delta > 0 else "down" if delta < 0 else "flat"
    if bound == "unknown" or (movement == "flat" and bound in ("at_least", "at_most")):
        # Two bounds that pull both ways (or a tie of bounds): the direction of the change is not known.
        return Change(both, "neutral", None)
    if movement == "flat" or indicator.direction == Direction.NEUTRAL:
        trend = "neutral" if movement != "flat" else "unchanged"
    else:
        better = (movement == "up") == (indicator.direction == Direction.HIGHER_IS_BETTER)
        trend = "better" if better else "worse"
    if before.value == 0:
        return Change(both, trend, None)
    percent = (delta / before.value * 100).quantize(Decimal(1))
    arrow = "↑" if delta > 0 else "↓" if delta < 0 else "±"
    # A percentage is never grouped the South Asian way: "↑1,38,641%" reads as a figure, not a ratio.
    percent_text = qualified_percent(percent, bound, f"{arrow}{format_number(abs(percent), style=INTERNATIONAL)}%")
    if bound in ("at_least", "at_most") and (bound == "at_least") == (delta < 0):
        # The true change may be smaller, down to none or the other way: the trend is not known.
        trend = "neutral"
    return Change(f"{both}, {percent_text}", trend, percent, bound)


def _rating(assessment: Assessment | None, footnotes: _Footnotes) -> Rating | None:
    if assessment is None:
        return None
    return Rating(
        code=assessment.rating,
        label=assessment.get_rating_display(),
        date=format_date(assessment.as_of, assessment.date_precision),
        footnote=footnotes.number(assessment.source) if assessment.source else None,
    )
