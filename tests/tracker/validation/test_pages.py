"""The findings on the pages: the entry form before submitting, the review queue, the figure's page, the
validation page with its filters and exports, and a reviewer's follow-up through the page."""

import re
from datetime import date, datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tracker.choices import FindingState, ObservationState, RuleKind
from tracker.models import Evidence, Finding, Observation
from tracker.validation.services import validation_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def falling(vworld, fig, rule, world):
    """A running total with an approved figure of 120 for Punjab at the end of February 2015."""
    rule(RuleKind.STOCK, name="A running total does not fall")
    fig(vworld.arrests, 120, body=world.punjab, on=date(2015, 2, 28))
    return vworld.arrests


def entry(world, indicator, **overrides):
    data = {
        "indicator": indicator.pk,
        "body": world.punjab.pk,
        "period_end": "2015-03-31",
        "date_precision": "day",
        "value": "90",
        "value_qualifier": "exact",
        "source": world.status_2017.pk,
        "submit": "1",
    }
    data.update(overrides)
    return data


def seal_on(page: str) -> str:
    """The confirmation the form carries: the seal of the findings it shows."""
    found = re.search(r'name="confirm_findings" value="([0-9a-f]+)"', page)
    assert found is not None
    return found[1]


def seal_for(falling, world, reporter, client_as, **overrides) -> str:
    page = client_as(reporter).post(reverse("tracker:observation-create"), entry(world, falling, **overrides))
    return seal_on(page.content.decode())


def test_the_form_shows_warnings_before_submitting_and_submits_with_a_comment(falling, world, reporter, client_as):
    client = client_as(reporter)
    url = reverse("tracker:observation-create")
    response = client.post(url, entry(world, falling))
    assert response.status_code == 200 and not Observation.objects.filter(value=90).exists()
    page = response.content.decode()
    assert "Check this figure before submitting" in page
    assert "falls from 120 (28 Feb 2015) to 90" in page
    seal = seal_on(page)
    response = client.post(url, entry(world, falling, confirm_findings=seal, findings_comment="Recount after audit"))
    obs = Observation.objects.get(value=90)
    assert response.status_code == 302 and obs.state == ObservationState.SUBMITTED
    finding = Finding.objects.get(observation=obs)
    assert finding.comment == "Recount after audit" and finding.on_submission


