"""Reports show what could be known on a date: only figures whose source was published by then, unless the
reader asks for hindsight; the header and the edition say which."""

from datetime import date

import pytest

from reporting.builder import build_report
from reporting.definitions import ReportParams, ReportParamsError
from reporting.forms import ReportForm
from reporting.models import ReportEdition
from reporting.services import edition_request
from tests.factories import SourceFactory
from tracker.choices import DatePrecision
from tracker.models import Observation, Source

MAR15 = date(2015, 3, 25)
OCT17 = date(2017, 10, 1)


def cell_texts(report, number):
    row = next(r for r in report.rows if r.number == number)
    return [c.text for c in row.cells]


@pytest.fixture
def sectarian_2012(world):
    """NACTA's "185 Cases (2012)", published in August 2017 (the case the issue found)."""
    world.observe(world.sectarian, 185, date(2012, 12, 31), start=date(2012, 1, 1), precision=DatePrecision.YEAR)
    return world


def test_a_figure_published_after_the_as_of_date_is_absent_by_default(sectarian_2012):
    report = build_report(ReportParams("nap-2014", MAR15))
    assert cell_texts(report, 18) == []
    assert report.knowledge == "as known on 25th March 2015"


def test_with_hindsight_the_later_figure_is_present_and_the_header_says_so(sectarian_2012):
    report = build_report(ReportParams("nap-2014", MAR15, hindsight=True))
    assert cell_texts(report, 18) == ["185 Cases (2012)"]
    assert report.knowledge.startswith("with hindsight")


def test_a_later_knowledge_date_brings_the_figure_in(sectarian_2012):
    assert cell_texts(build_report(ReportParams("nap-2014", MAR15, known_on=date(2017, 8, 22))), 18) == []
    report = build_report(ReportParams("nap-2014", MAR15, known_on=date(2017, 8, 23)))
    assert cell_texts(report, 18) == ["185 Cases (2012)"]
    assert report.knowledge == "as known on 23rd August 2017"


def test_a_later_figure_never_hides_the_one_known_then(world):
    world.observe(world.executions, 400, date(2017, 6, 30))  # NACTA, published 23 Aug 2017
    world.observe(world.executions, 450, date(2017, 7, 31), source=world.issra)  # published Oct 2025
    assert cell_texts(build_report(ReportParams("nap-2014", date(2017, 10, 1))), 1) == ["400 Executions"]
    assert cell_texts(build_report(ReportParams("nap-2014", date(2017, 10, 1), hindsight=True)), 1) == [
        "450 Executions"
    ]


@pytest.mark.parametrize(
    ("precision", "published_on", "known_from"),
    [
        (DatePrecision.DAY, date(2017, 8, 23), date(2017, 8, 23)),
        # Known to the month or year only: counted as known once that month or year is over.
        (DatePrecision.MONTH, date(2017, 8, 1), date(2017, 8, 31)),
        (DatePrecision.YEAR, date(2017, 1, 1), date(2017, 12, 31)),
    ],
)
def test_a_source_dated_to_a_month_or_year_is_known_from_its_end(world, precision, published_on, known_from):
    Source.objects.filter(pk=world.nacta_report.pk).update(published_on=published_on, date_precision=precision)
    obs = world.observe(world.executions, 484, date(2017, 6, 30))
    day_before = date.fromordinal(known_from.toordinal() - 1)
    assert not Observation.objects.known_on(day_before).filter(pk=obs.pk).exists()
    assert Observation.objects.known_on(known_from).filter(pk=obs.pk).exists()


def test_an_undated_source_is_known_only_with_hindsight(world):
    Source.objects.filter(pk=world.nacta_report.pk).update(published_on=None)
    obs = world.observe(world.executions, 484, date(2017, 6, 30))
    assert not Observation.objects.known_on(date(2030, 1, 1)).filter(pk=obs.pk).exists()
    assert Observation.objects.known_on(None).filter(pk=obs.pk).exists()


def test_the_comparison_uses_the_same_knowledge_date(world):
    world.observe(world.executions, 300, date(2016, 12, 31), source=world.issra)  # known only in 2025
    world.observe(world.executions, 484, date(2017, 10, 1))
    report = build_report(ReportParams("nap-2014", date(2017, 10, 1), compare=date(2017, 1, 1)))
    change = next(c for c in next(r for r in report.rows if r.number == 1).cells).change
    assert change is not None and change.trend == "new"


def test_parameters_refuse_a_knowledge_date_before_the_as_of_date_or_beside_hindsight():
    with pytest.raises(ReportParamsError):
        ReportParams("nap-2014", MAR15, known_on=date(2015, 1, 1))
    with pytest.raises(ReportParamsError):
        ReportParams("nap-2014", MAR15, known_on=date(2016, 1, 1), hindsight=True)
    # Leaving the knowledge date out and giving the as-of date are the same report.
    assert ReportParams("nap-2014", MAR15).digest == ReportParams("nap-2014", MAR15, known_on=MAR15).digest
    assert ReportParams("nap-2014", MAR15).digest != ReportParams("nap-2014", MAR15, hindsight=True).digest
    restored = ReportParams.from_json(ReportParams("nap-2014", MAR15, hindsight=True).to_json())
    assert restored.hindsight and restored.knowledge_date is None


def test_the_form_needs_only_framework_and_as_of(world):
    form = ReportForm({"framework": "nap-2014", "as_of": "2017-10-01"})
    assert form.is_valid(), form.errors
    params = form.cleaned_data["params"]
    assert (params.scope, params.knowledge_date, params.hindsight) == ("national", date(2017, 10, 1), False)
    form = ReportForm({"framework": "nap-2014", "as_of": "2017-10-01", "hindsight": "on"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["params"].knowledge_date is None


def test_an_edition_records_its_knowledge_date(sectarian_2012, media_root):
    dated = edition_request(params=ReportParams("nap-2014", MAR15), queue=False)
    hindsight = edition_request(params=ReportParams("nap-2014", MAR15, hindsight=True), queue=False)
    assert ReportEdition.objects.get(pk=dated.pk).known_on == MAR15
    assert ReportEdition.objects.get(pk=hindsight.pk).known_on is None
    assert dated.data_fingerprint != hindsight.data_fingerprint


def test_a_correction_counts_from_the_day_its_source_is_known(world):
    original = world.observe(world.executions, 484, OCT17)
    later = SourceFactory.create(
        slug="nacta-2019", publisher=world.nacta, title="Revised figures", published_on=date(2019, 3, 1)
    )
    world.observe(world.executions, 486, OCT17, supersedes=original, source=later)
    assert cell_texts(build_report(ReportParams("nap-2014", OCT17)), 1) == ["484 Executions"]
    assert cell_texts(build_report(ReportParams("nap-2014", OCT17, known_on=date(2019, 3, 1))), 1) == ["486 Executions"]
    assert cell_texts(build_report(ReportParams("nap-2014", OCT17, hindsight=True)), 1) == ["486 Executions"]


def test_a_correction_from_the_same_source_replaces_the_figure_at_once(world):
    original = world.observe(world.executions, 484, OCT17)
    world.observe(world.executions, 486, OCT17, supersedes=original)
    assert cell_texts(build_report(ReportParams("nap-2014", OCT17)), 1) == ["486 Executions"]
