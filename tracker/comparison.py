"""Whether two figures of a report cell or a dashboard card may be compared, and how sure a computed change is.

A change is computed only between figures that measure the same thing the same way: the same series (or one
the crosswalk declares a continuation of), the same accumulation (a running total against a running total,
a count for a period against a count for a period of the same length). Otherwise the report says the figures
are not comparable and why, in words, rather than printing a percentage nobody should read.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from tracker.choices import Accumulation, ValueQualifier
from tracker.models import Observation

LOWER_BOUNDS = {ValueQualifier.MORE_THAN, ValueQualifier.AT_LEAST}
UPPER_BOUNDS = {ValueQualifier.LESS_THAN}


def not_comparable_reason(before: Observation, now: Observation) -> str:
    """Why ``before`` and ``now`` cannot be compared, in words; empty when they can."""
    old, new = before.indicator, now.indicator
    same_series = old.pk == new.pk or old.continues_id == new.pk or new.continues_id == old.pk
    if not same_series:
        return _("the figures belong to different series")
    if old.accumulation != new.accumulation:
        return _("a running total cannot be compared with a count for a period")
    if new.accumulation == Accumulation.PER_PERIOD:
        if before.period_start is None or now.period_start is None:
            return _("a count for a period needs the period it covers")
        if _length(before.period_start, before.period_end) != _length(now.period_start, now.period_end):
            return _("the periods are of different lengths")
    return ""


def _length(start: date, end: date) -> tuple[str, int]:
    """A period's length in whole months when it runs from a month's first day to a month's last, else in days."""
    if start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]:
        return ("months", (end.year - start.year) * 12 + end.month - start.month + 1)
    return ("days", (end - start).days + 1)


def change_bound(before_qualifier: str, now_qualifier: str) -> str:
    """How the true change relates to the one computed from the figures as published.

    "about" when either figure is approximate; "at_least" when the true change can only be larger (the new
    figure is a lower bound, or the old one an upper bound); "at_most" when it can only be smaller; "unknown"
    when the bounds pull both ways (two lower bounds, say); "" when both figures are exact.
    """
    if ValueQualifier.ABOUT in (before_qualifier, now_qualifier):
        return "about"
    larger = now_qualifier in LOWER_BOUNDS or before_qualifier in UPPER_BOUNDS
    smaller = now_qualifier in UPPER_BOUNDS or before_qualifier in LOWER_BOUNDS
    if larger and smaller:
        return "unknown"
    return "at_least" if larger else "at_most" if smaller else ""


def qualified_percent(percent: Decimal, bound: str, text: str) -> str:
    """ "↑331%" read with its bound: "at least ↑331%", "at most ↓7%", "about ↑12%".

    A bound on the signed change reads the other way for a fall: a change of at least -7% is a fall of at most 7%.
    """
    if bound == "about":
        return _("about %(change)s") % {"change": text}
    if bound in ("at_least", "at_most"):
        falling = percent < 0
        if (bound == "at_least") != falling:
            return _("at least %(change)s") % {"change": text}
        return _("at most %(change)s") % {"change": text}
    return text
