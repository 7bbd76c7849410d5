"""The compliance matrix read from the reporting cadence (``CadenceRule``), the dashboard's default rule.

Dates: on 10 May 2025 the last closed quarter is Q1 (due 15 April, so an unreported one is overdue), the last
closed month is April (due 15 May, so an unreported one is still only due), the last closed year 2024.
"""

from datetime import date

import pytest

from tests.tracker.dashboard.test_dashboard import matrix_rows
from tracker.choices import Cadence, DatePrecision, ObservationState
from tracker.compliance import CellStatus, InferredRule
from tracker.models import ReportingAssignment
from tracker.selectors.dashboard import cadence_rule, compliance_matrix, dashboard_items
from tracker.selectors.workflow import my_assignments

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 5, 10)


def assign(indicator, body, cadence=Cadence.QUARTERLY, due_day=15) -> ReportingAssignment:
    return ReportingAssignment.objects.create(indicator=indicator, body=body, cadence=cadence, due_day=due_day)


def statuses(rows) -> dict[str | None, list[str]]:
    return {(row.body.slug if row.body else None): [cell.status for cell in row.cells] for row in rows}


def matrix(user, framework, as_of=AS_OF, **kw):
    return statuses(compliance_matrix(user=user, framework=framework, as_of=as_of, **kw))


QUARTER_END = date(2025, 3, 31)


@pytest.mark.parametrize(
    ("figure_end", "state", "as_of", "expected"),
    [
        # Q1 reported: up to date.
        (QUARTER_END, ObservationState.APPROVED, AS_OF, CellStatus.UP_TO_DATE),
        # Only Q4 2024 reported: Q1 was due on 15 April.
        (date(2024, 12, 31), ObservationState.APPROVED, date(2025, 4, 15), CellStatus.DUE),
        (date(2024, 12, 31), ObservationState.APPROVED, date(2025, 4, 16), CellStatus.OVERDUE),
        # Never reported: no data, however late.
        (None, None, AS_OF, CellStatus.NO_DATA),
        # A Q1 figure still under review does not count on the dashboard (My updates counts it: see below).
        (QUARTER_END, ObservationState.SUBMITTED, AS_OF, CellStatus.NO_DATA),
        # A figure dated after the as-of date is not known yet.
        (QUARTER_END, ObservationState.APPROVED, date(2025, 3, 30), CellStatus.NO_DATA),
    ],
)
def test_an_assigned_cell_follows_the_cadence(dash, obs, users, figure_end, state, as_of, expected):
    assign(dash.attacks, dash.punjab)
    if figure_end is not None:
        obs(dash.attacks, value=5, body=dash.punjab, end=figure_end, precision=DatePrecision.DAY, state=state)
    rows = matrix(users["analyst"], dash.nap2021, as_of=as_of)
    assert rows["punjab"][0] == expected


def test_the_worst_of_a_bodys_assignments_on_an_item_wins(dash, obs, users):
    assign(dash.attacks, dash.punjab)  # reported: up to date
    assign(dash.executions, dash.punjab, cadence=Cadence.MONTHLY)  # March reported, April due on 15 May
    obs(dash.attacks, value=5, body=dash.punjab, end=QUARTER_END, precision=DatePrecision.DAY)
    obs(dash.executions, value=5, body=dash.punjab, end=QUARTER_END, precision=DatePrecision.MONTH)
    assert matrix(users["analyst"], dash.nap2021)["punjab"][0] == CellStatus.DUE
    ReportingAssignment.objects.filter(indicator=dash.executions).update(cadence=Cadence.QUARTERLY)
    assert matrix(users["analyst"], dash.nap2021)["punjab"][0] == CellStatus.UP_TO_DATE


