"""Sources anyone who reports can cite: from the API, the entry form and the body's own return; duplicates
found and reused; outside publishers never listed as reporting bodies; new ones marked for the reviewer."""

from datetime import date

import pytest
from django.urls import reverse

from tracker import permissions, services
from tracker.choices import BodyKind, Role
from tracker.choices import ObservationState as S
from tracker.models import AuditEntry, Body, Observation, Source

DAWN = {
    "publisher_name": "Dawn",
    "publisher_kind": "newspaper",
    "title": "Punjab CTD arrests 21 suspects",
    "published_on": "2024-11-03",
    "date_precision": "day",
    "url": "https://www.dawn.com/news/1870000/",
}


def test_reporter_cites_a_newspaper_through_the_api_and_the_second_post_finds_it(api_as, reporter):
    api = api_as(reporter)
    first = api.post("/api/v1/sources/", DAWN, format="json")
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["publisher_name"], body["publisher_kind"], body["needs_review"]) == ("Dawn", "newspaper", True)
    again = api.post("/api/v1/sources/", DAWN, format="json")
    assert again.status_code == 200 and again.json()["slug"] == body["slug"]
    # The same address written another way, under another title, is the same source.
    by_url = api.post(
        "/api/v1/sources/", {**DAWN, "title": "CTD arrests", "url": "https://www.dawn.com/news/1870000"}, format="json"
    )
    assert by_url.status_code == 200 and by_url.json()["slug"] == body["slug"]
    # Publisher, title and date (title spacing and case aside) find it too.
    by_key = api.post(
        "/api/v1/sources/",
        {**DAWN, "url": "", "reference": "Print edition, p. 2", "title": "punjab  CTD arrests 21 suspects"},
        format="json",
    )
    assert by_key.status_code == 200 and by_key.json()["slug"] == body["slug"]
    assert Source.objects.filter(publisher__name="Dawn").count() == 1
    actions = list(
        AuditEntry.objects.filter(action__in=["source.create", "body.create_publisher"]).values_list("action")
    )
    assert sorted(a for (a,) in actions) == ["body.create_publisher", "source.create"]
    entry = AuditEntry.objects.get(action="source.create")
    assert entry.actor == reporter and (entry.after or {})["needs_review"] is True


def test_a_reviewer_added_source_is_not_marked_for_review(api_as, reviewer):
    from tests.tracker.workflow.conftest import enrol_totp

    enrol_totp(reviewer)
    response = api_as(reviewer).post(
        "/api/v1/sources/", {**DAWN, "publisher": "nacta", "publisher_name": ""}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["needs_review"] is False and response.json()["publisher"] == "nacta"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"title": ""}, "title"),
        ({"published_on": "1901-01-01"}, "published_on"),
        ({"url": "not a url"}, "url"),
        ({"url": "", "reference": ""}, "url"),
        ({"publisher_name": ""}, "publisher"),
    ],
)
def test_a_source_without_what_identifies_it_is_refused(api_as, reporter, change, field):
    response = api_as(reporter).post("/api/v1/sources/", {**DAWN, **change}, format="json")
    assert response.status_code == 400 and field in response.json()["errors"], response.content
    assert not Source.objects.filter(title=DAWN["title"]).exists()


def test_an_analyst_cannot_add_sources(api_as, analyst):
    assert api_as(analyst).post("/api/v1/sources/", DAWN, format="json").status_code == 403


def test_outside_publishers_are_never_reporting_bodies(world, reporter, reviewer, api_as, client_as):
    services.source_find_or_create(
        actor=reporter,
        data=services.SourceInput(
            title="APP report",
            published_on=date(2024, 1, 2),
            publisher_name="APP",
            publisher_kind="wire_service",
            url="https://app.com.pk/1",
        ),
    )
    app = Body.objects.get(name="APP")
    assert app.kind == BodyKind.WIRE_SERVICE and app.is_outside_publisher
    assert app not in permissions.writable_bodies(reviewer)
    assert not permissions.can(reviewer, "report_for", app)
    from tests.tracker.workflow.conftest import enrol_totp

    enrol_totp(reviewer)
    listed = api_as(reviewer).get("/api/v1/bodies/").json()
    slugs = [b["slug"] for b in (listed["results"] if isinstance(listed, dict) else listed)]
    assert "punjab" in slugs and app.slug not in slugs
    from reporting.forms import ReportForm

    scope = str(ReportForm()["scope"])
    assert 'value="punjab"' in scope and f'value="{app.slug}"' not in scope


def test_own_return_is_one_tick_on_the_form_and_found_again(world, reporter, client_as):
    client = client_as(reporter)
    data = {
        "indicator": world.old_executions.pk,
        "body": world.punjab.pk,
        "period_start": "2024-10-01",
        "period_end": "2024-10-31",
        "date_precision": "month",
        "value": "12",
        "value_qualifier": "exact",
        "own_return": "on",
        "save": "1",
    }
    response = client.post(reverse("tracker:observation-create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    obs = Observation.objects.get()
    assert obs.source.publisher == world.punjab and obs.source.title == "Punjab return, October 2024"
    assert obs.source.needs_review
    again = services.source_own_return(
        actor=reporter, body=world.punjab, period_end=date(2024, 10, 31), date_precision="month"
    )
    assert again == obs.source


def test_a_new_source_described_on_the_form_is_cited(world, reporter, client_as):
    data = {
        "indicator": world.old_executions.pk,
        "body": world.punjab.pk,
        "period_end": "2024-11-03",
        "date_precision": "day",
        "value": "21",
        "value_qualifier": "exact",
        "new_source_title": DAWN["title"],
        "new_source_publisher_name": "Dawn",
        "new_source_publisher_kind": "newspaper",
        "new_source_date": "2024-11-03",
        "new_source_precision": "day",
        "new_source_url": DAWN["url"],
        "save": "1",
    }
    assert client_as(reporter).post(reverse("tracker:observation-create"), data).status_code == 302
    assert Observation.objects.get().source.publisher.name == "Dawn"


def test_a_bad_new_source_comes_back_on_the_form_and_nothing_is_written(world, reporter, client_as):
    data = {
        "indicator": world.old_executions.pk,
        "body": world.punjab.pk,
        "period_end": "2024-11-03",
        "date_precision": "day",
        "value": "21",
        "value_qualifier": "exact",
        "new_source_title": DAWN["title"],
        "new_source_publisher_name": "Dawn",
        "new_source_date": "2024-11-03",
        "new_source_url": "dawn dot com",
        "save": "1",
    }
    response = client_as(reporter).post(reverse("tracker:observation-create"), data)
    assert response.status_code == 200 and "is not a web address" in response.content.decode()
    assert not Observation.objects.exists() and not Source.objects.filter(title=DAWN["title"]).exists()
    assert not Body.objects.filter(name="Dawn").exists(), "the publisher goes with the source it was added for"


def test_the_review_queue_marks_figures_citing_a_new_source(world, reporter, reviewer, make_obs, client_as):
    from tests.tracker.workflow.conftest import enrol_totp

    source, _ = services.source_find_or_create(
        actor=reporter,
        data=services.SourceInput(
            title="Provincial return", published_on=date(2024, 12, 31), publisher=world.punjab, reference="Letter"
        ),
    )
    make_obs(S.SUBMITTED, source=source, created_by=reporter)
    enrol_totp(reviewer)
    page = client_as(reviewer).get(reverse("tracker:review-queue")).content.decode()
    assert "New source to check" in page
    assert permissions.role_of(reviewer) == Role.REVIEWER
