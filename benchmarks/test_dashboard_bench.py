"""The M&E dashboard selector for a reviewer (who also gets the review backlog and the audit trail) and an
analyst, on NAP 2021 as of the end of 2025."""

from __future__ import annotations

import pytest

from benchmarks.data import AS_OF, Dataset
from tracker.choices import Role
from tracker.models import Framework
from tracker.selectors.dashboard import dashboard

# dashboard(): items, responsibilities, indicators, assessments, latest two per series, chart points,
# pending per item, reporting assignments, and the user's access (read once); reviewers add backlog (2)
# and recent activity (1).
QUERIES = {Role.REVIEWER: 12, Role.ANALYST: 9}


@pytest.mark.benchmark(group="dashboard")
@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ANALYST])
def test_dashboard(benchmark, dataset: Dataset, make_user, role, django_assert_num_queries):
    user = make_user(role)
    framework = Framework.objects.get(slug="nap-2021")
    with django_assert_num_queries(QUERIES[role]):
        result = dashboard(user=user, framework=framework, as_of=AS_OF)
    assert result.cards and result.matrix
    assert (result.backlog is not None) == (role == Role.REVIEWER)

    benchmark.pedantic(dashboard, kwargs={"user": user, "framework": framework, "as_of": AS_OF}, rounds=10)
