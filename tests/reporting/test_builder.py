import dataclasses
from datetime import date, timedelta

import pytest

from reporting.builder import Report, build_report, fill_status_template
from reporting.definitions import ReportParams, ReportParamsError
from tracker.choices import DatePrecision, ObservationState
from tracker.formatting import INTERNATIONAL, SOUTH_ASIAN

OCT17 = date(2017, 10, 1)


def row(report, number):
    return next(r for r in report.rows if r.number == number)


def cell(report, number, code):
    return next(c for c in row(report, number).cells if c.indicator == code)


def test_rows_follow_the_items_in_order_with_nacta_wording(nacta_2017):
    report = build_report(ReportParams("nap-2014", OCT17, number_style=SOUTH_ASIAN))
    assert [r.number for r in report.rows] == [1, 2, 13, 14, 16, 18, 19]
    assert report.heading == "Status as of 1st October 2017"
    assert report.framework_title == "National Action Plan 2014"
    assert row(report, 1).status_text == "484 Executions"
    assert row(report, 2).status_text == "11 Courts 388 Cases"
    assert row(report, 13).status_text == "98.3 million SIMS"
    assert row(report, 16).status_text == "Target Killing (↓91%)"
    assert row(report, 19).status_text == "National Refugees Law"
    # The template names the period, so NACTA's two dated figures both show, oldest first.
    assert row(report, 18).status_text == "185 Cases (2012); 37 Cases (2016)"
    assert row(report, 1).lead_bodies == ["NACTA"]
    assert row(report, 1).supporting_bodies == ["Punjab"]


def test_every_figure_has_a_numbered_source_footnote(nacta_2017):
    report = build_report(ReportParams("nap-2014", OCT17))
    assert [f.number for f in report.footnotes] == [1]
    assert report.footnotes[0].text == "National Counter Terrorism Authority, “Status report”, 23 Aug 2017"
    assert {f.footnote for r in report.rows for c in r.cells for f in c.figures} == {1}


def test_number_style_is_a_parameter(world):
    world.observe(world.executions, 506_072, OCT17)
    assert row(build_report(ReportParams("nap-2014", OCT17, number_style=SOUTH_ASIAN)), 1).status_text == (
        "5,06,072 Executions"
    )
    assert row(build_report(ReportParams("nap-2014", OCT17, number_style=INTERNATIONAL)), 1).status_text == (
        "506,072 Executions"
    )


def test_an_observation_after_the_as_of_date_never_appears(world):
    world.observe(world.executions, 484, OCT17)
    world.observe(world.executions, 500, OCT17 + timedelta(days=1))
    assert row(build_report(ReportParams("nap-2014", OCT17)), 1).status_text == "484 Executions"
    assert row(build_report(ReportParams("nap-2014", date(2017, 10, 2))), 1).status_text == "500 Executions"


@pytest.mark.parametrize("state", [ObservationState.DRAFT, ObservationState.SUBMITTED, ObservationState.RETURNED])
def test_only_approved_observations_count(world, state):
    world.observe(world.executions, 484, date(2017, 9, 1))
    world.observe(world.executions, 999, OCT17, state=state)
    assert row(build_report(ReportParams("nap-2014", OCT17)), 1).status_text == "484 Executions"


def test_an_approved_correction_supersedes_the_value_it_corrects(world):
    original = world.observe(world.executions, 484, OCT17)
    world.observe(world.executions, 486, OCT17, state=ObservationState.SUBMITTED, supersedes=original)
    assert row(build_report(ReportParams("nap-2014", OCT17)), 1).status_text == "484 Executions"
    correction = original.superseded_by
    correction.state = ObservationState.APPROVED
    correction.save()
    assert row(build_report(ReportParams("nap-2014", OCT17)), 1).status_text == "486 Executions"


def test_national_scope_names_each_reporting_body_and_a_body_scope_shows_only_its_own(world):
    world.observe(world.executions, 484, OCT17)
    world.observe(world.executions, 120, OCT17, body=world.punjab)
    national = row(build_report(ReportParams("nap-2014", OCT17)), 1)
    assert [cell.text for cell in national.cells] == ["484 Executions", "Punjab: 120 Executions"]
    report = build_report(ReportParams("nap-2014", OCT17, scope="punjab"))
    assert row(report, 1).status_text == "120 Executions"
    assert report.scope_label == "Punjab"


