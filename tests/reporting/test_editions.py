from datetime import date
from pathlib import Path

import pytest
from django.core import mail
from django.db import IntegrityError

from reporting import services
from reporting.definitions import ReportParams
from reporting.models import EditionFile, EditionStatus, ReportEdition, ReportSubscription
from reporting.selectors import edition_differences, editions_published
from tracker.choices import ObservationState

OCT17 = date(2017, 10, 1)
PARAMS = ReportParams("nap-2014", OCT17)


@pytest.fixture
def publish(media_root, django_capture_on_commit_callbacks):
    """Request an edition and run what is queued on commit (tasks run in-process in unit tests)."""

    def run(params=PARAMS, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            edition = services.edition_request(params=params, **kwargs)
        edition.refresh_from_db()
        return edition

    return run


def test_an_edition_is_published_with_four_files_and_their_checksums(nacta_2017, staff, publish, media_root):
    import hashlib

    edition = publish(requested_by=staff)
    assert edition.status == EditionStatus.PUBLISHED
    assert edition.published_at is not None and edition.attempts == 1
    assert edition.requester_label == "reviewer@nacta.example.org"
    assert sorted(f.format for f in edition.files.all()) == ["csv", "html", "pdf", "xlsx"]
    for file in edition.files.all():
        path = media_root / file.path
        assert path.is_file() and path.resolve().is_relative_to(media_root.resolve())
        assert file.size == path.stat().st_size
        assert file.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert not any((media_root / "reports" / ".staging").iterdir())


def test_same_parameters_and_same_data_give_the_same_edition(nacta_2017, publish):
    first = publish()
    assert publish() == first
    assert ReportEdition.objects.count() == 1
    assert EditionFile.objects.count() == 4
    nacta_2017.observe(nacta_2017.executions, 485, date(2017, 11, 1))  # after as-of: same data for this report
    assert publish() == first
    nacta_2017.observe(nacta_2017.courts, 12, OCT17)
    assert publish() != first
    assert ReportEdition.objects.count() == 2


def test_the_database_refuses_a_second_edition_of_the_same_data(nacta_2017, publish):
    edition = publish()
    with pytest.raises(IntegrityError):
        ReportEdition.objects.create(
            framework=edition.framework,
            as_of=edition.as_of,
            scope=edition.scope,
            parameters=edition.parameters,
            params_hash=edition.params_hash,
            data_fingerprint=edition.data_fingerprint,
        )


def test_building_twice_publishes_once(nacta_2017, publish):
    edition = publish()
    again = services.edition_build(edition_id=edition.pk)
    assert again.status == EditionStatus.PUBLISHED and again.attempts == 1
    assert EditionFile.objects.filter(edition=edition).count() == 4


def test_a_crash_after_staging_leaves_nothing_visible_and_the_retry_publishes_once(nacta_2017, media_root):
    edition = services.edition_request(params=PARAMS)  # queued; the build is run by hand below

    def crash(**kwargs):
        raise RuntimeError("worker lost")

    services.edition_staged.connect(crash)
    try:
        with pytest.raises(RuntimeError):
            services.edition_build(edition_id=edition.pk)
    finally:
        services.edition_staged.disconnect(crash)
    edition.refresh_from_db()
    assert edition.status == EditionStatus.RUNNING
    assert not editions_published().exists()
    assert not EditionFile.objects.exists()
    assert not any(p.is_file() for p in (media_root / "reports").rglob("*") if ".staging" not in p.parts)

    services.edition_build(edition_id=edition.pk)  # the redelivered task
    edition.refresh_from_db()
    assert (edition.status, edition.attempts) == (EditionStatus.PUBLISHED, 2)
    assert EditionFile.objects.count() == 4
    assert len({Path(f.path).parent for f in EditionFile.objects.all()}) == 1
    assert sum(1 for p in (media_root / "reports" / "nap-2014").rglob("*") if p.is_file()) == 4


def test_a_build_that_keeps_failing_is_marked_failed_with_its_reason_and_can_be_asked_for_again(
    nacta_2017, media_root, monkeypatch, django_capture_on_commit_callbacks
):
    from reporting import renderers
    from reporting.tasks import build_edition

    edition = services.edition_request(params=PARAMS)
    monkeypatch.setitem(renderers.RENDERERS, "pdf", lambda report, stamp: (_ for _ in ()).throw(OSError("disk full")))
    # In-process a retry reruns at once; the real worker test covers retries with their delays.
    monkeypatch.setattr(build_edition, "max_retries", 0)
    result = build_edition.apply(args=[edition.pk], throw=False)
    assert result.failed()
    edition.refresh_from_db()
    assert edition.status == EditionStatus.FAILED
    assert edition.failure_reason == "OSError: disk full"
    assert edition.attempts == 1
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.edition_request(params=PARAMS) == edition
    edition.refresh_from_db()
    assert edition.status == EditionStatus.PUBLISHED


def test_a_build_finding_changed_data_publishes_nothing_stale(
    nacta_2017, media_root, django_capture_on_commit_callbacks
):
    edition = services.edition_request(params=PARAMS)  # queued, not yet built (on_commit not run)
    nacta_2017.observe(nacta_2017.courts, 12, OCT17)
    with django_capture_on_commit_callbacks(execute=True):
        services.edition_build(edition_id=edition.pk)
    edition.refresh_from_db()
    assert edition.status == EditionStatus.FAILED
    fresh = ReportEdition.objects.exclude(pk=edition.pk).get()
    assert fresh.status == EditionStatus.PUBLISHED
    assert "12 Courts" in (media_root / fresh.files.get(format="html").path).read_text()


def test_subscribers_get_one_email_with_a_link_per_new_edition(nacta_2017, staff, publish, settings):
    settings.NAP_SITE_URL = "https://nap.example"
    ReportSubscription.objects.create(user=staff, framework=nacta_2017.nap2014)
    ReportSubscription.objects.create(user=staff, framework=nacta_2017.nap2021)
    edition = publish()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reviewer@nacta.example.org"]
    assert f"https://nap.example/reports/editions/{edition.pk}/" in message.body
    assert "Status as of 1st October 2017" in message.subject
    assert not message.attachments
    publish()  # same edition again: no second email
    assert services.edition_notify_subscribers(edition_id=edition.pk) == 0
    assert len(mail.outbox) == 1


def test_an_earlier_date_regenerated_gives_the_same_figures_unless_a_correction_changed_them(nacta_2017, publish):
    first = publish()
    nacta_2017.observe(nacta_2017.executions, 500, date(2018, 6, 1))  # later news: not in a 2017 report
    assert publish() == first
    original = nacta_2017.executions.observations.get(period_end=OCT17)
    nacta_2017.observe(nacta_2017.executions, 486, OCT17, supersedes=original, state=ObservationState.APPROVED)
    second = publish()
    assert second != first
    differences = edition_differences(older=first, newer=second)
    assert [(d.item_number, d.column, d.before, d.after) for d in differences] == [
        (1, "Executions", "484 Executions", "486 Executions")
    ]


def test_edition_differences_name_ratings_and_new_cells(nacta_2017, publish):
    first = publish(ReportParams("nap-2021", date(2024, 12, 31), hindsight=True))
    second = publish(ReportParams("nap-2021", date(2022, 12, 31), hindsight=True))
    changes = {(d.item_number, d.column): (d.before, d.after) for d in edition_differences(older=second, newer=first)}
    # The shared world rates NAP 2021 item 1 as of June 2024; ISSRA rated item 3 for 2023.
    assert changes == {
        (1, "Rating"): ("", "Partly satisfactory (30 Jun 2024)"),
        (3, "Rating"): ("", "Satisfactory (2023)"),
    }


def test_edition_differences_name_the_body_of_a_bodys_figure(nacta_2017, publish):
    """A province's figure on the comparison page reads as the province's, as in every format of the report."""
    nacta_2017.observe(nacta_2017.executions, 30, date(2017, 6, 30), body=nacta_2017.punjab)
    first = publish()
    original = nacta_2017.executions.observations.get(body=nacta_2017.punjab)
    nacta_2017.observe(nacta_2017.executions, 42, date(2017, 6, 30), body=nacta_2017.punjab, supersedes=original)
    second = publish()
    differences = edition_differences(older=first, newer=second)
    assert [(d.item_number, d.column, d.before, d.after) for d in differences] == [
        (1, "Executions", "Punjab: 30 Executions", "Punjab: 42 Executions")
    ]