def test_evidence_sent_with_a_figure_that_raises_warnings_is_kept_and_attached_once_confirmed(
    falling, world, reporter, client_as, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    client = client_as(reporter)
    url = reverse("tracker:observation-create")
    response = client.post(url, {**entry(world, falling), "evidence": SimpleUploadedFile("minutes.pdf", pdf)})
    page = response.content.decode()
    assert "Check this figure before submitting" in page and not Observation.objects.filter(value=90).exists()
    # The browser never sends the file again: the page holds it and says so.
    assert "Evidence kept: minutes.pdf" in page
    token = re.search(r'name="pending_evidence" value="([^"]+)"', page)
    assert token is not None
    confirmed = entry(
        world, falling, confirm_findings=seal_on(page), findings_comment="Recount", pending_evidence=token[1]
    )
    assert client.post(url, confirmed).status_code == 302
    obs = Observation.objects.get(value=90)
    assert obs.state == ObservationState.SUBMITTED
    evidence = Evidence.objects.get(observation=obs)
    assert evidence.original_name == "minutes.pdf" and evidence.file.read() == pdf
    assert not list((tmp_path / "evidence-pending").iterdir())  # the held copy is let go


def test_a_figure_changed_after_the_confirmation_is_judged_again_and_the_comment_comes_back(
    falling, world, reporter, client_as
):
    """Confirming the warnings of 90 does not let 60 through: its own warnings are shown, with the comment typed."""
    client = client_as(reporter)
    url = reverse("tracker:observation-create")
    seal = seal_for(falling, world, reporter, client_as)
    response = client.post(url, entry(world, falling, value="60", confirm_findings=seal, findings_comment="Recount"))
    page = response.content.decode()
    assert response.status_code == 200 and not Observation.objects.filter(value=60).exists()
    assert "falls from 120 (28 Feb 2015) to 60" in page
    assert seal_on(page) != seal
    assert ">Recount</textarea>" in page
    # A made-up confirmation is no confirmation either.
    client.post(url, entry(world, falling, value="60", confirm_findings="1"))
    assert not Observation.objects.filter(value=60).exists()


def test_a_figure_without_findings_submits_at_once(falling, world, reporter, client_as):
    response = client_as(reporter).post(reverse("tracker:observation-create"), entry(world, falling, value="130"))
    assert response.status_code == 302
    assert Observation.objects.get(value=130).state == ObservationState.SUBMITTED
    assert not Finding.objects.exists()


def test_saving_a_draft_does_not_ask(falling, world, reporter, client_as):
    data = entry(world, falling, save="1")
    del data["submit"]
    assert client_as(reporter).post(reverse("tracker:observation-create"), data).status_code == 302
    assert Observation.objects.get(value=90).state == ObservationState.DRAFT


def test_the_queue_and_the_figure_page_show_the_findings(falling, world, reporter, reviewer, client_as_enrolled):
    seal = seal_for(falling, world, reporter, client_as_enrolled)
    client_as_enrolled(reporter).post(
        reverse("tracker:observation-create"), entry(world, falling, confirm_findings=seal, findings_comment="Recount")
    )
    obs = Observation.objects.get(value=90)
    client = client_as_enrolled(reviewer)
    queue = client.get(reverse("tracker:review-queue")).content.decode()
    assert 'data-testid="flag-warning"' in queue and "1 warning" in queue
    detail = client.get(reverse("tracker:observation-detail", args=[obs.pk])).content.decode()
    assert "Data-quality findings" in detail and "falls from 120 (28 Feb 2015) to 90" in detail
    assert "comment:</strong> Recount" in detail
    assert "Return the figure to its reporter" in detail
    # The reporter sees the findings on their own figure too, without the follow-up form.
    own = client_as_enrolled(reporter).get(reverse("tracker:observation-detail", args=[obs.pk])).content.decode()
    assert "falls from 120" in own and "Mark followed up" not in own
    # The reviewer returns it from the finding.
    finding = Finding.objects.get(observation=obs)
    response = client.post(
        reverse("tracker:finding-follow-up", args=[finding.pk]),
        {"action": "return", "reason": "Check against February", "next": f"/observations/{obs.pk}/"},
    )
    assert response.status_code == 302 and response["Location"] == f"/observations/{obs.pk}/"
    obs.refresh_from_db()
    assert obs.state == ObservationState.RETURNED and obs.return_reason == "Check against February"


def test_the_queue_filters_the_figures_with_findings(falling, world, reporter, reviewer, make_obs, client_as_enrolled):
    seal = seal_for(falling, world, reporter, client_as_enrolled)
    client_as_enrolled(reporter).post(
        reverse("tracker:observation-create"), entry(world, falling, confirm_findings=seal, findings_comment="Recount")
    )
    flagged = Observation.objects.get(value=90)
    clean = make_obs(ObservationState.SUBMITTED, created_by=reporter)
    client = client_as_enrolled(reviewer)

    def shown(**query):
        return {row.observation.pk for row in client.get(reverse("tracker:review-queue"), query).context["rows"]}

    assert shown() == {flagged.pk, clean.pk}
    assert shown(flag="findings") == {flagged.pk}
    page = client.get(reverse("tracker:review-queue")).content.decode()
    assert '<option value="findings">Data-quality findings</option>' in page
    # Once resolved, the figure is no longer flagged.
    Finding.objects.filter(observation=flagged).update(state=FindingState.RESOLVED)
    assert shown(flag="findings") == set()


@pytest.fixture
def stored(falling, vworld, fig, rule, world):
    fig(falling, 100, body=world.punjab, on=date(2015, 3, 31))
    rule(indicator=vworld.operations, name="Operations add up")
    fig(vworld.operations, 10)
    fig(vworld.operations, 20, body=world.sindh)
    validation_run(as_of=date(2015, 12, 31))
    assert Finding.objects.count() == 2


def test_the_validation_page_filters_and_paginates(stored, world, reviewer, analyst, reporter, client_as_enrolled):
    client = client_as_enrolled(reviewer)
    url = reverse("tracker:validation")
    page = client.get(url).content.decode()
    assert page.count('data-testid="finding"') == 2 and "2 findings" in page
    assert "1 of 8 bodies reported: 20 of 10 (the national figure)" in page
    only_sindh = client.get(url, {"body": "sindh"}).content.decode()
    assert only_sindh.count('data-testid="finding"') == 1 and "Operations add up" in only_sindh
    errors = client.get(url, {"severity": "error"}).content.decode()
    assert errors.count('data-testid="finding"') == 0
    assert client_as_enrolled(analyst).get(url).status_code == 200
    assert client_as_enrolled(reporter).get(url).status_code == 403


def test_follow_up_through_the_page_keeps_history(stored, reviewer, analyst, client_as_enrolled):
    finding = Finding.objects.get(rule__kind=RuleKind.STOCK)
    client = client_as_enrolled(reviewer)
    client.post(reverse("tracker:finding-follow-up", args=[finding.pk]), {"reason": "Asked Punjab"})
    finding.refresh_from_db()
    assert finding.state == FindingState.FOLLOWED_UP and finding.reason == "Asked Punjab"
    page = client.get(reverse("tracker:validation"), {"state": "followed_up"}).content.decode()
    assert "Asked Punjab" in page
    response = client_as_enrolled(analyst).post(
        reverse("tracker:finding-follow-up", args=[finding.pk]), {"reason": "x"}
    )
    assert response.status_code == 403


def test_exports_hold_the_filtered_findings(stored, reviewer, client_as_enrolled):
    client = client_as_enrolled(reviewer)
    csv = b"".join(client.get(reverse("tracker:validation-export-csv"), {"body": "sindh"}).streaming_content)
    text = csv.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Finding id,Rule,Severity")
    assert len(text.splitlines()) == 2 and "Operations add up" in text
    response = client.get(reverse("tracker:validation-export-xlsx"))
    sheet = load_workbook(BytesIO(response.content))["Findings"]
    assert sheet.max_row == 3


def test_the_api_lists_findings_through_the_policy(stored, world, reviewer, analyst, reporter, client_as_enrolled):
    url = "/api/v1/validation/"
    response = client_as_enrolled(analyst).get(url, {"framework": world.nap2014.slug, "as_of": "2015-12-31"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    stock = next(r for r in body["results"] if r["kind"] == "stock")
    assert stock["body"] == "punjab" and stock["severity"] == "warning" and stock["state"] == "open"
    assert "falls from 120 (28 Feb 2015) to 100" in stock["message"]
    assert client_as_enrolled(analyst).get(url, {"as_of": "2015-03-30"}).json()["count"] == 1
    assert client_as_enrolled(analyst).get(url, {"rule": "no-such-rule"}).status_code == 400
    assert client_as_enrolled(reporter).get(url).status_code == 403


def test_the_api_schema_documents_the_validation_endpoint(analyst, client_as_enrolled):
    schema = client_as_enrolled(analyst).get("/api/schema/")
    text = schema.content.decode()
    assert "/api/v1/validation/" in text and "Data-quality findings" in text


def test_the_dashboard_shows_the_completeness_matrix(vworld, fig, world, reviewer, client_as_enrolled):
    from django.utils import timezone

    from tracker.choices import Cadence
    from tracker.models import ReportingAssignment

    ReportingAssignment.objects.create(indicator=vworld.operations, body=world.punjab, cadence=Cadence.QUARTERLY)
    ReportingAssignment.objects.create(indicator=vworld.operations, body=world.sindh, cadence=Cadence.QUARTERLY)
    tz = timezone.get_current_timezone()
    on_time = datetime(2015, 1, 10, tzinfo=tz)
    fig(vworld.operations, 5, body=world.punjab, on=date(2014, 12, 31), submitted_at=on_time)
    fig(
        vworld.operations,
        7,
        body=world.sindh,
        on=date(2014, 12, 31),
        submitted_at=datetime(2015, 2, 1, tzinfo=tz),
    )
    url = reverse("tracker:dashboard") + f"?framework={world.nap2014.slug}&as_of=2015-05-01&category="
    page = client_as_enrolled(reviewer).get(url).content.decode()
    assert 'data-testid="completeness-matrix"' in page
    assert "Oct 2014 – Dec 2014" in page and "Jan 2015 – Mar 2015" in page
    assert "1 of 1 received, 1 on time" in page  # Punjab, Q4 2014
    assert "1 of 1 received, 1 late" in page  # Sindh, Q4 2014
    assert "0 of 1 received, 1 missing" in page  # both, Q1 2015 (due 15 Apr)


def test_the_api_refuses_a_parameter_sent_empty(stored, analyst, client_as_enrolled):
    assert client_as_enrolled(analyst).get("/api/v1/validation/", {"as_of": ""}).status_code == 400