def test_the_2021_report_shows_the_2014_figure_through_the_crosswalk(nacta_2017):
    report = build_report(ReportParams("nap-2021", OCT17))
    urls = cell(report, 3, "urls-blocked")
    assert urls.text == "937 URLs blocked"
    assert urls.latest.via == "via crosswalk from NAP 2014 item 14"
    # Once the 2021 indicator has its own figure, it is the latest of the series.
    nacta_2017.observe(
        nacta_2017.urls_2021,
        1_300_000,
        date(2023, 12, 31),
        start=date(2023, 1, 1),
        precision=DatePrecision.YEAR,
        source=nacta_2017.issra,
        qualifier="about",
    )
    # ISSRA published in October 2025: only with hindsight is its 2023 figure in a report as of 2024.
    urls = cell(build_report(ReportParams("nap-2021", date(2024, 12, 31), hindsight=True)), 3, "urls-blocked")
    assert urls.text == "about 1.3 million URLs blocked"
    assert urls.latest.via == ""


def test_the_2014_report_shows_a_later_2021_figure_through_the_crosswalk(nacta_2017):
    nacta_2017.observe(
        nacta_2017.urls_2021,
        1_300_000,
        date(2023, 12, 31),
        start=date(2023, 1, 1),
        precision=DatePrecision.YEAR,
        qualifier="about",
    )
    urls = cell(build_report(ReportParams("nap-2014", date(2024, 12, 31))), 14, "urls-blocked-2014")
    assert urls.text == "about 1.3 million URLs blocked"
    assert urls.latest.via == "via crosswalk from NAP 2021 item 3"
    assert cell(build_report(ReportParams("nap-2014", OCT17)), 14, "urls-blocked-2014").latest.via == ""


def test_rating_is_the_latest_assessment_on_or_before_the_as_of_date(nacta_2017):
    assert row(build_report(ReportParams("nap-2021", date(2023, 12, 30), hindsight=True)), 3).rating is None
    # ISSRA's 2023 rating was published in October 2025.
    assert row(build_report(ReportParams("nap-2021", date(2024, 12, 31))), 3).rating is None
    rating = row(build_report(ReportParams("nap-2021", date(2024, 12, 31), hindsight=True)), 3).rating
    assert rating is not None
    assert (rating.label, rating.date) == ("Satisfactory", "2023")
    assert rating.footnote is not None


def test_change_against_the_comparison_date_follows_the_indicator_direction(world):
    world.observe(world.accounts, 5489, date(2021, 12, 31), start=date(2021, 1, 1), precision=DatePrecision.YEAR)
    world.observe(world.accounts, 5089, date(2024, 12, 31), start=date(2024, 1, 1), precision=DatePrecision.YEAR)
    report = build_report(ReportParams("nap-2021", date(2024, 12, 31), compare=date(2022, 6, 30)))
    change = cell(report, 4, "accounts-blocked").change
    assert change is not None
    assert change.text == "5,489 → 5,089 accounts, ↓7%"
    assert change.trend == "worse"  # fewer accounts blocked: higher is better for this indicator
    assert report.compare_heading == "Change since 30th June 2022"


def test_change_of_a_lower_is_better_indicator_going_down_is_better(world):
    world.observe(world.executions, 10, date(2016, 1, 1))  # higher is better
    world.observe(world.executions, 5, OCT17)
    world.observe(world.sectarian, 185, date(2012, 12, 31), start=date(2012, 1, 1), precision=DatePrecision.YEAR)
    world.observe(world.sectarian, 37, date(2016, 12, 31), start=date(2016, 1, 1), precision=DatePrecision.YEAR)
    report = build_report(ReportParams("nap-2014", OCT17, compare=date(2016, 6, 30)))
    assert cell(report, 18, "sectarian-cases").change.trend == "better"
    assert cell(report, 18, "sectarian-cases").change.text == "185 → 37 Cases (2012 → 2016), ↓80%"
    assert cell(report, 1, "executions-2014").change.trend == "worse"


