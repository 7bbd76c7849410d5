"""Reads for the workflow pages. Every observation query starts from the policy's visible set."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Case, Exists, Model, OuterRef, QuerySet, Subquery, Value, When

from tracker import permissions
from tracker.cadence import Period, due_date, due_status, last_closed_period
from tracker.choices import Cadence, DueStatus, ObservationState, ValueQualifier
from tracker.formatting import Figure, format_figure, format_period
from tracker.models import AuditEntry, Observation, ReportingAssignment
from tracker.models.querysets import ObservationQuerySet, previous_id
from tracker.permissions import UserLike

S = ObservationState


@dataclass(frozen=True)
class AssignmentRow:
    assignment: ReportingAssignment
    period: Period
    due: date
    status: str
    last_value: Decimal | None
    last_text: str | None
    last_qualifier: str | None
    last_period_end: date | None

    @property
    def last_figure(self) -> str:
        """The last approved figure as the portal writes every figure ("about 30,000", "Rs 1.38 billion")."""
        if self.last_period_end is None:
            return ""
        indicator = self.assignment.indicator
        return format_figure(
            Figure(
                self.last_value,
                indicator.unit,
                indicator.scale,
                self.last_qualifier or ValueQualifier.EXACT,
                self.last_text or "",
            )
        )


def assignments_with_status(
    *,
    assignments: QuerySet[ReportingAssignment],
    today: date,
    reported: ObservationQuerySet | None = None,
) -> list[AssignmentRow]:
    """Each assignment with its latest closed period, due date, status and last approved figure (one query).

    ``reported`` is what counts as reporting a period. By default a submitted figure does: the reporter has
    done their part (My updates, reminders). The dashboard's compliance matrix passes the published figures
    the viewer may see, so a cell never reflects a submission the viewer cannot see.
    """
    periods = {cadence: last_closed_period(cadence, today) for cadence in Cadence.values}
    if reported is None:
        reported = Observation.objects.filter(state__in=[S.SUBMITTED, S.APPROVED])
    series = reported.filter(indicator=OuterRef("indicator"), body=OuterRef("body"))
    # The last approved figure is the series' latest published one on ``today``: never a figure an approved
    # correction replaced, never one dated later.
    last = reported.newest_in_series(indicator=OuterRef("indicator_id"), body=OuterRef("body_id"), on_or_before=today)
    qs = assignments.select_related("indicator__item__framework", "body").annotate(
        covered=Case(
            *[
                When(cadence=cadence, then=Exists(series.filter(period_end__gte=period.start)))
                for cadence, period in periods.items()
            ],
            default=Value(False),
        ),
        last_value=Subquery(last.values("value")[:1]),
        last_text=Subquery(last.values("text_value")[:1]),
        last_qualifier=Subquery(last.values("value_qualifier")[:1]),
        last_period_end=Subquery(last.values("period_end")[:1]),
    )
    rows = []
    for a in qs:
        period = periods[a.cadence]
        due = due_date(period, a.due_day)
        rows.append(
            AssignmentRow(
                assignment=a,
                period=period,
                due=due,
                status=due_status(covered=a.covered, due=due, today=today),
                last_value=a.last_value,
                last_text=a.last_text,
                last_qualifier=a.last_qualifier,
                last_period_end=a.last_period_end,
            )
        )
    rank = {DueStatus.OVERDUE: 0, DueStatus.DUE: 1, DueStatus.UP_TO_DATE: 2}
    rows.sort(key=lambda r: (rank[DueStatus(r.status)], r.due, r.assignment.body.name, r.assignment.indicator.name))
    return rows


def my_open_observations(*, user: UserLike) -> QuerySet[Observation]:
    """The user's bodies' unapproved work: returned first (it waits on them), then drafts, then submitted."""
    bodies = sorted(permissions.access(user).body_ids)
    order = Case(
        When(state=S.RETURNED, then=Value(0)),
        When(state=S.DRAFT, then=Value(1)),
        default=Value(2),
    )
    return (
        Observation.objects.restrict(user, "view")
        .filter(body_id__in=bodies, state__in=[S.DRAFT, S.RETURNED, S.SUBMITTED])
        .select_related("indicator", "body", "source__publisher")
        .annotate(open_rank=order)
        .order_by("open_rank", "-updated_at", "-pk")
    )


def my_assignments(*, user: UserLike, today: date) -> list[AssignmentRow]:
    bodies = sorted(permissions.access(user).body_ids)
    return assignments_with_status(
        assignments=ReportingAssignment.objects.filter(active=True, body_id__in=bodies), today=today
    )


@dataclass(frozen=True)
class ReviewRow:
    observation: Observation
    previous: Observation | None

    @property
    def previous_figure(self) -> str:
        """The previous approved figure as its source gives it; it shares the submission's indicator, so no
        query is needed to format it."""
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


def review_queue(*, user: UserLike) -> QuerySet[Observation]:
    """Submissions waiting for review, oldest first, each with ``previous_id``: the published figure of its
    series it would follow (``ObservationQuerySet.with_previous``: never superseded, never dated after it)."""
    return (
        Observation.objects.restrict(user, "view")
        .filter(state=S.SUBMITTED)
        .select_related("indicator", "body", "source__publisher", "created_by")
        .with_previous()
        .order_by("submitted_at", "pk")
    )


def review_rows(page: Iterable[Observation]) -> list[ReviewRow]:
    """Pair each submission of a page with its previous approved figure (one query for the whole page)."""
    observations = list(page)
    follows = {o.pk: previous_id(o) for o in observations}
    wanted = [pk for pk in follows.values() if pk is not None]
    previous = Observation.objects.in_bulk(wanted) if wanted else {}
    return [ReviewRow(observation=o, previous=previous.get(follows[o.pk] or 0)) for o in observations]


def observation_detail(*, user: UserLike, pk: int) -> Observation:
    """One observation the user may see (else 404), with what the detail page shows."""
    from django.http import Http404

    obs = (
        Observation.objects.restrict(user, "view")
        .select_related("indicator__item__framework", "body", "source__publisher", "created_by", "approved_by")
        .filter(pk=pk)
        .first()
    )
    if obs is None:
        raise Http404
    return obs


def correction_chain(*, user: UserLike, observation: Observation) -> list[Observation]:
    """The figures this one corrects and those that correct it, oldest first, as far as the user may see."""
    chain_ids = {observation.pk}
    # Walk back and forward; chains are short (a handful of corrections at most).
    current: Observation | None = observation
    while current is not None and current.supersedes_id:
        chain_ids.add(current.supersedes_id)
        current = Observation.objects.filter(pk=current.supersedes_id).first()
    current = observation
    while current is not None:
        current = Observation.objects.filter(supersedes=current).first()
        if current is not None:
            chain_ids.add(current.pk)
    if len(chain_ids) == 1:
        return []
    return list(
        Observation.objects.restrict(user, "view").filter(pk__in=chain_ids).select_related("created_by").order_by("pk")
    )


def audit_for_object(*, obj: Model) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("at", "id")


def pending_count(*, user: UserLike) -> int:
    return Observation.objects.restrict(user, "view").filter(state=S.SUBMITTED).count()


__all__ = [
    "AssignmentRow",
    "ReviewRow",
    "assignments_with_status",
    "audit_for_object",
    "correction_chain",
    "my_assignments",
    "my_open_observations",
    "observation_detail",
    "pending_count",
    "review_queue",
    "review_rows",
]
