"""The entry grid's data-quality warnings: shown on a row when it is saved and before "Submit all" sends it, with
the single-figure form's words from the same function; the reporter submits anyway with a comment that lands on
the stored finding. Checking a submission costs a fixed number of queries, whatever the history or the rows."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from tracker.cadence import last_closed_period
from tracker.choices import Cadence, ObservationState, RuleKind
from tracker.models import Finding, Observation, ReportingAssignment
from tracker.services import ObservationInput
from tracker.validation.entry import drafts_findings, entry_findings, findings_seal

pytestmark = pytest.mark.django_db
S = ObservationState
# The rules and their named parts (2), the indicators and bodies (2), the stock rule's one statement.
CHECK_QUERIES = 5


@pytest.fixture
def grid(vworld, world, fig, rule):
    """Punjab owes a running total (arrests, 120 approved the month before the grid's) and a per-period figure."""
    rule(RuleKind.STOCK, name="A running total does not fall")
    for indicator in (vworld.arrests, vworld.operations):
        ReportingAssignment.objects.create(indicator=indicator, body=world.punjab, cadence=Cadence.MONTHLY)
    period = last_closed_period(Cadence.MONTHLY, timezone.localdate())
    fig(vworld.arrests, 120, body=world.punjab, on=period.start - timedelta(days=1))
    url = reverse("tracker:entry-grid", args=[world.punjab.slug, Cadence.MONTHLY])
    return SimpleNamespace(arrests=vworld.arrests, operations=vworld.operations, period=period, url=url)


def rows(grid, arrests="", operations="", **extra):
    data = {"source": ""}
    for indicator, value in ((grid.arrests, arrests), (grid.operations, operations)):
        prefix = f"r{indicator.pk}"
        data.update({f"{prefix}-value": value, f"{prefix}-value_qualifier": "exact", f"{prefix}-note": ""})
        data[f"{prefix}-version"] = ""
    data.update(extra)
    return data


def test_a_saved_row_shows_its_warnings_in_the_forms_words(grid, reporter, client_as):
    data = {**rows(grid, arrests="90"), "save_row": str(grid.arrests.pk)}
    response = client_as(reporter).post(grid.url, data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    draft = Observation.objects.get(indicator=grid.arrests, state=S.DRAFT)
    assert "Draft saved." in html and 'data-testid="row-findings"' in html
    # The single-figure form's function, on the same figure, gives the same words.
    form_words = entry_findings(data=ObservationInput.of(draft), observation=draft)
    assert [f.message for f in form_words] == [f.message for f in drafts_findings([draft])[draft.pk]]
    assert form_words[0].message in html and "falls from 120" in html
    assert f'name="r{grid.arrests.pk}-findings_comment"' in html
    assert f'name="r{grid.arrests.pk}-confirm_findings" value="{findings_seal(form_words)}"' in html


def test_a_row_without_warnings_shows_none(grid, reporter, client_as):
    data = {**rows(grid, arrests="130"), "save_row": str(grid.arrests.pk)}
    html = client_as(reporter).post(grid.url, data, HTTP_HX_REQUEST="true").content.decode()
    assert "Draft saved." in html and "row-findings" not in html


def test_submit_all_holds_a_row_with_unseen_warnings_then_sends_it_with_the_comment(grid, reporter, client_as):
    client = client_as(reporter)
    response = client.post(grid.url, {**rows(grid, arrests="90", operations="7"), "submit_all": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 figure raises data-quality warnings" in html and "falls from 120" in html
    arrests = Observation.objects.get(indicator=grid.arrests, period_end=grid.period.end)
    assert arrests.state == S.DRAFT  # held back, kept as a draft
    assert Observation.objects.get(indicator=grid.operations).state == S.SUBMITTED  # no warning: sent at once
    assert not Finding.objects.exists()

    seal = findings_seal(drafts_findings([arrests])[arrests.pk])
    prefix = f"r{grid.arrests.pk}"
    again = rows(grid, arrests="90", submit_all="")
    again.update(
        {
            f"{prefix}-version": str(arrests.version),
            f"{prefix}-confirm_findings": seal,
            f"{prefix}-findings_comment": "  Recount after the audit  ",
        }
    )
    response = client.post(grid.url, again)
    assert response.status_code == 302
    arrests.refresh_from_db()
    assert arrests.state == S.SUBMITTED
    finding = Finding.objects.get(observation=arrests)
    assert finding.on_submission and finding.comment == "Recount after the audit"


def test_a_confirmation_of_other_warnings_does_not_send_a_changed_figure(grid, reporter, client_as):
    client = client_as(reporter)
    client.post(grid.url, {**rows(grid, arrests="90"), "save_row": str(grid.arrests.pk)})
    draft = Observation.objects.get(indicator=grid.arrests, period_end=grid.period.end)
    seen = findings_seal(drafts_findings([draft])[draft.pk])  # the warnings about 90
    prefix = f"r{grid.arrests.pk}"
    data = rows(grid, arrests="80", submit_all="")
    data.update({f"{prefix}-version": str(draft.version), f"{prefix}-confirm_findings": seen})
    html = client.post(grid.url, data).content.decode()
    draft.refresh_from_db()
    assert draft.value == Decimal(80) and draft.state == S.DRAFT
    assert "falls from 120" in html and "to 80" in html


@pytest.mark.parametrize("history", [10, 1000])
def test_checking_a_submission_costs_a_fixed_number_of_queries(
    grid, world, reporter, django_assert_num_queries, history
):
    earliest = grid.period.start - timedelta(days=history + 1)
    Observation.objects.bulk_create(
        Observation(
            indicator=grid.arrests,
            body=world.punjab,
            period_end=earliest + timedelta(days=n),
            value=Decimal(n),
            source=world.status_2017,
            state=S.APPROVED,
            approved_at=timezone.now(),
        )
        for n in range(history)
    )
    drafts = [
        Observation.objects.create(
            indicator=indicator,
            body=world.punjab,
            period_start=grid.period.start,
            period_end=grid.period.end,
            date_precision="month",
            value=Decimal(90),
            source=world.status_2017,
            created_by=reporter,
        )
        for indicator in (grid.arrests, grid.operations)
    ]
    with django_assert_num_queries(CHECK_QUERIES):
        one = drafts_findings(drafts[:1])
    with django_assert_num_queries(CHECK_QUERIES):
        both = drafts_findings(drafts)  # a whole grid: one evaluation, not one per row
    assert one == both and list(one) == [drafts[0].pk]
    assert "falls from 120" in one[drafts[0].pk][0].message
