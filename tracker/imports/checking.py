"""Checking imported rows against the database: each row becomes "create", "unchanged", "empty" or errors.

Everything the rows refer to is loaded up front in a fixed number of queries, so checking 10,000 rows costs
the same handful of queries as checking ten.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker import entry_validation as validation
from tracker import permissions
from tracker.choices import BodyKind, DatePrecision, Unit, ValueQualifier
from tracker.imports.columns import SOURCE_COLUMNS
from tracker.imports.reading import ImportBudget, RawRow
from tracker.models import Body, Indicator, Observation, Source
from tracker.services import ObservationInput, SourceInput, sources_find
from tracker.services.sources import source_input_errors

CREATE, UNCHANGED, ERROR, EMPTY = "create", "unchanged", "error", "empty"
OUTCOMES = (CREATE, UNCHANGED, ERROR, EMPTY)
_NUMBER = re.compile(r"^[+-]?([0-9]{1,3}(,[0-9]{2,3})*|[0-9]+)(\.[0-9]+)?$")


@dataclass
class RowOutcome:
    row: int
    outcome: str
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    observation: int | None = None  # the existing observation of an unchanged row
    data: ObservationInput | None = None  # what a "create" row will write
    new_source: SourceInput | None = None  # a source given in place that the commit adds first


@dataclass
class ImportCheck:
    rows: list[RowOutcome]

    @property
    def has_errors(self) -> bool:
        return any(r.outcome == ERROR for r in self.rows)

    @property
    def to_create(self) -> list[ObservationInput]:
        return [r.data for r in self.rows if r.outcome == CREATE and r.data is not None]

    @property
    def new_sources(self) -> int:
        """Distinct sources the commit adds (given in place and not recorded yet)."""
        return len({id(r.data.source) for r in self.rows if r.new_source is not None and r.data is not None})

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
        self.publisher_bodies = {b.slug: b for b in Body.objects.filter(slug__in=wanted("source_publisher"))}
        self.national = permissions.can_report_national(actor)
        self.precisions = _choice_lookup(DatePrecision)
        self.qualifiers = _choice_lookup(ValueQualifier)
        self.writable = set(
            permissions.writable_bodies(actor)
            .filter(pk__in=[b.pk for b in self.bodies.values()])
            .values_list("pk", flat=True)
        )
        self._describe_sources(rows)
        cited = [*self.sources.values(), *(s for _d, s in self.described.values() if s.pk is not None)]
        in_scope = Q(body_id__in=self.writable) | (Q(body__isnull=True) if self.national else Q(pk__in=[]))
        existing = Observation.objects.filter(
            in_scope, indicator__in=list(self.indicators.values()), source__in=cited
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

    def _describe_sources(self, rows: list[RawRow]) -> None:
        """Sources given in place (publisher, title, date, URL) instead of a key: each distinct one checked once
        and looked up once; one not recorded yet stands as an unsaved ``Source`` until the commit adds it."""
        described: dict[tuple[str, ...], SourceInput] = {}
        self.source_problems: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        for raw in rows:
            cells = raw.cells
            if cells.get("source") or not any(cells.get(c) for c in SOURCE_COLUMNS):
                continue
            key = tuple(cells.get(c, "") for c in SOURCE_COLUMNS)
            if key in described or key in self.source_problems:
                continue
            data, problems = _source_input(cells, self.publisher_bodies)
            if problems or data is None:
                self.source_problems[key] = problems
            else:
                described[key] = data
        self.described: dict[tuple[str, ...], tuple[SourceInput, Source]] = {}
        keys = list(described)
        for key, found in zip(keys, sources_find([described[k] for k in keys]), strict=True):
            data = described[key]
            if found is None:
                publisher = data.publisher or Body(
                    name=data.publisher_name, short_name=data.publisher_name[:40], kind=data.publisher_kind
                )
                found = Source(
                    publisher=publisher,
                    title=data.title,
                    published_on=data.published_on,
                    date_precision=data.date_precision,
                    url=data.url,
                )
            self.described[key] = (data, found)

    def source_of(self, cells: dict[str, str], problems: list[tuple[str, str]]) -> tuple[Source | None, Any]:
        """The row's source and, when the commit must add it, its description."""
        slug = cells.get("source", "")
        if slug:
            source = self.sources.get(slug)
            if source is None:
                problems.append(("source", _("Unknown source “%(slug)s”.") % {"slug": slug}))
            return source, None
        key = tuple(cells.get(c, "") for c in SOURCE_COLUMNS)
        if key in self.source_problems:
            problems.extend(self.source_problems[key])
            return None, None
        if key not in self.described:
            problems.append(
                (
                    "source",
                    _(
                        "Give the source: its key in “source”, or its publisher, title and date in "
                        "“source_publisher”, “source_title” and “source_date” (and its web address in “source_url”)."
                    ),
                )
            )
            return None, None
        data, source = self.described[key]
        return source, (data if source.pk is None else None)


