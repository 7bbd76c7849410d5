"""A finding in words a reviewer can act on, written at display time in the reader's language.

Numbers go through ``tracker.formatting`` with the indicator's unit and scale, so a finding reads "9,600 of
10,000" or "Rs 1.38 billion" like every other figure in the portal.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker.choices import RuleKind
from tracker.formatting import Figure, format_date, format_figure, format_number, format_period


def _figure(params: dict[str, Any], value: str | None, qualifier: str = "exact") -> str:
    if value is None:
        return "—"
    return format_figure(
        Figure(
            value=Decimal(value), unit=params.get("unit", "count"), scale=params.get("scale", 0), qualifier=qualifier
        )
    )


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _names(names: list[str]) -> str:
    return ", ".join(names)


def finding_message(kind: str, params: dict[str, Any]) -> str:
    """The sentence that explains a finding and says what to look at."""
    if kind == RuleKind.PARTS_WHOLE:
        whole = params.get("whole_body") or _("the national figure")
        coverage = ngettext(
            "%(reported)s of %(expected)s body reported: %(total)s of %(whole_value)s (%(whole)s).",
            "%(reported)s of %(expected)s bodies reported: %(total)s of %(whole_value)s (%(whole)s).",
            params["expected"],
        ) % {
            "reported": params["reported"],
            "expected": params["expected"],
            "total": _figure(params, params["total"]),
            "whole_value": _figure(params, params["whole"], params.get("whole_qualifier", "exact")),
            "whole": whole,
        }
        if params["reported"] == params["expected"]:
            advice = _(
                "Every part has reported, yet they do not add up to the whole (tolerance %(tolerance)s%%): "
                "check each part's figure and the whole's against their sources."
            ) % {"tolerance": format_number(Decimal(params["tolerance"]))}
        else:
            advice = _(
                "The parts that reported already exceed the whole (tolerance %(tolerance)s%%): one of them, or "
                "the whole, is probably wrong. Not yet reported: %(missing)s."
            ) % {"tolerance": format_number(Decimal(params["tolerance"])), "missing": _names(params["missing_bodies"])}
        return f"{coverage} {advice}"
    if kind == RuleKind.RANGE:
        value = _figure(params, params["value"], params.get("qualifier", "exact"))
        if params.get("fixed"):
            low = _figure(params, params["min"]) if params.get("min") is not None else "—"
            high = _figure(params, params["max"]) if params.get("max") is not None else "—"
            return _(
                "%(value)s is outside the plausible range %(low)s to %(high)s for %(indicator)s: check the figure "
                "and its unit and scale (thousands, millions) against the source."
            ) % {"value": value, "low": low, "high": high, "indicator": params["indicator"]}
        learnt = params.get("learnt") or {}
        return _(
            "%(value)s is far from this series' usual values: the median of its last %(count)s figures is "
            "%(median)s, and values between %(low)s and %(high)s are expected. Check the figure against its source "
            "before approving it."
        ) % {
            "value": value,
            "count": params.get("learnt_from", 0),
            "median": _figure(params, learnt.get("median")),
            "low": _figure(params, learnt.get("low")),
            "high": _figure(params, learnt.get("high")),
        }
    if kind == RuleKind.STOCK:
        return _(
            "%(indicator)s is a running total, but it falls from %(previous)s (%(previous_date)s) to %(value)s. "
            "A running total only falls through a correction of the earlier figure, with a reason: check which "
            "figure is wrong."
        ) % {
            "indicator": params["indicator"],
            "previous": _figure(params, params["previous"], params.get("previous_qualifier", "exact")),
            "previous_date": format_date(_date(params["previous_end"])),
            "value": _figure(params, params["value"], params.get("qualifier", "exact")),
        }
    if kind == RuleKind.RELATION:
        figures = "; ".join(f"{f['indicator']}: {_figure(params, f['value'])}" for f in params["figures"])
        return _("The figures break the rule “%(expression)s”: %(figures)s. Check them against their sources.") % {
            "expression": params["expression"],
            "figures": figures,
        }
    if kind == RuleKind.COMPLETENESS:
        due = format_date(_date(params["due"]))
        if params.get("missing"):
            return ngettext(
                "No figure for %(indicator)s from %(body)s: it was due on %(due)s, %(days)s day ago. Remind the "
                "reporter or record why it is missing.",
                "No figure for %(indicator)s from %(body)s: it was due on %(due)s, %(days)s days ago. Remind the "
                "reporter or record why it is missing.",
                params["days_late"],
            ) % {"indicator": params["indicator"], "body": params["body"], "due": due, "days": params["days_late"]}
        return ngettext(
            "The figure for %(indicator)s from %(body)s arrived on %(received)s, %(days)s day after it was due "
            "(%(due)s).",
            "The figure for %(indicator)s from %(body)s arrived on %(received)s, %(days)s days after it was due "
            "(%(due)s).",
            params["days_late"],
        ) % {
            "indicator": params["indicator"],
            "body": params["body"],
            "received": format_date(_date(params["received"])),
            "days": params["days_late"],
            "due": due,
        }
    return ""


def finding_figures(kind: str, params: dict[str, Any]) -> str:
    """The figures behind a finding on one line, for lists and exports."""
    if kind == RuleKind.PARTS_WHOLE:
        return _("parts %(total)s, whole %(whole)s") % {
            "total": _figure(params, params["total"]),
            "whole": _figure(params, params["whole"], params.get("whole_qualifier", "exact")),
        }
    if kind == RuleKind.RANGE:
        return _figure(params, params["value"], params.get("qualifier", "exact"))
    if kind == RuleKind.STOCK:
        return f"{_figure(params, params['previous'])} → {_figure(params, params['value'])}"
    if kind == RuleKind.RELATION:
        return "; ".join(_figure(params, f["value"]) for f in params["figures"])
    return ""


def finding_period(period_start: date | None, period_end: date) -> str:
    return format_period(period_start, period_end)
