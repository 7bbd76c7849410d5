"""Template filters for the workflow pages; they delegate to tracker.formatting."""

from datetime import date
from decimal import Decimal
from typing import Any

from django import template

from tracker import formatting
from tracker.formatting import format_date, format_figure, format_number, format_period

register = template.Library()


@register.filter
def observation_figure(obs: Any) -> str:
    """An observation's figure as its source gives it ("about 30,000", "Rs 1.38 billion")."""
    return "" if obs is None else format_figure(formatting.observation_figure(obs))


@register.filter
def observation_period(obs: Any) -> str:
    if obs is None:
        return ""
    return format_period(obs.period_start, obs.period_end, obs.date_precision)


@register.filter
def signed_number(value: Decimal | None) -> str:
    if value is None:
        return ""
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{format_number(abs(value))}"


@register.filter
def day(value: date | None) -> str:
    return format_date(value) if value else ""


@register.simple_tag(takes_context=True)
def can(context: Any, action: str, obj: Any = None) -> bool:
    """``{% can "approve" obs as may_approve %}``: ask the policy from a template."""
    from tracker import permissions

    return permissions.can(context["request"].user, action, obj)


@register.filter
def audit_action(code: str) -> str:
    """An audit action in words ("Figure approved"), as the audit trail shows it."""
    from tracker.selectors.audit import action_label

    return action_label(code)
