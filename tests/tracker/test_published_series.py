"""The one definition of a published series (``ObservationQuerySet``, ``AssessmentQuerySet``) against a plain
Python reference, on random histories: corrections and chains of them, every state, national and body series,
equal dates and equal approval times (the tie-break), and indicators continued across the crosswalk."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.factories import (
    AgendaItemFactory,
    BodyFactory,
    FrameworkFactory,
    IndicatorFactory,
    SourceFactory,
)
from tracker.choices import ObservationState as S
from tracker.models import AgendaItem, Assessment, Body, Framework, Indicator, Observation, Source
from tracker.models.querysets import previous_id, series_key, via_crosswalk

DATES = [date(2016, 12, 31), date(2017, 6, 30), date(2017, 9, 30), date(2017, 12, 31)]
APPROVALS = [None, datetime(2017, 10, 1, tzinfo=UTC), datetime(2017, 11, 1, tzinfo=UTC)]
STATES = [S.APPROVED, S.APPROVED, S.APPROVED, S.SUBMITTED, S.DRAFT, S.RETURNED]
ENTERED = [datetime(2018, 1, 1, tzinfo=UTC), datetime(2018, 2, 1, tzinfo=UTC)]
AS_OF = [date(2017, 1, 1), date(2017, 9, 30), date(2030, 1, 1)]


@dataclass
class SeriesWorld:
    """Two frameworks linked by the crosswalk: 2021's c and d both continue 2014's a (a feeds c, the first,
    only), e continues b, g continues nothing."""

    nap2014: Framework
    nap2021: Framework
    indicators: list[Indicator]  # a, b, c, d, e, g
    bodies: list[Body | None]  # national, punjab, sindh
    items: list[AgendaItem]
    source: Source


@pytest.fixture
def series_world(db) -> SeriesWorld:
    nap2014 = FrameworkFactory.create(adopted_on=date(2014, 12, 24))
    nap2021 = FrameworkFactory.create(adopted_on=date(2021, 7, 1))
    old, new = AgendaItemFactory.create(framework=nap2014), AgendaItemFactory.create(framework=nap2021)
    a = IndicatorFactory.create(item=old, position=1)
    b = IndicatorFactory.create(item=old, position=2)
    c = IndicatorFactory.create(item=new, position=1, continues=a)
    d = IndicatorFactory.create(item=new, position=2, continues=a)
    e = IndicatorFactory.create(item=new, position=3, continues=b)
    g = IndicatorFactory.create(item=new, position=4)
    bodies: list[Body | None] = [None, BodyFactory.create(), BodyFactory.create()]
    return SeriesWorld(nap2014, nap2021, [a, b, c, d, e, g], bodies, [old, new], SourceFactory.create())


@dataclass(frozen=True)
class Spec:
    indicator: int
    body: int
    period: int
    state: str
    approval: int
    corrects: int | None  # index of an earlier observation this one corrects


@st.composite
def histories(draw: st.DrawFn) -> list[Spec]:
    n = draw(st.integers(min_value=0, max_value=18))
    specs: list[Spec] = []
    corrected: set[int] = set()
    for i in range(n):
        target = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=i - 1))) if i else None
        if target is not None and target in corrected:
            target = None  # one correction per figure (a one-to-one link)
        state = draw(st.sampled_from(STATES))
        if target is not None:
            corrected.add(target)
            # A correction belongs to the series of what it corrects; its date may correct the date too.
            indicator, body = specs[target].indicator, specs[target].body
        else:
            indicator, body = draw(st.integers(0, 5)), draw(st.integers(0, 2))
        approval = draw(st.integers(0, len(APPROVALS) - 1)) if state == S.APPROVED else 0
        specs.append(Spec(indicator, body, draw(st.integers(0, len(DATES) - 1)), state, approval, target))
    return specs


@contextmanager
def rolled_back() -> Iterator[None]:
    """Each drawn history in its own savepoint, so examples never see one another's rows."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def create(world: SeriesWorld, specs: list[Spec]) -> list[Observation]:
    rows: list[Observation] = []
    for spec in specs:
        rows.append(
            Observation.objects.create(
                indicator=world.indicators[spec.indicator],
                body=world.bodies[spec.body],
                period_end=DATES[spec.period],
                value=Decimal(len(rows)),
                source=world.source,
                state=spec.state,
                approved_at=APPROVALS[spec.approval],
                supersedes=rows[spec.corrects] if spec.corrects is not None else None,
            )
        )
    return rows


# --- The reference: the rules as the issue states them, in plain Python --------------------------------------


def published(rows: list[Observation]) -> list[Observation]:
    replaced = {o.supersedes_id for o in rows if o.state == S.APPROVED and o.supersedes_id}
    return [o for o in rows if o.state == S.APPROVED and o.pk not in replaced]


def newest_key(o: Observation, *, carried: bool = False) -> tuple[date, bool, datetime, int]:
    # Newest period; own framework before the crosswalk; later approval (none counts as earliest); higher id.
    return (o.period_end, not carried, o.approved_at or datetime.min.replace(tzinfo=UTC), o.pk)


