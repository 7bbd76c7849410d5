"""The review queue shows what a decision needs, filters, never preselects a decision, keeps a reviewer's own
entries for another reviewer, and costs the same number of queries for 10 or 10,000 submissions."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from tracker import services
from tracker.choices import ObservationState as S
from tracker.models import AgendaItem, Indicator, Observation, ObservationComment, ObservationSnapshot

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# Session, user, role, second factor, the filters' body/framework/item choices, count, page, previous figures,
# earlier submissions, last messages.
QUEUE_QUERIES = 13  # + the page's data-quality flags (one query, tracker.validation)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def _edit_value(reporter, obs, value):
    from tracker.views.workflow import _input_of

    data = _input_of(obs)
    values = {f: getattr(data, f) for f in services.observations.INPUT_FIELDS} | {"value": value}
    return services.observation_update(
        actor=reporter, observation_id=obs.pk, version=obs.version, data=services.ObservationInput(**values)
    )


def _resubmitted(world, reporter, reviewer, make_obs):
    draft = make_obs(S.DRAFT, created_by=reporter, value=Decimal(100))
    obs = services.observation_submit(actor=reporter, observation_id=draft.pk, version=draft.version)
    obs = services.observation_return(actor=reviewer, observation_id=obs.pk, version=obs.version, reason="Check it")
    services.comment_create(actor=reporter, observation_id=obs.pk, text="Fixed the total from the minutes.")
    obs.refresh_from_db()
    obs = _edit_value(reporter, obs, Decimal(120))
    return services.observation_submit(actor=reporter, observation_id=obs.pk, version=obs.version)


def test_a_row_shows_what_the_decision_needs(world, reporter, reviewer, make_obs, client_as_enrolled, media):
    make_obs(S.APPROVED, value=Decimal(90), period_end=date(2023, 12, 31), period_start=date(2023, 1, 1))
    obs = _resubmitted(world, reporter, reviewer, make_obs)
    page = client_as_enrolled(reviewer).get(reverse("tracker:review-queue")).content.decode()
    row = page[page.index(f'id="row-{obs.pk}"') :]
    assert "NAP 2014 · item 1" in row  # framework and item
    assert "NACTA</span>: Status report" in row  # source
    assert "0 evidence files" in row
    assert "Resubmitted" in row and "Possible duplicate" not in row
    assert "Value:</span> <del>100</del> → <ins>120</ins>" in row  # since the version last reviewed
    assert "90 <span" in row and "+30" in row  # previous approved and the change
    assert "Fixed the total from the minutes." in row and "2 messages" in row  # the conversation


def test_duplicates_and_evidence_are_flagged(world, reporter, reviewer, make_obs, client_as_enrolled, media):
    first = make_obs(S.DRAFT, created_by=reporter)
    services.evidence_attach(actor=reporter, observation_id=first.pk, upload=ContentFile(PDF, name="m.pdf"))
    Observation.objects.filter(pk=first.pk).update(state=S.SUBMITTED, submitted_at=timezone.now())
    # Same indicator, body and period, put below the services: the one entry validation refuses a second open
    # figure now, but imported or older data can still hold one, and the queue must flag it.
    make_obs(S.SUBMITTED, created_by=reporter)
    page = client_as_enrolled(reviewer).get(reverse("tracker:review-queue")).content.decode()
    assert page.count("Possible duplicate</span>") == 2 and "1 evidence file" in page


def test_own_entries_need_another_reviewer(world, reviewer, second_reviewer, make_obs, client_as_enrolled):
    national = make_obs(S.SUBMITTED, body=None, created_by=reviewer)
    mine = client_as_enrolled(reviewer).get(reverse("tracker:review-queue")).content.decode()
    badge = 'badge--muted">Needs another reviewer</span>'
    assert badge in mine and f'value="{national.pk}:' not in mine
    theirs = client_as_enrolled(second_reviewer).get(reverse("tracker:review-queue")).content.decode()
    assert f'value="{national.pk}:{national.version}"' in theirs and badge not in theirs


def test_no_decision_is_preselected_and_select_all_is_offered(world, reporter, reviewer, make_obs, client_as_enrolled):
    obs = make_obs(S.SUBMITTED, created_by=reporter)
    client = client_as_enrolled(reviewer)
    page = client.get(reverse("tracker:review-queue")).content.decode()
    assert '<option value="" selected>— choose —</option>' in page
    assert 'id="select-all"' in page and "js/review.js" in page
    response = client.post(reverse("tracker:review-queue"), {"selected": [f"{obs.pk}:{obs.version}"]})
    assert response.status_code == 302
    obs.refresh_from_db()
    assert obs.state == S.SUBMITTED  # nothing decided without a decision


def test_filters_by_body_framework_item_age_and_flag(
    world, reporter, other_reporter, reviewer, make_obs, client_as_enrolled
):
    punjab = make_obs(S.SUBMITTED, created_by=reporter)
    sindh = make_obs(S.SUBMITTED, body=world.sindh, created_by=other_reporter)
    fw = world.nap2021
    item = AgendaItem.objects.create(framework=fw, number=3, title="Madrassa reform")
    other = Indicator.objects.create(item=item, code="madrassas", name="Madrassas registered", unit="count")
    revised = make_obs(S.SUBMITTED, indicator=other, created_by=reporter)
    Observation.objects.filter(pk=punjab.pk).update(submitted_at=timezone.now() - timedelta(days=40))
    own = make_obs(S.SUBMITTED, body=None, created_by=reviewer)
    client = client_as_enrolled(reviewer)

    def shown(**query):
        return {row.observation.pk for row in client.get(reverse("tracker:review-queue"), query).context["rows"]}

    assert shown() == {punjab.pk, sindh.pk, revised.pk, own.pk}
    assert shown(body=world.sindh.pk) == {sindh.pk}
    assert shown(body="national") == {own.pk}
    assert shown(framework=fw.pk) == {revised.pk}
    assert shown(item=item.pk) == {revised.pk}
    assert shown(age="30") == {punjab.pk}
    assert shown(flag="needs_another_reviewer") == {own.pk}
    assert shown(flag="duplicate") == set()


@pytest.mark.parametrize("n", [10, 10_000])
def test_queue_query_count_is_flat_from_10_to_10000(
    n, world, reporter, reviewer, make_obs, client_as_enrolled, django_assert_num_queries
):
    make_obs(S.APPROVED, period_end=date(2023, 12, 31), period_start=date(2023, 1, 1))
    now = timezone.now()
    rows = Observation.objects.bulk_create(
        [
            Observation(
                indicator=world.old_executions,
                body=world.punjab,
                period_start=date(2024, 1, 1),
                period_end=date(2024, 12, 31),
                date_precision="year",
                value=Decimal(i),
                source=world.status_2017,
                state=S.SUBMITTED,
                created_by=reporter if i % 7 else reviewer,
                submitted_at=now - timedelta(minutes=n - i),
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    # The first page's figures were each returned and resubmitted with a change, and talked about.
    ObservationSnapshot.objects.bulk_create(
        [
            ObservationSnapshot(observation=o, version=v, values={"value": str((o.value or 0) + v)})
            for o in rows[:50]
            for v in (1, 2)
        ]
    )
    ObservationComment.objects.bulk_create(
        [ObservationComment(observation=o, author=reporter, text=f"reply {o.pk}") for o in rows[:50]]
    )
    client = client_as_enrolled(reviewer)
    client.get(reverse("tracker:review-queue"))
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("tracker:review-queue"))
    page_rows = response.context["rows"]
    assert len(page_rows) == min(n, 50)
    assert all(r.changes and r.last_comment and r.previous for r in page_rows)
    assert any(not r.may_approve for r in page_rows)