def test_unknown_framework_or_body_is_a_clear_error(world):
    with pytest.raises(ReportParamsError, match="Unknown framework “nap-1999”"):
        build_report(ReportParams("nap-1999", OCT17))
    with pytest.raises(ReportParamsError, match="Unknown body “atlantis”"):
        build_report(ReportParams("nap-2014", OCT17, scope="atlantis"))


def test_bad_parameters_are_refused_with_a_message():
    with pytest.raises(ReportParamsError, match="number style"):
        ReportParams("nap-2014", OCT17, number_style="roman")
    with pytest.raises(ReportParamsError, match="comparison date must be before"):
        ReportParams("nap-2014", OCT17, compare=OCT17)


def test_status_template_is_filled_as_data_not_as_a_format_string():
    assert fill_status_template("{value.__class__} {value}", value="5", period="") == "{value.__class__} 5"


def test_fingerprint_is_stable_and_follows_the_data(nacta_2017):
    params = ReportParams("nap-2014", OCT17)
    first = build_report(params).fingerprint
    assert build_report(params).fingerprint == first
    nacta_2017.observe(nacta_2017.executions, 485, date(2017, 11, 1))  # after the as-of date: same report
    assert build_report(params).fingerprint == first
    nacta_2017.observe(nacta_2017.executions, 490, date(2017, 9, 30), state=ObservationState.APPROVED)
    assert build_report(params).fingerprint == first  # older than the latest: still 484
    nacta_2017.observe(nacta_2017.courts, 12, OCT17)
    assert build_report(params).fingerprint != first


def test_fingerprint_is_built_from_the_cells_not_from_a_deep_copy_and_covers_every_field(nacta_2017, monkeypatch):
    nacta_2017.observe(nacta_2017.executions, 42, OCT17, body=nacta_2017.punjab)
    report = build_report(ReportParams("nap-2014", OCT17))
    first = report.fingerprint
    # ``to_json`` (``asdict``) deep-copies every figure: the fingerprint of a 1,092-cell report never goes there.
    monkeypatch.setattr(Report, "to_json", lambda self: pytest.fail("fingerprint deep-copied the report"))
    assert build_report(ReportParams("nap-2014", OCT17)).fingerprint == first
    body_cell = cell(report, 1, "executions-2014@punjab")
    figure = body_cell.figures[-1]

    def changed(**changes: object) -> str:
        edited = dataclasses.replace(body_cell, figures=[dataclasses.replace(figure, **changes)])
        rows = [dataclasses.replace(r, cells=[edited if c is body_cell else c for c in r.cells]) for r in report.rows]
        return dataclasses.replace(report, rows=rows).fingerprint

    assert changed() == first  # equal content, equal digest
    assert changed(value=figure.value + 1) != first  # one body's figure changes: another edition
    assert changed(quote="forty-two") != first
    assert changed(period_end=figure.period_end - timedelta(days=1)) != first
    notes = [dataclasses.replace(report.footnotes[0], url="https://example.org/other")]
    assert dataclasses.replace(report, footnotes=notes).fingerprint != first


# The latest figures and the listed `{period}` ones are fetched in one query (7, not 8); compare adds the
# comparison date's figures.
BUILD_QUERIES = {"plain": 7, "compare": 8, "body": 8}


@pytest.mark.parametrize("n_obs", [1, 40])
@pytest.mark.parametrize("variant", ["plain", "compare", "body"])
def test_building_a_report_takes_a_fixed_number_of_queries(nacta_2017, n_obs, variant, django_assert_num_queries):
    body = nacta_2017.punjab if variant == "body" else None
    for i in range(n_obs):
        for indicator in (nacta_2017.executions, nacta_2017.sectarian, nacta_2017.urls_2014, nacta_2017.accounts):
            nacta_2017.observe(indicator, 100 + i, date(2015, 1, 1) + timedelta(days=i), body=body)
    params = ReportParams(
        "nap-2014" if variant != "compare" else "nap-2021",
        OCT17,
        compare=date(2015, 1, 20) if variant == "compare" else None,
        scope="punjab" if variant == "body" else "national",
    )
    with django_assert_num_queries(BUILD_QUERIES[variant]):
        report = build_report(params)
    assert sum(len(r.cells) for r in report.rows) >= 1