def series_of(o: Observation, framework: Framework | None, indicators: list[Indicator]) -> tuple[int, bool] | None:
    """(series indicator id, carried over the crosswalk) or None when the figure feeds no series of ``framework``."""
    ind = o.indicator
    if framework is None or ind.item.framework_id == framework.pk:
        return ind.pk, False
    if ind.continues is not None and ind.continues.item.framework_id == framework.pk:
        return ind.continues.pk, True
    continuing = sorted(
        (i for i in indicators if i.continues_id == ind.pk and i.item.framework_id == framework.pk),
        key=lambda i: (i.position, i.pk),
    )
    return (continuing[0].pk, True) if continuing else None


def reference_latest(
    rows: list[Observation], *, as_of: date, framework: Framework | None, indicators: list[Indicator]
) -> dict[tuple[int, int | None], tuple[int, bool]]:
    best: dict[tuple[int, int | None], tuple[tuple[date, bool, datetime, int], int, bool]] = {}
    for o in published(rows):
        series = series_of(o, framework, indicators)
        if series is None or o.period_end > as_of:
            continue
        key = (series[0], o.body_id)
        rank = newest_key(o, carried=series[1])
        if key not in best or rank > best[key][0]:
            best[key] = (rank, o.pk, series[1])
    return {key: (pk, carried) for key, (_, pk, carried) in best.items()}


def reference_previous(rows: list[Observation], o: Observation) -> int | None:
    candidates = [
        p
        for p in published(rows)
        if p.indicator_id == o.indicator_id and p.body_id == o.body_id and p.period_end <= o.period_end and p.pk != o.pk
    ]
    return max(candidates, key=newest_key).pk if candidates else None


SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


# Ties the random draws may miss: equal dates approved in reverse order of entry; an own figure and a carried
# one of equal date (the carried one entered later); an approval time against none.
TIE_ON_APPROVAL = [Spec(0, 1, 1, S.APPROVED, 2, None), Spec(0, 1, 1, S.APPROVED, 1, None)]
TIE_ACROSS_CROSSWALK = [Spec(2, 0, 1, S.APPROVED, 1, None), Spec(0, 0, 1, S.APPROVED, 1, None)]
TIE_WITHOUT_APPROVAL_TIME = [Spec(1, 0, 2, S.APPROVED, 1, None), Spec(1, 0, 2, S.APPROVED, 0, None)]


@SETTINGS
@given(specs=histories(), as_of=st.sampled_from(AS_OF), crosswalk=st.sampled_from([None, "2014", "2021"]))
@example(specs=TIE_ON_APPROVAL, as_of=AS_OF[-1], crosswalk=None)
@example(specs=TIE_ACROSS_CROSSWALK, as_of=AS_OF[-1], crosswalk="2021")
@example(specs=TIE_ACROSS_CROSSWALK, as_of=AS_OF[-1], crosswalk="2014")
@example(specs=TIE_WITHOUT_APPROVAL_TIME, as_of=AS_OF[-1], crosswalk=None)
def test_latest_per_series_agrees_with_the_reference(series_world, specs, as_of, crosswalk):
    world = series_world
    framework = {None: None, "2014": world.nap2014, "2021": world.nap2021}[crosswalk]
    with rolled_back():
        rows = create(world, specs)
        latest = list(Observation.objects.latest_per_series(as_of=as_of, crosswalk=framework))
        got = {series_key(o): (o.pk, via_crosswalk(o)) for o in latest}
        assert len(got) == len(latest)  # one figure per series
        indicators = list(Indicator.objects.select_related("item", "continues__item"))
        rows = list(Observation.objects.select_related("indicator__item", "indicator__continues__item"))
        assert got == reference_latest(rows, as_of=as_of, framework=framework, indicators=indicators)


@SETTINGS
@given(specs=histories(), as_of=st.sampled_from(AS_OF))
@example(specs=[*TIE_ON_APPROVAL, Spec(0, 1, 1, S.SUBMITTED, 0, None)], as_of=AS_OF[-1])
def test_previous_figure_agrees_with_the_reference(series_world, specs, as_of):
    with rolled_back():
        create(series_world, specs)
        rows = list(Observation.objects.order_by("pk"))
        got = {o.pk: previous_id(o) for o in Observation.objects.with_previous()}
        assert got == {o.pk: reference_previous(rows, o) for o in rows}
        # The dashboard's read: each series' latest figure and the one it follows, in one query.
        both = set(Observation.objects.latest_per_series(as_of=as_of, and_previous=True).values_list("pk", flat=True))
        heads = reference_latest(rows, as_of=as_of, framework=None, indicators=[])
        expected = {pk for pk, _ in heads.values()}
        followed = (reference_previous(rows, o) for o in rows if o.pk in expected)
        expected |= {pk for pk in followed if pk is not None}
        assert both == expected


