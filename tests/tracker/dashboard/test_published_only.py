"""One rule decides whose answers may be cached under the data version: ``permissions.reads_published_only``.

The explorer's results and the observations API's pages are shared by an audience and cached until the data
change; anyone who also reads drafts, the review backlog or the audit trail gets them built each time. Each path
asks the policy, none decides it by itself. (The dashboard's cached part holds published figures for every
reader; each reader's own work fills its slots: tests/tracker/dashboard/test_dashboard.py.)
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from tracker import page_cache, permissions
from tracker.choices import Role

pytestmark = pytest.mark.django_db

PATHS = [
    "/explore/",
    "/api/v1/observations/?page_size=5",
]


@pytest.mark.parametrize(
    ("role", "published_only"),
    [("analyst", True), ("reporter", False), ("reviewer", False), ("administrator", False)],
)
def test_who_reads_published_figures_only(users, role, published_only):
    assert permissions.reads_published_only(users[role]) is published_only
    assert permissions.reads_published_only(AnonymousUser()) is True  # reads nothing unpublished (nor much else)


@pytest.fixture
def cache_refused(monkeypatch):
    """Any use of the published-answers cache fails the request."""

    def refuse(*args, **kwargs):
        raise AssertionError("a published answer was cached")

    monkeypatch.setattr(page_cache, "published_cached", refuse)


@pytest.mark.parametrize("path", [*PATHS, "/dashboard/?framework=nap-2021&as_of=2025-01-31&category="])
def test_an_analysts_answers_are_cached(as_role, dash, cache_refused, path):
    with pytest.raises(AssertionError, match="was cached"):
        as_role("analyst").get(path)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("action", permissions.READS_UNPUBLISHED)
def test_a_reader_of_anything_unpublished_gets_every_answer_built_afresh(
    as_role, dash, monkeypatch, cache_refused, path, action
):
    """An analyst's role given one more reading right (the audit trail alone, say) is no longer published-only,
    on every path at once."""
    monkeypatch.setitem(permissions.ROLE_ACTIONS, Role.ANALYST, permissions.ROLE_ACTIONS[Role.ANALYST] | {action})
    response = as_role("analyst").get(path)
    assert response.status_code == 200