def test_expected_where_assigned_worst_offenders_first_and_fallbacks(dash, obs, users):
    assign(dash.attacks, dash.punjab)  # Q1 reported: up to date
    assign(dash.attacks, dash.sindh, cadence=Cadence.MONTHLY)  # March reported, April due
    assign(dash.madaris, dash.sindh)  # Q4 2024 only: Q1 overdue
    assign(dash.executions, dash.nacta, cadence=Cadence.ANNUAL)  # nothing: no data (NACTA leads no item)
    obs(dash.attacks, value=5, body=dash.punjab, end=QUARTER_END, precision=DatePrecision.DAY)
    obs(dash.attacks, value=6, body=dash.sindh, end=QUARTER_END, precision=DatePrecision.MONTH)
    obs(dash.madaris, value="Registered", body=dash.sindh, end=date(2024, 12, 31), precision=DatePrecision.DAY)
    # Published by Punjab, but Punjab has no assignment on the madaris item: not expected.
    obs(dash.madaris, value="Registered", body=dash.punjab, end=QUARTER_END, precision=DatePrecision.DAY)
    # National figures follow the inferred rule: the 2024 figure is current in May 2025; none on madaris.
    obs(dash.executions, value=450, end=date(2024, 12, 31))

    rows = compliance_matrix(user=users["analyst"], framework=dash.nap2021, as_of=AS_OF)
    assert [row.body.slug if row.body else None for row in rows] == ["sindh", None, "nacta", "punjab"]
    assert statuses(rows) == {
        "sindh": ["due", "overdue"],
        None: ["up_to_date", "no_data"],
        "nacta": ["no_data", "not_expected"],
        "punjab": ["up_to_date", "not_expected"],
    }


def test_items_without_assignments_keep_the_inferred_rule(dash, obs, users):
    assign(dash.attacks, dash.punjab)
    obs(dash.attacks, value=5, body=dash.punjab, end=QUARTER_END, precision=DatePrecision.DAY)
    # The madaris item has no assignment: Sindh leads it and reported nothing (no data); Punjab is not
    # responsible for it. Sindh supports the executions item, which has a cadence, without an assignment.
    rows = matrix(users["analyst"], dash.nap2021)
    assert rows["sindh"] == ["not_expected", "no_data"]
    assert rows["punjab"] == ["up_to_date", "not_expected"]
    # With no assignment anywhere, the whole matrix is the inferred one.
    ReportingAssignment.objects.all().delete()
    assert matrix(users["analyst"], dash.nap2021) == matrix(users["analyst"], dash.nap2021, rule=InferredRule())


def test_inactive_assignments_are_ignored(dash, users):
    assign(dash.attacks, dash.nacta)
    ReportingAssignment.objects.update(active=False)
    assert "nacta" not in matrix(users["analyst"], dash.nap2021)


def test_the_matrix_and_my_updates_agree_on_approved_figures(dash, obs, users):
    """One due computation: for approved figures the cell says what the reporter's My updates says."""
    assign(dash.attacks, dash.punjab)
    assign(dash.executions, dash.punjab, cadence=Cadence.MONTHLY, due_day=5)  # April was due on 5 May
    assign(dash.madaris, dash.punjab, cadence=Cadence.ANNUAL, due_day=1)
    obs(dash.attacks, value=5, body=dash.punjab, end=QUARTER_END, precision=DatePrecision.DAY)
    obs(dash.executions, value=5, body=dash.punjab, end=date(2025, 2, 28), precision=DatePrecision.MONTH)
    obs(dash.madaris, value="Registered", body=dash.punjab, end=date(2023, 12, 31))
    mine = {row.assignment.indicator.code: row.status for row in my_assignments(user=users["reporter"], today=AS_OF)}
    assert mine == {"attacks": "up_to_date", "executions": "overdue", "madaris": "overdue"}
    rule = cadence_rule(users["reporter"], items=dashboard_items(framework=dash.nap2021), as_of=AS_OF)
    assert rule.assigned_item_ids == {dash.executions_item.pk, dash.madaris_item.pk}
    assert matrix(users["reporter"], dash.nap2021)["punjab"] == ["overdue", "overdue"]
    # A submission counts for the reporter's own to-do list, not yet for the matrix.
    obs(
        dash.executions,
        value=6,
        body=dash.punjab,
        end=date(2025, 4, 30),
        precision=DatePrecision.MONTH,
        state=ObservationState.SUBMITTED,
    )
    mine = {row.assignment.indicator.code: row.status for row in my_assignments(user=users["reporter"], today=AS_OF)}
    assert mine["executions"] == "up_to_date"
    assert matrix(users["reporter"], dash.nap2021)["punjab"] == ["overdue", "overdue"]


def test_the_dashboard_uses_the_cadence_by_default(as_role, dash, obs):
    assign(dash.madaris, dash.nacta)
    html_rows = matrix_rows(as_role("analyst").get(f"/dashboard/?framework=nap-2021&as_of={AS_OF}"))
    assert html_rows["NACTA"] == ["not_expected", "no_data"]
    # Sindh leads the madaris item, which now has a cadence without Sindh; the executions item has none yet.
    assert html_rows["Sindh"] == ["no_data", "not_expected"]