@SETTINGS
@given(specs=histories(), as_of=st.sampled_from(AS_OF))
@example(specs=TIE_ON_APPROVAL, as_of=AS_OF[-1])
@example(specs=TIE_WITHOUT_APPROVAL_TIME[::-1], as_of=AS_OF[-1])
def test_my_updates_last_approved_figure_agrees_with_the_reference(series_world, specs, as_of):
    """My updates' "last approved" figure of each assignment is its series' latest published figure on the day:
    never one an approved correction replaced, never one dated later, ties broken as everywhere else."""
    from tracker.models import ReportingAssignment
    from tracker.selectors.workflow import assignments_with_status

    world = series_world
    with rolled_back():
        create(world, specs)
        ReportingAssignment.objects.bulk_create(
            ReportingAssignment(indicator=indicator, body=body)
            for indicator in world.indicators
            for body in world.bodies
            if body is not None
        )
        rows = list(Observation.objects.order_by("pk"))
        got = {
            (row.assignment.indicator_id, row.assignment.body_id): row.last_value
            for row in assignments_with_status(assignments=ReportingAssignment.objects.all(), today=as_of)
        }
        heads = reference_latest(rows, as_of=as_of, framework=None, indicators=[])
        value = {o.pk: o.value for o in rows}
        assert got == {key: value[heads[key][0]] if key in heads else None for key in got}
        assert len(got) == 12


@st.composite
def assessment_histories(draw: st.DrawFn) -> list[tuple[int, int, int]]:
    """(item, as-of date, entry time) triples; equal dates and equal entry times are frequent."""
    return draw(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 3), st.integers(0, 1)), max_size=10))


@SETTINGS
@given(history=assessment_histories(), as_of=st.sampled_from(AS_OF))
@example(history=[(0, 1, 1), (0, 1, 0)], as_of=AS_OF[-1])  # equal dates, the later id entered earlier
def test_latest_assessment_per_item_agrees_with_the_reference(series_world, history, as_of):
    with rolled_back():
        for item, when, entered in history:
            created = Assessment.objects.create(item=series_world.items[item], as_of=DATES[when], rating="satisfactory")
            Assessment.objects.filter(pk=created.pk).update(created_at=ENTERED[entered])
        rows = list(Assessment.objects.all())
        expected: dict[int, int] = {}
        for a in sorted(rows, key=lambda a: (a.as_of, a.created_at, a.pk)):
            if a.as_of <= as_of:
                expected[a.item_id] = a.pk
        got = {a.item_id: a.pk for a in Assessment.objects.latest_per_item(as_of=as_of)}
        assert got == expected


def test_dashboard_and_report_break_an_assessment_tie_the_same_way(series_world):
    """Two assessments of one item on one date: the one entered last counts, on the dashboard and in the report,
    even when it has the lower id (an import entering older material later)."""
    from reporting.builder import build_report
    from reporting.definitions import ReportParams
    from tracker.selectors.dashboard import dashboard_items, latest_assessments

    item = series_world.items[0]
    entered_last = Assessment.objects.create(item=item, as_of=date(2017, 9, 30), rating="partly_satisfactory")
    entered_first = Assessment.objects.create(item=item, as_of=date(2017, 9, 30), rating="unsatisfactory")
    Assessment.objects.filter(pk=entered_last.pk).update(created_at=ENTERED[1])
    Assessment.objects.filter(pk=entered_first.pk).update(created_at=ENTERED[0])

    as_of = date(2017, 10, 1)
    on_dashboard = latest_assessments(items=dashboard_items(framework=series_world.nap2014), as_of=as_of)[item.pk]
    report = build_report(ReportParams(framework=series_world.nap2014.slug, as_of=as_of))
    rating = report.rows[0].rating
    assert on_dashboard.pk == entered_last.pk
    assert rating is not None and rating.code == on_dashboard.rating == "partly_satisfactory"


def test_the_item_page_and_the_api_list_an_items_assessments_by_the_same_tie_break(series_world):
    """The item page's newest-first list and the API's list put first the assessment the dashboard and the
    report count (``ASSESSMENT_NEWEST_FIRST``): at an equal date, the one entered last, whatever its id."""
    from rest_framework.test import APIClient

    from tests.factories import make_user
    from tracker.selectors import item_detail

    item = series_world.items[0]
    entered_last = Assessment.objects.create(item=item, as_of=date(2017, 9, 30), rating="partly_satisfactory")
    entered_first = Assessment.objects.create(item=item, as_of=date(2017, 9, 30), rating="unsatisfactory")
    Assessment.objects.filter(pk=entered_last.pk).update(created_at=ENTERED[1])
    Assessment.objects.filter(pk=entered_first.pk).update(created_at=ENTERED[0])
    counted = Assessment.objects.filter(item=item).latest_per_item().get()
    assert counted.pk == entered_last.pk

    reader = make_user(None, email="reader@example.org")
    page = item_detail(user=reader, framework_slug=series_world.nap2014.slug, number=item.number)
    assert [a.pk for a in page.assessments] == [entered_last.pk, entered_first.pk]

    client = APIClient()
    client.force_authenticate(reader)
    listed = client.get("/api/v1/assessments/").json()["results"]
    assert [row["id"] for row in listed] == [entered_last.pk, entered_first.pk]
