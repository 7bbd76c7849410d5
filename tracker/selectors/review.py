"""The review queue: each submission with what a decision needs, for a page at a fixed number of queries.

Per row: framework and item, source, evidence count, conversation (count and last message), resubmission and
duplicate flags, the previous approved figure of the same series, and what changed since the version the
reviewer last saw (the submission before this one).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from tracker import permissions
from tracker.choices import AWAITING_DECISION_STATES, FindingState, ObservationState
from tracker.formatting import Figure, format_figure, format_period
from tracker.models import Evidence, Finding, Observation, ObservationComment, ObservationSnapshot
from tracker.models.querysets import previous_id
from tracker.permissions import UserLike
from tracker.selectors.audit import ObjectNames, display_value, field_label

S = ObservationState


def _count(queryset: QuerySet[Any], ref: str = "observation") -> Coalesce:
    counted = queryset.filter(**{ref: OuterRef("pk")}).order_by().values(ref).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def review_queue(*, user: UserLike) -> QuerySet[Observation]:
    """Submissions waiting for review, oldest first, annotated with what each row shows (no query per row)."""
    # Another live figure for the same indicator, body and period: two entries of one fact, or a mistake.
    twins = (
        Observation.objects.filter(
            indicator=OuterRef("indicator"),
            period_end=OuterRef("period_end"),
            state__in=[S.SUBMITTED, S.VERIFIED, S.APPROVED],
        )
        .exclude(pk=OuterRef("pk"))
        # (coalesced: "id <> NULL" would be unknown and drop every row)
        .exclude(pk=Coalesce(OuterRef("supersedes_id"), Value(0)))
        .exclude(superseded_by__state=S.APPROVED)
    )
    return (
        Observation.objects.restrict(user, "view")
        .filter(state__in=AWAITING_DECISION_STATES)
        .select_related("indicator__item__framework", "body", "source__publisher", "created_by")
        # The previous approved figure: the published series' own definition (never superseded, never later).
        .with_previous()
        .annotate(
            evidence_count=_count(Evidence.objects.all()),
            comment_count=_count(ObservationComment.objects.all()),
            submission_count=_count(ObservationSnapshot.objects.all()),
            has_twin=Case(
                When(body__isnull=True, then=Exists(twins.filter(body__isnull=True))),
                default=Exists(twins.filter(body=OuterRef("body"))),
            ),
        )
        .order_by("submitted_at", "pk")
    )


QUEUE_FLAGS = ("resubmitted", "duplicate", "no_evidence", "findings", "needs_another_reviewer")


def filter_flag(queryset: QuerySet[Observation], flag: str, *, user: UserLike) -> QuerySet[Observation]:
    # The names are review_queue()'s annotations (the type checker knows only model fields).
    annotated: dict[str, dict[str, Any]] = {
        "resubmitted": {"submission_count__gt": 1},
        "duplicate": {"has_twin": True},
        "no_evidence": {"evidence_count": 0},
    }
    if flag in annotated:
        return queryset.filter(**annotated[flag])
    if flag == "findings":
        # The data-quality flags the rows show (tracker.validation): any finding not resolved.
        unresolved = Finding.objects.filter(observation=OuterRef("pk")).exclude(state=FindingState.RESOLVED)
        return queryset.filter(Exists(unresolved))
    if flag == "needs_another_reviewer":
        # The user's own entries, which another reviewer must decide; nobody signed in has none.
        return queryset.filter(created_by_id=user.pk) if user.is_authenticated else queryset.none()
    return queryset


def filter_age(queryset: QuerySet[Observation], days: int) -> QuerySet[Observation]:
    return queryset.filter(submitted_at__lte=timezone.now() - timedelta(days=days))


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass
class ReviewRow:
    observation: Observation
    previous: Observation | None
    may_approve: bool
    changes: list[Change] = field(default_factory=list)
    last_comment: ObservationComment | None = None

    @property
    def resubmitted(self) -> bool:
        return int(getattr(self.observation, "submission_count", 0)) > 1

    @property
    def duplicate(self) -> bool:
        return bool(getattr(self.observation, "has_twin", False))

    @property
    def previous_figure(self) -> str:
        if self.previous is None:
            return ""
        indicator = self.observation.indicator
        return format_figure(
            Figure(
                self.previous.value,
                indicator.unit,
                indicator.scale,
                self.previous.value_qualifier,
                self.previous.text_value,
            )
        )

    @property
    def previous_period(self) -> str:
        if self.previous is None:
            return ""
        return format_period(self.previous.period_start, self.previous.period_end, self.previous.date_precision)

    @property
    def change(self) -> Decimal | None:
        if self.previous is None or self.previous.value is None or self.observation.value is None:
            return None
        return self.observation.value - self.previous.value

    @property
    def change_percent(self) -> Decimal | None:
        change = self.change
        if change is None or not self.previous or not self.previous.value:
            return None
        return (change / self.previous.value * 100).quantize(Decimal("0.1"))


def review_rows(page: Iterable[Observation], *, user: UserLike) -> list[ReviewRow]:
    """Complete a page of the queue: previous figures, earlier submissions and last messages, one query each."""

    observations = list(page)
    ids = [o.pk for o in observations]
    follows = {o.pk: previous_id(o) for o in observations}
    wanted = [pk for pk in follows.values() if pk is not None]
    previous = Observation.objects.in_bulk(wanted) if wanted else {}
    snapshots: dict[int, list[ObservationSnapshot]] = defaultdict(list)
    resubmitted = [o.pk for o in observations if int(getattr(o, "submission_count", 0)) > 1]
    if resubmitted:
        # The two newest submissions of each resubmitted figure: now and the one the reviewer last saw.
        for snap in ObservationSnapshot.objects.filter(observation_id__in=resubmitted).order_by(
            "observation_id", "-version"
        ):
            if len(snapshots[snap.observation_id]) < 2:
                snapshots[snap.observation_id].append(snap)
    last_comments: dict[int, ObservationComment] = {}
    if ids and any(int(getattr(o, "comment_count", 0)) for o in observations):
        last_comments = {
            c.observation_id: c
            for c in ObservationComment.objects.filter(observation_id__in=ids)
            .select_related("author")
            .order_by("observation_id", "-created_at", "-pk")
            .distinct("observation_id")
        }
    names = ObjectNames()
    diffs: dict[int, list[tuple[str, Any, Any]]] = {}
    for obs_id, snaps in snapshots.items():
        if len(snaps) < 2:
            continue
        now, before = snaps[0].values, snaps[1].values
        pairs = [(name, before.get(name), now.get(name)) for name in now if before.get(name) != now.get(name)]
        diffs[obs_id] = pairs
        for name, old, new in pairs:
            related = Observation._meta.get_field(name).related_model
            if isinstance(related, type):
                names.want(related, old)
                names.want(related, new)
    names.fetch()
    rows = []
    for o in observations:
        changes = [
            Change(
                label=field_label(Observation, name),
                old=display_value(Observation, name, old, names),
                new=display_value(Observation, name, new, names),
            )
            for name, old, new in diffs.get(o.pk, [])
        ]
        rows.append(
            ReviewRow(
                observation=o,
                previous=previous.get(follows[o.pk] or 0),
                may_approve=permissions.can(user, "approve", o) or permissions.can(user, "verify", o),
                changes=changes,
                last_comment=last_comments.get(o.pk),
            )
        )
    return rows


__all__ = ["QUEUE_FLAGS", "ReviewRow", "filter_age", "filter_flag", "review_queue", "review_rows"]
