"""Template tags of the validation pages: the flags a submission carries in the review queue."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("tracker/validation/_flags.html")
def finding_flags(flags: dict[int, dict[str, int]], observation_id: int) -> dict[str, Any]:
    """Open findings of one figure, by severity (``flags`` from ``selectors.open_finding_counts``)."""
    counts = flags.get(observation_id) or {}
    return {"errors": counts.get("error", 0), "warnings": counts.get("warning", 0), "observation_id": observation_id}
