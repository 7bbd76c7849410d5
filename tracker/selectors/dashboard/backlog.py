"""The dashboard's review backlog (pending submissions by age) and recent activity (the audit trail's tail).
Only the review widgets look at pending work, and only at the pending work the policy lets the user see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from tracker.choices import AWAITING_DECISION_STATES
from tracker.models import AuditEntry, Observation
from tracker.selectors.dashboard.series import UserLike

BACKLOG_LIST_SIZE = 10
ACTIVITY_SIZE = 15


@dataclass
class Backlog:
    """Submissions waiting for review, by how long they have waited."""

    total: int
    under_week: int
    week_to_month: int
    over_month: int
    oldest_submitted_at: datetime | None
    oldest: list[Observation]


def review_backlog(user: UserLike, *, now: datetime | None = None) -> Backlog:
    """Pending submissions the user may see (submitted or verified: the review queue's), by age, and the oldest
    few: two queries."""
    now = now or timezone.now()
    week, month = now - timedelta(days=7), now - timedelta(days=30)
    pending = Observation.objects.restrict(user, "view").filter(state__in=AWAITING_DECISION_STATES)
    agg = pending.aggregate(
        total=Count("pk"),
        under_week=Count("pk", filter=Q(submitted_at__gt=week)),
        over_month=Count("pk", filter=Q(submitted_at__lte=month)),
        oldest=Min("submitted_at"),
    )
    oldest = list(
        pending.select_related("indicator__item__framework", "body", "created_by").order_by("submitted_at", "pk")[
            :BACKLOG_LIST_SIZE
        ]
    )
    total: int = agg["total"]
    under_week: int = agg["under_week"]
    over_month: int = agg["over_month"]
    return Backlog(
        total=total,
        under_week=under_week,
        week_to_month=total - under_week - over_month,
        over_month=over_month,
        oldest_submitted_at=agg["oldest"],
        oldest=oldest,
    )


def recent_activity(*, limit: int = ACTIVITY_SIZE) -> list[AuditEntry]:
    """The latest audit entries, newest first. Only for users the policy lets read the audit trail."""
    return list(AuditEntry.objects.order_by("-at", "-id")[:limit])
