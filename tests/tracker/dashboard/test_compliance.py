"""The inferred compliance rule (national figures and items without a cadence), and the trend arrow."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tracker.choices import Accumulation, DatePrecision, Direction
from tracker.compliance import AS_OF_INTERVAL, GRACE, CellStatus, InferredRule, LatestFigure, figure_interval, worst
from tracker.models import Indicator, Observation
from tracker.selectors.dashboard import trend_between


def year(y: int) -> LatestFigure:
    return LatestFigure(1, date(y, 1, 1), date(y, 12, 31), DatePrecision.YEAR)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2025, 6, 1), CellStatus.UP_TO_DATE),  # the 2025 period has not closed
        (date(2026, 1, 15), CellStatus.UP_TO_DATE),  # closed, but within the grace
        (date(2026, 1, 31), CellStatus.DUE),
        (date(2026, 12, 31), CellStatus.DUE),
        (date(2027, 2, 1), CellStatus.OVERDUE),
    ],
)
def test_a_yearly_figure_becomes_due_then_overdue(as_of, expected):
    assert InferredRule().series_status(latest=year(2024), as_of=as_of) == expected


def test_intervals_follow_the_figure_precision():
    assert figure_interval(year(2024)) == timedelta(days=365)
    month = LatestFigure(1, date(2024, 5, 1), date(2024, 5, 31), DatePrecision.MONTH)
    assert figure_interval(month) == timedelta(days=31)
    span = LatestFigure(1, date(2024, 1, 1), date(2024, 3, 31), DatePrecision.DAY)
    assert figure_interval(span) == timedelta(days=91)
    as_of = LatestFigure(1, None, date(2024, 3, 31), DatePrecision.DAY)
    assert figure_interval(as_of) == AS_OF_INTERVAL
    rule = InferredRule()
    assert rule.series_status(latest=as_of, as_of=date(2024, 3, 31) + AS_OF_INTERVAL + GRACE) == "up_to_date"
    assert rule.series_status(latest=as_of, as_of=date(2024, 3, 31) + AS_OF_INTERVAL + GRACE + timedelta(1)) == "due"


def test_expectation_and_worst():
    rule = InferredRule()
    assert rule.expects(body_id=None, responsible_body_ids=frozenset())
    assert rule.expects(body_id=3, responsible_body_ids=frozenset({3}))
    assert not rule.expects(body_id=4, responsible_body_ids=frozenset({3}))
    assert worst([CellStatus.UP_TO_DATE, CellStatus.DUE]) == CellStatus.DUE
    assert worst([CellStatus.DUE, CellStatus.OVERDUE, CellStatus.UP_TO_DATE]) == CellStatus.OVERDUE


# One running total: the trend compares figures of one series and one accumulation (tracker.comparison).
RUNNING_TOTAL = Indicator(pk=1, accumulation=Accumulation.RUNNING_TOTAL)


def figure(value: int, precision: str = DatePrecision.YEAR) -> Observation:
    return Observation(value=Decimal(value), date_precision=precision, indicator=RUNNING_TOTAL)


@pytest.mark.parametrize(
    ("before", "after", "direction", "change", "judgement"),
    [
        (10, 20, Direction.HIGHER_IS_BETTER, "up", "better"),
        (20, 10, Direction.HIGHER_IS_BETTER, "down", "worse"),
        (20, 10, Direction.LOWER_IS_BETTER, "down", "better"),
        (10, 20, Direction.LOWER_IS_BETTER, "up", "worse"),
        (10, 20, Direction.NEUTRAL, "up", ""),
        (10, 10, Direction.HIGHER_IS_BETTER, "steady", ""),
    ],
)
def test_trend_reads_the_indicator_direction(before, after, direction, change, judgement):
    trend = trend_between(figure(after), figure(before), direction)
    assert trend is not None
    assert (trend.change, trend.judgement) == (change, judgement)


def test_no_trend_without_a_comparable_previous_figure():
    assert trend_between(figure(10), None, Direction.HIGHER_IS_BETTER) is None
    assert trend_between(figure(10), figure(5, DatePrecision.MONTH), Direction.HIGHER_IS_BETTER) is None


@pytest.mark.django_db
def test_the_matrix_takes_another_rule(dash, obs, users):
    from tracker.compliance import CellFacts
    from tracker.selectors.dashboard import compliance_matrix

    obs(dash.attacks, value=5, body=dash.punjab, end=date(2024, 12, 31))

    class EveryoneMonthly:
        """Another rule: every body reports every item, monthly, and NACTA is expected too."""

        def cell_status(self, cell: CellFacts, *, as_of: date) -> str:
            if not cell.figures:
                return CellStatus.NO_DATA
            latest = max(figure.period_end for figure in cell.figures)
            return CellStatus.UP_TO_DATE if (as_of - latest).days <= 45 else CellStatus.OVERDUE

        def row_bodies(self):
            return [dash.nacta]

    as_of = date(2025, 1, 31)
    inferred = compliance_matrix(user=users["analyst"], framework=dash.nap2021, as_of=as_of, rule=InferredRule())
    assert {(r.body.slug if r.body else None): [c.status for c in r.cells] for r in inferred}["punjab"] == [
        "up_to_date",
        "not_expected",
    ]
    monthly = compliance_matrix(user=users["analyst"], framework=dash.nap2021, as_of=as_of, rule=EveryoneMonthly())
    statuses = {(r.body.slug if r.body else None): [c.status for c in r.cells] for r in monthly}
    assert statuses["punjab"] == ["up_to_date", "no_data"]
    assert statuses["sindh"] == ["no_data", "no_data"]
    assert statuses["nacta"] == ["no_data", "no_data"]