def check_rows(*, actor: Any, rows: list[RawRow], budget: ImportBudget | None = None) -> ImportCheck:
    """The outcome of every row, as a dry run shows it; nothing is written.

    With ``budget`` (the import's, shared with the reading), raises ``ImportRefused`` once it is spent.
    """
    budget = budget or ImportBudget()
    ctx = _Context(actor, rows)
    today = timezone.localdate()
    seen: dict[tuple[Any, ...], int] = {}
    outcomes = []
    for index, raw in enumerate(rows):
        if not index & 0xFF:  # every 256 rows: cheap, and a slow check still stops within a fraction of a second
            budget.check()
        outcome = _check_row(raw, ctx, today)
        if outcome.outcome in (CREATE, UNCHANGED) and outcome.data is not None:
            d = outcome.data
            # One figure per indicator, body and period, whatever the source: the rule of the one validation.
            key = (d.indicator.pk, d.body.pk if d.body else None, d.period_start, d.period_end)
            if key in seen:
                outcome = RowOutcome(
                    raw.number,
                    ERROR,
                    [("", _("Repeats row %(row)s: same indicator, body and period.") % {"row": seen[key]})],
                )
            else:
                seen[key] = raw.number
        outcomes.append(outcome)
    budget.check()
    creating = [o for o in outcomes if o.outcome == CREATE and o.data is not None]
    conflicts = validation.conflicts_for_many([o.data for o in creating if o.data is not None])
    for outcome, errors in zip(creating, conflicts, strict=True):
        if errors:
            outcome.outcome = ERROR
            outcome.problems = [(column, message) for column, messages in errors.items() for message in messages]
            outcome.data = None
    return ImportCheck(outcomes)


def _check_row(raw: RawRow, ctx: _Context, today: date) -> RowOutcome:
    cells = raw.cells
    problems: list[tuple[str, str]] = [
        (col, _("This cell holds a formula: enter the figure itself.")) for col in raw.formulas
    ]
    if problems:
        return RowOutcome(raw.number, ERROR, problems)  # the other checks would only repeat "enter the figure"
    if not any(cells.get(c) for c in ("value", "text_value", "period_end", "source", "source_title")):
        return RowOutcome(raw.number, EMPTY)  # a template line left for later

    indicator = ctx.indicators.get(cells.get("indicator", ""))
    if indicator is None:
        problems.append(("indicator", msg_unknown_indicator(cells.get("indicator", ""))))
    body_slug = cells.get("body", "")
    body = ctx.bodies.get(body_slug)
    if not body_slug:
        if not ctx.national:
            problems.append(("body", validation.msg_national_only_me()))
    elif body is None:
        problems.append(("body", _("Unknown body “%(slug)s”.") % {"slug": body_slug}))
    elif body.pk not in ctx.writable:
        problems.append(("body", _("You do not report for %(body)s.") % {"body": body}))
    if indicator is not None and not _unit_matches(cells.get("unit", ""), indicator):
        problems.append(
            (
                "unit",
                _("The unit is “%(given)s” but %(ind)s is measured in %(unit)s.")
                % {"given": cells.get("unit", ""), "ind": indicator.code, "unit": indicator.unit},
            )
        )
    source, new_source = ctx.source_of(cells, problems)

    period_end = _date(cells.get("period_end", ""), "period_end", problems, required=True)
    period_start = _date(cells.get("period_start", ""), "period_start", problems, required=False)
    precision = _choice(cells.get("date_precision", ""), ctx.precisions, DatePrecision.DAY, "date_precision", problems)
    qualifier = _choice(
        cells.get("value_qualifier", ""), ctx.qualifiers, ValueQualifier.EXACT, "value_qualifier", problems
    )
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

    if problems or indicator is None or (body is None and body_slug) or source is None or period_end is None:
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
    rule_problems = validation.input_errors(data, today=today)
    if rule_problems:
        return RowOutcome(
            raw.number, ERROR, [(col, msg) for col, messages in rule_problems.items() for msg in messages]
        )
    if new_source is not None:
        return RowOutcome(raw.number, CREATE, data=data, new_source=new_source)
    key = _key(indicator.pk, body.pk if body else None, period_start, period_end, source.pk)
    for obs in ctx.existing.get(key, []):
        if (obs.value, obs.value_qualifier, obs.text_value, obs.date_precision) == (
            value,
            qualifier,
            text_value,
            precision,
        ):
            return RowOutcome(raw.number, UNCHANGED, observation=obs.pk, data=data)
    # Another value for a recorded period is refused by the one validation (edit it, or correct it).
    return RowOutcome(raw.number, CREATE, data=data)


