"""Checking imported rows against the database: each row becomes "create", "unchanged", "empty" or errors.

Everything the rows refer to is loaded up front in a fixed number of queries, so checking 10,000 rows costs
the same handful of queries as checking ten.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker import permissions, selectors
from tracker.choices import DatePrecision, Unit, ValueQualifier
from tracker.imports.reading import RawRow
from tracker.models import Body, Indicator, Observation, Source
from tracker.services import ObservationInput

CREATE, UNCHANGED, ERROR, EMPTY = "create", "unchanged", "error", "empty"
OUTCOMES = (CREATE, UNCHANGED, ERROR, EMPTY)
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{2,3})*|\d+)(\.\d+)?$")
# The database keeps 24 digits, 4 of them after the point.
_MAX_VALUE = Decimal(10) ** 20


@dataclass
class RowOutcome:
    row: int
    outcome: str
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    observation: int | None = None  # the existing observation of an unchanged row
    data: ObservationInput | None = None  # what a "create" row will write


@dataclass
class ImportCheck:
    rows: list[RowOutcome]

    @property
    def has_errors(self) -> bool:
        return any(r.outcome == ERROR for r in self.rows)

    @property
    def to_create(self) -> list[ObservationInput]:
        return [r.data for r in self.rows if r.outcome == CREATE and r.data is not None]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for r in self.rows:
            counts[r.outcome] += 1
        return counts

    def lines(self) -> list[dict[str, Any]]:
        """One line per row, or per problem of a row with errors: what the dry run shows."""
        out: list[dict[str, Any]] = []
        for r in self.rows:
            if r.outcome == ERROR:
                out += [
                    {"row": r.row, "outcome": ERROR, "column": col, "message": msg, "observation": None}
                    for col, msg in r.problems
                ]
            else:
                out.append(
                    {"row": r.row, "outcome": r.outcome, "column": "", "message": "", "observation": r.observation}
                )
        return out


def _key(indicator_id: int, body_id: int | None, start: date | None, end: date, source_id: int) -> tuple[Any, ...]:
    return (indicator_id, body_id, start, end, source_id)


class _Context:
    """What the rows refer to, loaded once."""

    def __init__(self, actor: Any, rows: list[RawRow]) -> None:
        def wanted(column: str) -> set[str]:
            return {r.cells.get(column, "") for r in rows} - {""}

        self.indicators = {i.code: i for i in Indicator.objects.filter(code__in=wanted("indicator"))}
        self.bodies = {b.slug: b for b in Body.objects.filter(slug__in=wanted("body"))}
        self.sources = {s.slug: s for s in Source.objects.filter(slug__in=wanted("source"))}
        self.writable = set(
            permissions.writable_bodies(actor)
            .filter(pk__in=[b.pk for b in self.bodies.values()])
            .values_list("pk", flat=True)
        )
        self.reported = selectors.indicators_reported_by_bodies(body_ids=self.writable)
        existing = Observation.objects.filter(
            indicator__in=list(self.indicators.values()),
            body_id__in=self.writable,
            source__in=list(self.sources.values()),
        ).only(
            "id",
            "indicator_id",
            "body_id",
            "period_start",
            "period_end",
            "source_id",
            "value",
            "value_qualifier",
            "text_value",
            "date_precision",
            "state",
        )
        self.existing: dict[tuple[Any, ...], list[Observation]] = {}
        for obs in existing:
            key = _key(obs.indicator_id, obs.body_id, obs.period_start, obs.period_end, obs.source_id)
            self.existing.setdefault(key, []).append(obs)


def check_rows(*, actor: Any, rows: list[RawRow]) -> ImportCheck:
    """The outcome of every row, as a dry run shows it; nothing is written."""
    ctx = _Context(actor, rows)
    today = timezone.localdate()
    seen: dict[tuple[Any, ...], int] = {}
    outcomes = []
    for raw in rows:
        outcome = _check_row(raw, ctx, today)
        if outcome.outcome in (CREATE, UNCHANGED) and outcome.data is not None:
            d = outcome.data
            assert d.body is not None
            key = _key(d.indicator.pk, d.body.pk, d.period_start, d.period_end, d.source.pk)
            if key in seen:
                outcome = RowOutcome(
                    raw.number,
                    ERROR,
                    [("", _("Repeats row %(row)s: same indicator, body, period and source.") % {"row": seen[key]})],
                )
            else:
                seen[key] = raw.number
        outcomes.append(outcome)
    return ImportCheck(outcomes)


def _check_row(raw: RawRow, ctx: _Context, today: date) -> RowOutcome:
    cells = raw.cells
    problems: list[tuple[str, str]] = [
        (col, _("This cell holds a formula: enter the figure itself.")) for col in raw.formulas
    ]
    if problems:
        return RowOutcome(raw.number, ERROR, problems)  # the other checks would only repeat "enter the figure"
    if not any(cells.get(c) for c in ("value", "text_value", "period_end", "source")):
        return RowOutcome(raw.number, EMPTY)  # a template line left for later

    indicator = ctx.indicators.get(cells.get("indicator", ""))
    if indicator is None:
        problems.append(("indicator", _("Unknown indicator “%(code)s”.") % {"code": cells.get("indicator", "")}))
    body = ctx.bodies.get(cells.get("body", ""))
    if body is None:
        problems.append(("body", _("Unknown body “%(slug)s”.") % {"slug": cells.get("body", "")}))
    elif body.pk not in ctx.writable:
        problems.append(("body", _("You do not report for %(body)s.") % {"body": body}))
    elif indicator is not None and indicator.pk not in ctx.reported.get(body.pk, set()):
        problems.append(
            ("indicator", _("%(body)s does not report on “%(ind)s”.") % {"body": body, "ind": indicator.code})
        )
    if indicator is not None and not _unit_matches(cells.get("unit", ""), indicator):
        problems.append(
            (
                "unit",
                _("The unit is “%(given)s” but %(ind)s is measured in %(unit)s.")
                % {"given": cells.get("unit", ""), "ind": indicator.code, "unit": indicator.unit},
            )
        )
    source = ctx.sources.get(cells.get("source", ""))
    if source is None:
        problems.append(("source", _("Unknown source “%(slug)s”.") % {"slug": cells.get("source", "")}))

    period_end = _date(cells.get("period_end", ""), "period_end", problems, today, required=True)
    period_start = _date(cells.get("period_start", ""), "period_start", problems, today, required=False)
    precision = cells.get("date_precision", "") or DatePrecision.DAY
    if precision not in DatePrecision.values:
        problems.append(("date_precision", _("Use one of: %(v)s.") % {"v": ", ".join(DatePrecision.values)}))
    qualifier = cells.get("value_qualifier", "") or ValueQualifier.EXACT
    if qualifier not in ValueQualifier.values:
        problems.append(("value_qualifier", _("Use one of: %(v)s.") % {"v": ", ".join(ValueQualifier.values)}))
    value: Decimal | None = None
    text_value = cells.get("text_value", "")
    if indicator is not None:
        if indicator.unit == Unit.TEXT:
            if cells.get("value"):
                problems.append(("value", _("This indicator records a text status: put it in text_value.")))
        else:
            value = _number(cells.get("value", ""), problems)
            if text_value:
                problems.append(("text_value", _("This indicator records a number: leave text_value empty.")))

    if problems or indicator is None or body is None or source is None or period_end is None:
        return RowOutcome(raw.number, ERROR, problems)

    data = ObservationInput(
        indicator=indicator,
        body=body,
        period_start=period_start,
        period_end=period_end,
        date_precision=precision,
        value=value,
        value_qualifier=qualifier,
        text_value=text_value,
        source=source,
        quote=cells.get("quote", ""),
        note=cells.get("note", ""),
    )
    model_problems = _model_problems(data)
    if model_problems:
        return RowOutcome(raw.number, ERROR, model_problems)
    existing = ctx.existing.get(_key(indicator.pk, body.pk, period_start, period_end, source.pk), [])
    for obs in existing:
        if (obs.value, obs.value_qualifier, obs.text_value, obs.date_precision) == (
            value,
            qualifier,
            text_value,
            precision,
        ):
            return RowOutcome(raw.number, UNCHANGED, observation=obs.pk, data=data)
    if existing:
        message = _(
            "Already recorded as observation #%(id)s (%(state)s) with another value: edit that one, "
            "or correct it if it is approved, instead of importing it again."
        ) % {"id": existing[0].pk, "state": existing[0].get_state_display()}
        return RowOutcome(raw.number, ERROR, [("value", message)])
    return RowOutcome(raw.number, CREATE, data=data)


def _unit_matches(given: str, indicator: Indicator) -> bool:
    given = given.strip().lower()
    return given in (indicator.unit, str(Unit(indicator.unit).label).lower())


def _date(text: str, column: str, problems: list[tuple[str, str]], today: date, *, required: bool) -> date | None:
    if not text:
        if required:
            problems.append((column, _("Enter the date the figure refers to (YYYY-MM-DD).")))
        return None
    try:
        value = date.fromisoformat(text[:10]) if len(text) in (10, 19) else None
    except ValueError:
        value = None
    if value is None:
        problems.append((column, _("“%(text)s” is not a date: write it as YYYY-MM-DD.") % {"text": text}))
        return None
    if value > today:
        problems.append((column, _("%(date)s is in the future.") % {"date": value.isoformat()}))
    return value


def _number(text: str, problems: list[tuple[str, str]]) -> Decimal | None:
    if not text:
        problems.append(("value", _("Enter the figure.")))
        return None
    if not _NUMBER.match(text):
        problems.append(
            (
                "value",
                _("“%(text)s” is not a number. Write digits only; put “about”, “more than” in value_qualifier.")
                % {"text": text},
            )
        )
        return None
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        problems.append(("value", _("“%(text)s” is not a number.") % {"text": text}))
        return None
    if abs(value) >= _MAX_VALUE or value.as_tuple().exponent < -4:  # type: ignore[operator]
        problems.append(("value", _("Too many digits: at most 20 before the point and 4 after.")))
        return None
    return value


def _model_problems(data: ObservationInput) -> list[tuple[str, str]]:
    """The model's own rules (period shape, negative counts, percentages), checked without a query."""
    obs = Observation()
    data.apply_to(obs)
    try:
        obs.clean()
    except ValidationError as exc:
        return [(col if col != "__all__" else "", msg) for col, msgs in exc.message_dict.items() for msg in msgs]
    return []
