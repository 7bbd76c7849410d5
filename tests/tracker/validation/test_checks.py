"""Each rule kind over constructed data: what it finds, what it leaves alone, and the words it uses."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tracker.choices import Cadence, ObservationState, RuleKind, ValueQualifier
from tracker.models import ReportingAssignment
from tracker.validation.engine import evaluate
from tracker.validation.expressions import ExpressionError, parse
from tracker.validation.figures import Candidate, Scope
from tracker.validation.messages import finding_message

pytestmark = pytest.mark.django_db


def found(rule, **scope):
    drafts = evaluate(scope=Scope(**scope), rules=[rule])
    return drafts


def message(draft):
    return finding_message(draft.rule.kind, draft.params)


# ---- parts and whole ------------------------------------------------------------------------------------------
def test_parts_below_the_whole_with_partial_coverage_are_no_finding(vworld, fig, rule):
    r = rule(indicator=vworld.arrests, tolerance_percent=1)
    fig(vworld.arrests, 10_000)
    for body, value in zip(vworld.jurisdictions[:4], (4000, 3000, 1600, 1000), strict=True):
        fig(vworld.arrests, value, body=body)
    # 4 of 8 reported 9,600 of 10,000: the other four make up the rest; nothing to say.
    assert found(r) == []


def test_parts_exceeding_the_whole_with_partial_coverage_state_the_coverage(vworld, fig, rule):
    r = rule(indicator=vworld.arrests, tolerance_percent=1)
    whole = fig(vworld.arrests, 10_000)
    for body, value in zip(vworld.jurisdictions[:4], (4000, 3000, 2000, 1200), strict=True):
        fig(vworld.arrests, value, body=body)
    [draft] = found(r)
    assert draft.observation_id == whole.pk
    assert draft.params["reported"] == 4 and draft.params["expected"] == 8
    text = message(draft)
    assert "4 of 8 bodies reported: 10,200 of 10,000 (the national figure)" in text
    assert "Gilgit-Baltistan" in text  # says who has not reported yet


@pytest.mark.parametrize(
    ("total_of_parts", "flagged"), [(10_100, False), (10_101, True), (9_900, False), (9_899, True)]
)
def test_full_coverage_tolerance_edges(vworld, fig, rule, total_of_parts, flagged):
    r = rule(indicator=vworld.arrests, tolerance_percent=1)  # 1 % of 10,000 = 100
    fig(vworld.arrests, 10_000)
    values = [1000] * 7 + [total_of_parts - 7000]
    for body, value in zip(vworld.jurisdictions, values, strict=True):
        fig(vworld.arrests, value, body=body)
    drafts = found(r)
    assert bool(drafts) is flagged
    if flagged:
        assert "8 of 8 bodies reported" in message(drafts[0])
        assert "Every part has reported" in message(drafts[0])


def test_a_whole_given_as_more_than_is_not_exceeded_by_its_parts(vworld, fig, rule):
    r = rule(indicator=vworld.arrests)
    fig(vworld.arrests, 10_000, value_qualifier=ValueQualifier.MORE_THAN)
    fig(vworld.arrests, 10_500, body=vworld.jurisdictions[0])
    assert found(r) == []


def test_named_parts_of_a_body_and_other_dates_are_separate(vworld, fig, rule, world):
    r = rule(indicator=vworld.arrests, whole_body=world.punjab, parts=[world.sindh])
    fig(vworld.arrests, 100, body=world.punjab)
    fig(vworld.arrests, 150, body=world.sindh, on=date(2015, 4, 1))  # another date: not compared
    assert found(r) == []
    fig(vworld.arrests, 150, body=world.sindh)
    [draft] = found(r)
    assert "1 of 1 body reported: 150 of 100 (Punjab)" in message(draft)


def test_only_published_figures_count(vworld, fig, rule):
    r = rule(indicator=vworld.arrests)
    fig(vworld.arrests, 100)
    fig(vworld.arrests, 500, body=vworld.jurisdictions[0], state=ObservationState.SUBMITTED)
    assert found(r) == []
    old = fig(vworld.arrests, 500, body=vworld.jurisdictions[1])
    assert len(found(r)) == 1
    # An approved correction replaces the figure it corrects.
    fig(vworld.arrests, 50, body=vworld.jurisdictions[1], supersedes=old, correction_reason="Typo")
    assert found(r) == []


# ---- range ----------------------------------------------------------------------------------------------------
def test_fixed_bounds(vworld, fig, rule):
    r = rule(RuleKind.RANGE, indicator=vworld.operations, min_value=0, max_value=5000)
    fig(vworld.operations, 5000)
    fig(vworld.operations, 5001, on=date(2015, 4, 1))
    [draft] = found(r)
    assert draft.params["value"] == "5001"
    assert "5,001 is outside the plausible range 0 to 5,000" in message(draft)


def test_learnt_bounds_flag_an_outlier_of_the_series_own_history(vworld, fig, rule, world):
    r = rule(RuleKind.RANGE, mad_k=5, history=6)
    for month, value in enumerate((100, 104, 98, 101, 103, 99), start=1):
        fig(vworld.operations, value, body=world.punjab, on=date(2015, month, 28))
    assert found(r) == []  # within its own history
    outlier = fig(vworld.operations, 1000, body=world.punjab, on=date(2015, 7, 28))
    [draft] = found(r)
    assert draft.observation_id == outlier.pk
    # median 100.5, MAD 2 (floored at 1 % of the median: 2), so 100.5 ± 10 is expected.
    assert "the median of its last 6 figures is 100.5" in message(draft)
    assert "between 90.5 and 110.5" in message(draft)


def test_learnt_bounds_need_history_and_leave_running_totals_alone(vworld, fig, rule, world):
    r = rule(RuleKind.RANGE, mad_k=3, history=8)
    for month, value in enumerate((100, 101, 99), start=1):
        fig(vworld.operations, value, body=world.punjab, on=date(2015, month, 28))
    fig(vworld.operations, 5000, body=world.punjab, on=date(2015, 4, 28))  # only 3 earlier values
    for month, value in enumerate((10, 20, 30, 40, 50, 5000), start=1):
        fig(vworld.arrests, value, on=date(2015, month, 28))  # a running total grows by design
    assert found(r) == []
    with pytest.raises(ValidationError):
        rule(RuleKind.RANGE, mad_k=3, history=3).full_clean()


def test_a_candidate_outlier_is_flagged_before_approval(vworld, fig, rule, world):
    r = rule(RuleKind.RANGE, mad_k=5, history=6)
    for month, value in enumerate((100, 104, 98, 101, 103, 99), start=1):
        fig(vworld.operations, value, body=world.punjab, on=date(2015, month, 28))
    candidate = Candidate(
        ref=-1,
        indicator_id=vworld.operations.pk,
        body_id=world.punjab.pk,
        period_end=date(2015, 7, 28),
        value=Decimal(9),
    )
    [draft] = evaluate(scope=Scope(candidates=[candidate]), rules=[r])
    assert draft.observation_id is None and "9 is far from this series' usual values" in message(draft)


# ---- stock series ---------------------------------------------------------------------------------------------
def test_a_running_total_that_falls_is_flagged(vworld, fig, rule):
    r = rule(RuleKind.STOCK)
    fig(vworld.arrests, 100, on=date(2015, 1, 31))
    fig(vworld.arrests, 120, on=date(2015, 2, 28))
    lower = fig(vworld.arrests, 110, on=date(2015, 3, 31))
    [draft] = found(r)
    assert draft.observation_id == lower.pk
    assert "falls from 120 (28 Feb 2015) to 110" in message(draft)


def test_a_running_total_may_fall_through_a_correction(vworld, fig, rule):
    r = rule(RuleKind.STOCK)
    fig(vworld.arrests, 100, on=date(2015, 1, 31))
    fig(vworld.arrests, 120, on=date(2015, 2, 28))
    march = fig(vworld.arrests, 130, on=date(2015, 3, 31))
    assert found(r) == []
    # A recount corrects the March figure below February's, with a reason: accepted.
    fig(vworld.arrests, 110, on=date(2015, 3, 31), supersedes=march, correction_reason="Recount")
    assert found(r) == []
    # Without a correction, the same fall is a finding.
    fig(vworld.arrests, 90, on=date(2015, 4, 30))
    [draft] = found(r)
    assert draft.params["previous"] == "110" and draft.params["value"] == "90"


def test_stock_comparisons_left_open_by_qualifiers_are_not_judged(vworld, fig, rule):
    r = rule(RuleKind.STOCK)
    fig(vworld.arrests, 30_000, on=date(2015, 1, 31), value_qualifier=ValueQualifier.ABOUT)
    fig(vworld.arrests, 29_800, on=date(2015, 2, 28))
    assert found(r) == []


# ---- relations ------------------------------------------------------------------------------------------------
def test_relation_between_indicators_of_the_same_body_and_period(vworld, fig, rule, world):
    r = rule(RuleKind.RELATION, expression="convictions <= cases-registered")
    fig(vworld.convictions, 40, body=world.punjab)
    fig(vworld.cases, 50, body=world.punjab)
    fig(vworld.convictions, 70, body=world.sindh)
    fig(vworld.cases, 60, body=world.sindh)
    fig(vworld.convictions, 99, body=world.nacta)  # no cases figure: not judged
    [draft] = found(r)
    assert draft.body_id == world.sindh.pk
    assert "break the rule “convictions <= cases-registered”: Convictions: 70; Cases registered: 60" in message(draft)


def test_relation_with_arithmetic_and_division_by_zero(vworld, fig, rule, world):
    r = rule(RuleKind.RELATION, expression="convictions / cases-registered <= 0.5 * 2 - (0)")
    fig(vworld.convictions, 10, body=world.punjab)
    fig(vworld.cases, 0, body=world.punjab)  # ratio undefined: not judged
    fig(vworld.convictions, 11, body=world.sindh)
    fig(vworld.cases, 10, body=world.sindh)
    [draft] = found(r)
    assert draft.body_id == world.sindh.pk


@pytest.mark.parametrize(
    "text", ["", "convictions", "convictions <= ", "__import__('os') <= 1", "a <= b; drop table x", "a <= (b"]
)
def test_expressions_outside_the_language_are_refused(text):
    with pytest.raises(ExpressionError):
        parse(text)


def test_unknown_codes_leave_the_rule_silent(vworld, fig, rule, world):
    r = rule(RuleKind.RELATION, expression="convictions <= renamed-indicator")
    fig(vworld.convictions, 10, body=world.punjab)
    assert found(r) == []


# ---- completeness and timeliness ------------------------------------------------------------------------------
def test_late_and_missing_returns(vworld, fig, rule, world):
    r = rule(RuleKind.COMPLETENESS, lookback=2)
    ReportingAssignment.objects.create(
        indicator=vworld.operations, body=world.punjab, cadence=Cadence.QUARTERLY, due_day=15
    )
    tz = timezone.get_current_timezone()
    # Q4 2014 is due 15 Jan 2015 and arrives on 20 Jan: late. Q1 2015 (due 15 Apr) never arrives: missing.
    fig(
        vworld.operations,
        5,
        body=world.punjab,
        on=date(2014, 12, 31),
        period_start=date(2014, 10, 1),
        submitted_at=datetime(2015, 1, 20, 10, tzinfo=tz),
    )
    drafts = sorted(found(r, as_of=date(2015, 5, 1)), key=lambda d: d.period_end)
    assert [(d.period_end, d.params["missing"], d.params["days_late"]) for d in drafts] == [
        (date(2014, 12, 31), False, 5),
        (date(2015, 3, 31), True, 16),
    ]
    assert "arrived on 20 Jan 2015, 5 days after it was due (15 Jan 2015)" in message(drafts[0])
    assert "No figure for Operations from Punjab: it was due on 15 Apr 2015, 16 days ago" in message(drafts[1])
    # Before the due date a return is neither late nor missing; on time it is nothing.
    assert [d.period_end for d in found(r, as_of=date(2015, 4, 10))] == [date(2014, 12, 31)]


@pytest.mark.parametrize("history", [4, 5, 7, 8])
def test_the_median_and_mad_in_sql_match_python(vworld, fig, rule, world, history):
    import statistics

    r = rule(RuleKind.RANGE, mad_k=1, history=history)
    values = [13, 2, 8, 21, 5, 3, 34, 1][:history]
    for day, value in enumerate(values, start=1):
        fig(vworld.operations, value, body=world.punjab, on=date(2015, 1, day))
    fig(vworld.operations, 1000, body=world.punjab, on=date(2015, 2, 1))
    [draft] = found(r)
    median = statistics.median(values)
    mad = max(statistics.median(abs(v - median) for v in values), abs(median) * 0.01)
    assert Decimal(draft.params["learnt"]["median"]) == Decimal(str(median))
    assert Decimal(draft.params["learnt"]["high"]) == Decimal(str(median + mad))
