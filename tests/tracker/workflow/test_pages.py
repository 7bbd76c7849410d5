"""The workflow pages: behaviour through the browser's eyes (Django's test client) and pinned query counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tracker.choices import Cadence, Role
from tracker.choices import ObservationState as S
from tracker.models import AuditEntry, Indicator, Observation, ReportingAssignment

# Queries per page, whatever the data size (see the parametrized tests below). They include the session,
# the user, the role and memberships lookup, and for reviewers the second-factor check.
MY_UPDATES_QUERIES = 5
REVIEW_QUEUE_QUERIES = 10  # + the body, framework and item choices of the filters
AUDIT_LOG_QUERIES = 7  # + the names of the users the entries mention (tests/.../test_audit_page.py)
DETAIL_QUERIES = 9  # + the review conversation (its evidence in one more when it has entries)


def form_data(world, **overrides):
    data = {
        "indicator": world.indicator.pk,
        "body": world.punjab.pk,
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "date_precision": "year",
        "value": "512",
        "value_qualifier": "exact",
        "source": world.source.pk,
        "note": "From the provincial apex committee minutes",
    }
    data.update(overrides)
    return data


def test_reporter_saves_a_draft_then_submits(world, reporter, client_as):
    client = client_as(reporter)
    assert client.get(reverse("tracker:observation-create")).status_code == 200
    response = client.post(reverse("tracker:observation-create"), form_data(world, save="1"))
    obs = Observation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tracker:observation-detail", args=[obs.pk])
    assert (obs.state, obs.value, obs.created_by) == (S.DRAFT, Decimal(512), reporter)
    client.post(reverse("tracker:observation-submit", args=[obs.pk]), {"version": obs.version})
    obs.refresh_from_db()
    assert obs.state == S.SUBMITTED
    assert list(AuditEntry.objects.exclude(action__startswith="user.").values_list("action", flat=True)) == [
        "observation.submit",
        "observation.create",
    ]


def test_save_and_submit_in_one_step(world, reporter, client_as):
    client_as(reporter).post(reverse("tracker:observation-create"), form_data(world, submit="1"))
    assert Observation.objects.get().state == S.SUBMITTED


def test_bad_input_is_shown_and_nothing_is_saved(world, reporter, client_as):
    response = client_as(reporter).post(reverse("tracker:observation-create"), form_data(world, value="-5"))
    assert response.status_code == 200
    assert "cannot be negative" in response.content.decode()
    assert 'value="From the provincial apex committee minutes"' in response.content.decode() or (
        "From the provincial apex committee minutes" in response.content.decode()
    )
    assert Observation.objects.count() == 0


def test_reporter_cannot_pick_another_body_in_the_form(world, reporter, client_as):
    response = client_as(reporter).post(reverse("tracker:observation-create"), form_data(world, body=world.sindh.pk))
    assert response.status_code == 200 and Observation.objects.count() == 0
    assert "Select a valid choice" in response.content.decode()


def test_stale_edit_shows_what_changed_and_keeps_the_input(world, reporter, make_user, make_obs, client_as):
    colleague = make_user(Role.REPORTER, world.punjab)
    obs = make_obs(S.DRAFT, created_by=reporter)
    client_as(colleague).post(
        reverse("tracker:observation-edit", args=[obs.pk]), form_data(world, value="300", version=1)
    )
    response = client_as(reporter).post(
        reverse("tracker:observation-edit", args=[obs.pk]), form_data(world, value="999", version=1)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this observation" in page
    assert "300" in page and 'value="999' in page  # their value shown, mine kept in the form
    assert 'name="version" value="2"' in page
    assert Observation.objects.get(pk=obs.pk).value == 300
    # Saving again, having seen the change, goes through.
    client_as(reporter).post(
        reverse("tracker:observation-edit", args=[obs.pk]), form_data(world, value="999", version=2)
    )
    assert Observation.objects.get(pk=obs.pk).value == 999


def test_returned_reason_is_shown_to_the_reporter(world, reporter, make_obs, client_as):
    obs = make_obs(S.RETURNED, created_by=reporter, return_reason="Cite the minutes' page")
    page = client_as(reporter).get(reverse("tracker:observation-edit", args=[obs.pk])).content.decode()
    assert "Cite the minutes&#x27; page" in page


def test_review_queue_batch_approve_and_return(world, reporter, reviewer, make_obs, client_as_enrolled):
    a = make_obs(S.SUBMITTED, created_by=reporter)
    b = make_obs(S.SUBMITTED, created_by=reporter, period_end=date(2023, 12, 31), period_start=date(2023, 1, 1))
    own = make_obs(S.SUBMITTED, body=None, created_by=reviewer)
    client = client_as_enrolled(reviewer)
    response = client.post(
        reverse("tracker:review-queue"),
        {"decision": "approve", "selected": [f"{a.pk}:1", f"{b.pk}:1", f"{own.pk}:1"]},
        follow=True,
    )
    page = response.content.decode()
    assert "2 update(s) decided." in page
    assert f"#{own.pk}: You cannot approve an observation you entered yourself." in page
    assert list(Observation.objects.filter(state=S.APPROVED).order_by("pk")) == [a, b]
    assert AuditEntry.objects.filter(action="observation.approve").count() == 2


def test_review_queue_return_needs_a_reason(world, reporter, reviewer, make_obs, client_as_enrolled):
    a = make_obs(S.SUBMITTED, created_by=reporter)
    client = client_as_enrolled(reviewer)
    response = client.post(
        reverse("tracker:review-queue"), {"decision": "return", "selected": [f"{a.pk}:1"]}, follow=True
    )
    assert "the reporters see this reason" in response.content.decode()
    assert Observation.objects.get(pk=a.pk).state == S.SUBMITTED
    client.post(reverse("tracker:review-queue"), {"decision": "return", "selected": [f"{a.pk}:1"], "reason": "Source?"})
    a.refresh_from_db()
    assert (a.state, a.return_reason) == (S.RETURNED, "Source?")


def test_review_queue_shows_previous_value_and_change(world, reporter, reviewer, make_obs, client_as_enrolled):
    make_obs(
        S.APPROVED,
        value=Decimal(400000),
        period_end=date(2023, 12, 31),
        period_start=date(2023, 1, 1),
        date_precision="year",
    )
    make_obs(S.SUBMITTED, value=Decimal(500000), created_by=reporter)
    page = client_as_enrolled(reviewer).get(reverse("tracker:review-queue")).content.decode()
    # The previous figure reads as the portal formats every figure (grouped digits, the period as precise as given).
    assert "4,00,000 <span" in page and "(2023)" in page and "400000.0000" not in page
    assert "+1,00,000" in page and "(25.0%)" in page


def test_audit_log_filters(world, reporter, reviewer, make_obs, client_as_enrolled):
    from tracker import services

    obs = make_obs(S.SUBMITTED, created_by=reporter)
    services.observation_return(actor=reviewer, observation_id=obs.pk, version=1, reason="Needs a page number")
    client = client_as_enrolled(reviewer)
    page = client.get(reverse("tracker:audit-log"), {"action": "observation.", "actor": "reviewer@"}).content.decode()
    assert "Needs a page number" in page
    page = client.get(reverse("tracker:audit-log"), {"action": "evidence."}).content.decode()
    assert "Needs a page number" not in page and "No entries match." in page


def test_requests_carry_an_id_into_the_audit_trail(world, reporter, client_as):
    response = client_as(reporter).post(
        reverse("tracker:observation-create"),
        form_data(world),
        HTTP_X_REQUEST_ID="req-12345678",
        REMOTE_ADDR="10.1.2.3",
    )
    assert response["X-Request-ID"] == "req-12345678"
    entry = AuditEntry.objects.get(action="observation.create")
    assert (entry.request_id, entry.ip) == ("req-12345678", "10.1.2.3")


# --- Query counts ------------------------------------------------------------------------------------------
def _populate(world, make_obs, author, n):
    for i in range(n):
        indicator = Indicator.objects.create(item=world.item, code=f"ind-{n}-{i}", name=f"Indicator {i}", unit="count")
        ReportingAssignment.objects.create(indicator=indicator, body=world.punjab, cadence=Cadence.QUARTERLY)
        make_obs(S.APPROVED, indicator=indicator, period_end=date(2023, 12, 31), period_start=date(2023, 1, 1))
        make_obs(S.SUBMITTED, indicator=indicator, created_by=author)
        make_obs(S.DRAFT, indicator=indicator, created_by=author)
        make_obs(S.RETURNED, indicator=indicator, created_by=author, return_reason="why")


@pytest.mark.parametrize("n", [2, 30])
def test_my_updates_query_count_is_flat(n, world, reporter, make_obs, client_as, django_assert_num_queries):
    _populate(world, make_obs, reporter, n)
    client = client_as(reporter)
    client.get(reverse("tracker:my-updates"))  # the first request records the user session
    with django_assert_num_queries(MY_UPDATES_QUERIES):
        response = client.get(reverse("tracker:my-updates"))
    assert response.status_code == 200
    assert len(response.context["assignments"]) == n and len(response.context["open_items"]) == 3 * n


@pytest.mark.parametrize("n", [2, 30])
def test_review_queue_query_count_is_flat(
    n, world, reporter, reviewer, make_obs, client_as_enrolled, django_assert_num_queries
):
    _populate(world, make_obs, reporter, n)
    client = client_as_enrolled(reviewer)
    client.get(reverse("tracker:review-queue"))
    with django_assert_num_queries(REVIEW_QUEUE_QUERIES):
        response = client.get(reverse("tracker:review-queue"))
    rows = response.context["rows"]
    assert len(rows) == n and all(row.previous is not None for row in rows)


@pytest.mark.parametrize("n", [2, 30])
def test_audit_log_query_count_is_flat(
    n, world, reporter, reviewer, make_obs, client_as_enrolled, django_assert_num_queries
):
    from tracker import services

    for _ in range(n):
        obs = make_obs(S.SUBMITTED, created_by=reporter)
        services.observation_approve(actor=reviewer, observation_id=obs.pk, version=1)
    client = client_as_enrolled(reviewer)
    client.get(reverse("tracker:audit-log"))
    with django_assert_num_queries(AUDIT_LOG_QUERIES):
        response = client.get(reverse("tracker:audit-log"), {"action": "observation."})
    assert len(response.context["page"]) == n


@pytest.mark.parametrize("n", [1, 10])
def test_detail_query_count_is_flat(
    n, world, reporter, reviewer, make_obs, client_as_enrolled, django_assert_num_queries
):
    from tracker import services

    obs = make_obs(S.DRAFT, created_by=reporter)
    for i in range(n):
        obs = services.observation_update(
            actor=reporter,
            observation_id=obs.pk,
            version=obs.version,
            data=services.ObservationInput(
                indicator=world.indicator,
                body=world.punjab,
                period_end=date(2024, 12, 31),
                source=world.source,
                value=Decimal(i),
            ),
        )
    client = client_as_enrolled(reviewer)
    client.get(reverse("tracker:observation-detail", args=[obs.pk]))
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(reverse("tracker:observation-detail", args=[obs.pk]))
    assert len(response.context["history"]) == n


def test_due_and_overdue_on_my_updates(world, reporter, client_as, make_obs):
    today = timezone.localdate()
    ReportingAssignment.objects.create(
        indicator=world.indicator, body=world.punjab, cadence=Cadence.MONTHLY, due_day=28
    )
    ReportingAssignment.objects.create(indicator=world.text_indicator, body=world.punjab, cadence=Cadence.ANNUAL)
    rows = client_as(reporter).get(reverse("tracker:my-updates")).context["assignments"]
    statuses = {row.assignment.indicator.code: row.status for row in rows}
    assert statuses["status"] == ("overdue" if today > date(today.year, 1, 15) else "due")
    last_month_end = today.replace(day=1) - timedelta(days=1)
    make_obs(S.SUBMITTED, period_end=last_month_end, period_start=last_month_end.replace(day=1), date_precision="month")
    rows = client_as(reporter).get(reverse("tracker:my-updates")).context["assignments"]
    assert {row.assignment.indicator.code: row.status for row in rows}["executions"] == "up_to_date"


def test_my_updates_writes_the_last_approved_figure_as_the_source_gives_it(world, reporter, client_as, make_obs):
    ReportingAssignment.objects.create(indicator=world.indicator, body=world.punjab, cadence=Cadence.ANNUAL)
    make_obs(S.APPROVED, value=Decimal(30000), value_qualifier="about")
    page = client_as(reporter).get(reverse("tracker:my-updates")).content.decode()
    assert "about 30,000 (31 Dec 2024)" in page and "30000.0000" not in page
