"""The one validation of an entered figure. The form, the entry grid, the API and the import all call it, so a
rule refuses the same input everywhere with the same message.

Two halves:
- ``input_errors``: the rules that need no query (dates within bounds, value within the column's range, text
  length, the model's own rules on period shape and unit);
- ``conflict_errors`` / ``conflicts_for_many``: the rules against what is already recorded — one open figure
  per indicator, body and period; a period that already has an approved figure takes a correction, not a
  second figure; a reporting body enters only the indicators of items it leads or supports.

Digits typed on an Urdu or Arabic keyboard are read as the same number (``ascii_digits``) before any parsing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.choices import ObservationState

if TYPE_CHECKING:
    from tracker.services.observations import ObservationInput

# No figure of the plan describes a period before Pakistan existed; a year such as 0001 or 0201 is a typo.
EARLIEST_PERIOD = date(1947, 1, 1)
# The value column keeps 24 digits, 4 of them after the point.
VALUE_MAX_DIGITS = 24
VALUE_DECIMAL_PLACES = 4
_VALUE_LIMIT = Decimal(10) ** (VALUE_MAX_DIGITS - VALUE_DECIMAL_PLACES)
# The longest text any entry path takes, per field (a reason is shorter: it is read in a queue).
TEXT_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 2000

# Every state before approval: a figure in any of them is "open".
OPEN_STATES = tuple(state for state in ObservationState if state != ObservationState.APPROVED)

# Arabic-Indic (U+0660–0669) and Extended Arabic-Indic, as Urdu writes them (U+06F0–06F9), with the Arabic
# decimal and thousands separators.
_DIGITS = {
    **{0x0660 + i: str(i) for i in range(10)},
    **{0x06F0 + i: str(i) for i in range(10)},
    0x066B: ".",
    0x066C: ",",
}


def ascii_digits(text: str) -> str:
    """``text`` with Arabic-Indic and Urdu digits (and the Arabic separators) written as ASCII."""
    return text.translate(_DIGITS)


# --- the messages: one per rule, the same on every path -------------------------------------------------------


def msg_period_future(end: date) -> str:
    return _("The period ends on %(date)s, after today: enter a figure once its period has ended.") % {
        "date": end.isoformat()
    }


def msg_period_too_early() -> str:
    return _("Dates before 1947 are not accepted: check the year.")


def msg_value_range() -> str:
    return _("Too many digits: at most 20 before the point and 4 after.")


def msg_text_too_long(length: int, limit: int = TEXT_MAX_LENGTH) -> str:
    return _("At most %(limit)s characters; this has %(length)s.") % {"limit": limit, "length": length}


def msg_open_duplicate(obs_id: int) -> str:
    return _(
        "This indicator, body and period already have an open figure (#%(id)s, %(url)s): "
        "edit that one instead of entering a second."
    ) % {"id": obs_id, "url": reverse("tracker:observation-detail", args=[obs_id])}


def msg_needs_correction(obs_id: int) -> str:
    return _(
        "This indicator, body and period already have an approved figure (#%(id)s, %(url)s): "
        "correct it instead of entering a new one."
    ) % {"id": obs_id, "url": reverse("tracker:observation-detail", args=[obs_id])}


def msg_not_responsible(body: Any, indicator: Any) -> str:
    return _(
        "%(body)s is neither lead nor supporting body of the agenda item of “%(indicator)s”, so it does not "
        "report it. NACTA M&E can add the responsibility."
    ) % {"body": body, "indicator": indicator}


def msg_national_only_me() -> str:
    return _("Only NACTA M&E enters national figures.")


# --- rules without a query ------------------------------------------------------------------------------------


def value_errors(value: Decimal | None) -> list[str]:
    if value is None:
        return []
    # 12.50000 is 12.5: only the digits that carry the value count against the four decimal places.
    exponent = value.normalize().as_tuple().exponent if value.is_finite() else None
    if not isinstance(exponent, int) or abs(value) >= _VALUE_LIMIT or exponent < -VALUE_DECIMAL_PLACES:
        return [msg_value_range()]
    return []


def date_errors(value: date | None, *, today: date, may_be_future: bool = False) -> list[str]:
    if value is None:
        return []
    if value < EARLIEST_PERIOD:
        return [msg_period_too_early()]
    if not may_be_future and value > today:
        return [msg_period_future(value)]
    return []


def text_errors(text: str, limit: int = TEXT_MAX_LENGTH) -> list[str]:
    return [msg_text_too_long(len(text), limit)] if len(text) > limit else []


def input_errors(data: ObservationInput, *, today: date | None = None) -> dict[str, list[str]]:
    """Every rule on one entered figure that needs no query, as ``{field: [messages]}``."""
    from tracker.models.indicators import observation_errors

    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(field: str, messages: Iterable[str]) -> None:
        for message in messages:
            errors.setdefault(field, []).append(message)

    add("period_end", date_errors(data.period_end, today=today))
    # The start of a period that has ended is before today; only the lower bound can fail on its own.
    add("period_start", date_errors(data.period_start, today=today, may_be_future=True))
    add("value", value_errors(data.value))
    for name in ("text_value", "quote", "note"):
        add(name, text_errors(getattr(data, name)))
    if errors:
        return errors
    # The period's shape for its precision, a number or a text for the indicator's unit: the model's own rules.
    model_errors = observation_errors(
        indicator=data.indicator,
        period_start=data.period_start,
        period_end=data.period_end,
        date_precision=data.date_precision,
        value=data.value,
        text_value=data.text_value,
    )
    for field, message in model_errors.items():
        add(field, [message])
    return errors


# --- rules against what is recorded ---------------------------------------------------------------------------


def _series_period(indicator_id: int, body_id: int | None, start: date | None, end: date) -> tuple[Any, ...]:
    return (indicator_id, body_id, start, end)


def conflicts_for_many(
    rows: Sequence[ObservationInput], *, ignore_ids: Iterable[int] = (), corrections: Iterable[int] = ()
) -> list[dict[str, list[str]]]:
    """The recorded-data rules for many figures in two queries, one ``{field: [messages]}`` per row.

    ``ignore_ids``: observations that do not count as conflicts (the one being edited, the figure being
    corrected). ``corrections``: indexes of ``rows`` that are corrections, for which an approved figure in the
    same period is expected rather than refused.
    """
    from tracker import selectors
    from tracker.models import Observation

    results: list[dict[str, list[str]]] = [{} for _row in rows]
    if not rows:
        return results
    ignored = set(ignore_ids)
    correcting = set(corrections)
    keys = {_series_period(r.indicator.pk, r.body.pk if r.body else None, r.period_start, r.period_end) for r in rows}
    body_ids = {r.body.pk for r in rows if r.body is not None}
    reported = selectors.indicators_reported_by_bodies(body_ids=body_ids) if body_ids else {}
    recorded: dict[tuple[Any, ...], list[tuple[int, str]]] = {}
    existing = (
        Observation.objects.filter(
            indicator_id__in={k[0] for k in keys},
            period_end__in={k[3] for k in keys},
            state__in=(*OPEN_STATES, ObservationState.APPROVED),
        )
        .exclude(pk__in=ignored)
        .order_by("-approved_at", "-pk")
        .values_list("pk", "indicator_id", "body_id", "period_start", "period_end", "state")
    )
    for pk, indicator_id, body_id, start, end, state in existing:
        recorded.setdefault(_series_period(indicator_id, body_id, start, end), []).append((pk, state))
    for index, row in enumerate(rows):
        errors = results[index]
        if row.body is not None and row.indicator.pk not in reported.get(row.body.pk, set()):
            errors.setdefault("indicator", []).append(msg_not_responsible(row.body, row.indicator))
            continue
        key = _series_period(row.indicator.pk, row.body.pk if row.body else None, row.period_start, row.period_end)
        found = recorded.get(key, [])
        open_ids = [pk for pk, state in found if state in OPEN_STATES]
        approved_ids = [pk for pk, state in found if state == ObservationState.APPROVED]
        if open_ids:
            errors.setdefault("period_end", []).append(msg_open_duplicate(min(open_ids)))
        elif approved_ids and index not in correcting:
            errors.setdefault("period_end", []).append(msg_needs_correction(approved_ids[0]))
    return results


def conflict_errors(
    data: ObservationInput, *, ignore_ids: Iterable[int] = (), correction: bool = False
) -> dict[str, list[str]]:
    return conflicts_for_many([data], ignore_ids=ignore_ids, corrections=[0] if correction else [])[0]


def validate_observation_input(
    data: ObservationInput, *, ignore_ids: Iterable[int] = (), correction: bool = False
) -> None:
    """Raise ``ValidationError({field: [messages]})`` when any rule refuses the figure. Every path calls this."""
    errors = input_errors(data)
    if not errors:
        errors = conflict_errors(data, ignore_ids=ignore_ids, correction=correction)
    if errors:
        raise ValidationError(errors)
