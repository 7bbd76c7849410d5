"""The M&E dashboard's selectors for a reviewer and an analyst, on NAP 2021 as of the end of 2025: the published
part (the same for both) and the reader's own work (pending counts, and for the reviewer the review backlog and
the audit trail)."""

from __future__ import annotations

import pytest

from benchmarks.data import AS_OF, Dataset
from tracker.choices import Role
from tracker.models import Framework
from tracker.selectors.dashboard import dashboard, dashboard_work

# dashboard(): items, responsibilities, indicators, assessments, the latest figures per series, the bodies with
# series, the headline figures and those at the comparison date, reporting assignments, and the user's access
# (read once): the same for both.
QUERIES = {Role.REVIEWER: 9, Role.ANALYST: 9}
# dashboard_work(): pending per item (readers of unpublished figures), the backlog (2) and recent activity (1).
WORK_QUERIES = {Role.REVIEWER: 4, Role.ANALYST: 0}


@pytest.mark.benchmark(group="dashboard")
@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ANALYST])
def test_dashboard(benchmark, dataset: Dataset, make_user, role, django_assert_num_queries):
    user = make_user(role)
    framework = Framework.objects.get(slug="nap-2021")
    with django_assert_num_queries(QUERIES[role]):
        result = dashboard(user=user, framework=framework, as_of=AS_OF)
    assert result.cards and result.matrix
    with django_assert_num_queries(WORK_QUERIES[role]):
        work = dashboard_work(user=user, framework=framework)
    assert (work.backlog is not None) == (work.pending is not None) == (role == Role.REVIEWER)

    benchmark.pedantic(dashboard, kwargs={"user": user, "framework": framework, "as_of": AS_OF}, rounds=10)


@pytest.mark.benchmark(group="dashboard")
def test_dashboard_work_of_a_reviewer(benchmark, dataset: Dataset, make_user):
    user = make_user(Role.REVIEWER)
    framework = Framework.objects.get(slug="nap-2021")
    benchmark.pedantic(dashboard_work, kwargs={"user": user, "framework": framework}, rounds=10)
