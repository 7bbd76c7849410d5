"""The review queue's "previous approved" and My updates' "last approved" figure are the published series'
(``ObservationQuerySet``): never a figure an approved correction replaced, never one dated after the figure
under review (or, on My updates, after today)."""

from datetime import date, timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from tracker.choices import Cadence
from tracker.choices import ObservationState as S
from tracker.models import ReportingAssignment


def year(y: int) -> dict[str, object]:
    return {"period_start": date(y, 1, 1), "period_end": date(y, 12, 31), "date_precision": "year"}


def corrected_history(make_obs):
    """2023's figure, then an approved correction that moves it to 2022 (the source had the year wrong)."""
    wrong = make_obs(S.APPROVED, value=Decimal(300), **year(2023))
    right = make_obs(S.APPROVED, value=Decimal(310), supersedes=wrong, correction_reason="Year", **year(2022))
    return wrong, right


def test_review_queue_previous_is_never_superseded_nor_dated_after(
    world, reporter, reviewer, make_obs, client_as_enrolled
):
    _, right = corrected_history(make_obs)
    submitted = make_obs(S.SUBMITTED, value=Decimal(500), created_by=reporter, **year(2024))
    client = client_as_enrolled(reviewer)

    rows = client.get(reverse("tracker:review-queue")).context["rows"]
    assert [(row.observation.pk, row.previous.pk) for row in rows] == [(submitted.pk, right.pk)]

    make_obs(S.APPROVED, value=Decimal(900), **year(2025))  # approved since, for a later year
    make_obs(S.APPROVED, value=Decimal(800), body=None, **year(2024))  # the national series is another one
    rows = client.get(reverse("tracker:review-queue")).context["rows"]
    assert [(row.observation.pk, row.previous.pk) for row in rows] == [(submitted.pk, right.pk)]
    assert rows[0].previous_figure.startswith("310")


def test_my_updates_last_approved_is_never_superseded_nor_dated_after_today(world, reporter, client_as, make_obs):
    ReportingAssignment.objects.create(indicator=world.indicator, body=world.punjab, cadence=Cadence.ANNUAL)
    corrected_history(make_obs)
    later = timezone.localdate() + timedelta(days=400)
    make_obs(S.APPROVED, value=Decimal(900), period_start=None, period_end=later, date_precision="day")
    make_obs(S.SUBMITTED, value=Decimal(700), **year(2024))  # submitted, not approved

    rows = client_as(reporter).get(reverse("tracker:my-updates")).context["assignments"]
    assert [(row.last_value, row.last_period_end) for row in rows] == [(Decimal(310), date(2022, 12, 31))]