def msg_unknown_indicator(code: str) -> str:
    return _(
        "Unknown indicator “%(code)s”. Indicators are added by NACTA M&E or a portal administrator; reporters "
        "can propose one on the “Propose an indicator” page, %(url)s, and NACTA M&E accepts or declines it."
    ) % {"code": code, "url": reverse("tracker:proposal-create")}


def _choice_lookup(choices: Any) -> dict[str, str]:
    """Code and label of each choice, in the words a person types: ``more_than``, “more than”, “More Than”."""
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        lookup[_typed(value)] = value
        lookup[_typed(str(label))] = value
    return lookup


def _typed(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()


def _choice(text: str, lookup: dict[str, str], default: str, column: str, problems: list[tuple[str, str]]) -> str:
    """A choice by its code or by its label, in any case."""
    if not text:
        return default
    value = lookup.get(_typed(text))
    if value is None:
        codes = sorted(set(lookup.values()))
        problems.append((column, _("Use one of: %(v)s.") % {"v": ", ".join(codes)}))
        return default
    return value


def _unit_matches(given: str, indicator: Indicator) -> bool:
    given = given.strip().lower()
    # The code first: translating the label costs more than the rest of a row's checks.
    return given == indicator.unit or given == str(Unit(indicator.unit).label).lower()


def _date(text: str, column: str, problems: list[tuple[str, str]], *, required: bool) -> date | None:
    text = validation.ascii_digits(text)
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
    return value


def _number(text: str, problems: list[tuple[str, str]]) -> Decimal | None:
    text = validation.ascii_digits(text)
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
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        problems.append(("value", _("“%(text)s” is not a number.") % {"text": text}))
        return None


def _source_input(cells: dict[str, str], bodies: dict[str, Body]) -> tuple[SourceInput | None, list[tuple[str, str]]]:
    """A source described in place. The publisher is a body's key, or the name of an outside publisher; the
    date is a year, a month or a day (2017, 2017-10, 2017-10-05), which is also its precision."""
    problems: list[tuple[str, str]] = []
    publisher_cell = " ".join(cells.get("source_publisher", "").split())
    publisher = bodies.get(publisher_cell)
    text = validation.ascii_digits(cells.get("source_date", "").strip())
    published_on, precision = None, DatePrecision.DAY
    try:
        if len(text) == 4:
            published_on, precision = date(int(text), 1, 1), DatePrecision.YEAR
        elif len(text) == 7:
            published_on, precision = date(int(text[:4]), int(text[5:7]), 1), DatePrecision.MONTH
        elif text:
            published_on = date.fromisoformat(text[:10])
    except ValueError:
        problems.append(
            ("source_date", _("“%(text)s” is not a date: write 2017, 2017-10 or 2017-10-05.") % {"text": text})
        )
    data = SourceInput(
        title=cells.get("source_title", ""),
        published_on=published_on,
        publisher=publisher,
        publisher_name="" if publisher else publisher_cell,
        publisher_kind=BodyKind.OTHER_PUBLISHER,
        date_precision=precision,
        url=cells.get("source_url", ""),
        reference=cells.get("source_reference", ""),
    )
    columns = {"publisher": "source_publisher", "title": "source_title", "published_on": "source_date"}
    if not problems:
        for name, messages in source_input_errors(data).items():
            problems += [(columns.get(name, f"source_{name}"), message) for message in messages]
    return (None if problems else data), problems
