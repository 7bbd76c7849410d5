"""The single-figure form: the indicator's unit, target and last approved figure beside the fields, "Save
and submit" as the primary action, and evidence held across a refused form rather than silently dropped."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tracker.choices import ObservationState as S
from tracker.entry_validation import msg_value_range
from tracker.models import Evidence, Observation

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def form_data(world, **overrides):
    data = {
        "indicator": world.old_executions.pk,
        "body": world.punjab.pk,
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "date_precision": "year",
        "value": "512",
        "value_qualifier": "exact",
        "source": world.status_2017.pk,
    }
    data.update(overrides)
    return data


def _token(html: str) -> str:
    found = re.search(r'name="pending_evidence" value="([^"]*)"', html)
    assert found is not None
    return found.group(1)


def test_evidence_sent_with_a_refused_form_is_held_and_attached_when_the_figure_saves(
    world, reporter, client_as, media
):
    client = client_as(reporter)
    url = reverse("tracker:observation-create")
    refused = client.post(url, {**form_data(world, value="1" * 25), "evidence": SimpleUploadedFile("minutes.pdf", PDF)})
    html = refused.content.decode()
    assert refused.status_code == 200 and msg_value_range() in html
    assert "Evidence kept: minutes.pdf" in html
    token = _token(html)
    assert token and not Observation.objects.exists()

    saved = client.post(url, {**form_data(world), "pending_evidence": token, "save": "1"})
    assert saved.status_code == 302
    obs = Observation.objects.get()
    evidence = Evidence.objects.get(observation=obs)
    assert evidence.original_name == "minutes.pdf" and evidence.file.read() == PDF
    # The held copy is gone: the token cannot attach it a second time.
    assert not [p for p in (media / "evidence-pending").iterdir()]


def test_a_held_file_is_only_its_holders(world, reporter, other_reporter, client_as, media):
    url = reverse("tracker:observation-create")
    refused = client_as(reporter).post(
        url, {**form_data(world, value="1" * 25), "evidence": SimpleUploadedFile("minutes.pdf", PDF)}
    )
    token = _token(refused.content.decode())
    data = form_data(world, body=world.sindh.pk, pending_evidence=token, save="1")
    assert client_as(other_reporter).post(url, data).status_code == 302
    assert not Evidence.objects.exists()


def test_the_form_shows_unit_target_and_last_approved_figure(world, reporter, client_as, make_obs):
    world.old_executions.target_value = Decimal(900)
    world.old_executions.save()
    make_obs(state=S.APPROVED, value=Decimal(432), period_start=date(2023, 1, 1), period_end=date(2023, 12, 31))
    client = client_as(reporter)
    url = reverse("tracker:observation-create")
    html = client.get(url, {"indicator": world.old_executions.pk, "body": world.punjab.pk}).content.decode()
    panel = html[html.index('data-testid="figure-context"') :]
    assert "Count" in panel and "900" in panel and "432" in panel and "2023" in panel
    # "Save and submit" is the primary action: the first button, so Enter in a field also submits.
    buttons = re.findall(r'<button type="submit" name="(\w+)" class="([^"]+)"', html)
    assert buttons[0] == ("submit", "button") and buttons[1][0] == "save"
    # The panel follows the indicator and body chosen, through htmx.
    assert 'hx-get="/observations/new/context/"' in html
    fragment = client.get(
        reverse("tracker:observation-figure-context"), {"indicator": world.old_executions.pk, "body": ""}
    )
    assert "No approved national figure yet." in fragment.content.decode()


def test_the_context_panel_is_for_reporters_only(world, analyst, client_as):
    assert client_as(analyst).get(reverse("tracker:observation-figure-context")).status_code == 403


def test_held_files_nobody_came_back_for_go_once_expired(world, reporter, media):
    import os
    import time

    from tracker.services.evidence_pending import MAX_AGE_SECONDS, evidence_held, evidence_hold

    old = evidence_hold(actor=reporter, upload=SimpleUploadedFile("old.pdf", PDF))
    held = evidence_held(actor=reporter, token=old)
    assert held is not None
    past = time.time() - MAX_AGE_SECONDS - 60
    os.utime(media / held["path"], (past, past))
    evidence_hold(actor=reporter, upload=SimpleUploadedFile("new.pdf", PDF))
    assert evidence_held(actor=reporter, token=old) is None
    assert len(list((media / "evidence-pending").iterdir())) == 1


def test_a_returned_row_shows_the_reviewers_reason_in_the_grid(world, reporter, client_as, make_obs):
    from django.utils import timezone

    from tracker.cadence import last_closed_period
    from tracker.choices import Cadence
    from tracker.models import ReportingAssignment

    ReportingAssignment.objects.create(indicator=world.old_executions, body=world.punjab, cadence=Cadence.MONTHLY)
    period = last_closed_period(Cadence.MONTHLY, timezone.localdate())
    make_obs(
        state=S.RETURNED,
        period_start=period.start,
        period_end=period.end,
        date_precision="month",
        return_reason="Check the Lahore figure",
    )
    html = client_as(reporter).get(reverse("tracker:entry-grid", args=["punjab", "monthly"])).content.decode()
    assert "Check the Lahore figure" in html
