"""Notices: the reporter hears of returns and approvals, the reviewer of replies; in the portal under a bell
and by email in batches (at most one per recipient per interval; a failed send retried, never sent twice)."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tracker import services
from tracker.choices import ObservationState as S
from tracker.models import Notice, NoticeKind, NoticeMail, NotificationLog
from tracker.services import notifications


@pytest.fixture
def submitted(world, reporter, make_obs):
    return make_obs(S.SUBMITTED, created_by=reporter)


def _return(obs, reviewer, reason="Which page?"):
    obs.refresh_from_db()
    return services.observation_return(actor=reviewer, observation_id=obs.pk, version=obs.version, reason=reason)


def test_reporter_is_told_of_a_return_and_reviewer_of_the_reply(
    submitted, reporter, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _return(submitted, reviewer)
    notice = Notice.objects.get(recipient=reporter)
    assert (notice.kind, notice.actor, notice.text) == (NoticeKind.RETURNED, reviewer, "Which page?")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(actor=reporter, observation_id=submitted.pk, text="Page 4.")
    assert Notice.objects.get(recipient=reviewer).kind == NoticeKind.REPLY
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(actor=reviewer, observation_id=submitted.pk, text="Thanks.")
    assert list(Notice.objects.filter(recipient=reporter).values_list("kind", flat=True).order_by("pk")) == [
        NoticeKind.RETURNED,
        NoticeKind.COMMENT,
    ]


def test_reporter_is_told_of_an_approval(submitted, reporter, reviewer):
    services.observation_approve(actor=reviewer, observation_id=submitted.pk, version=submitted.version)
    assert Notice.objects.get(recipient=reporter).kind == NoticeKind.APPROVED
    assert not Notice.objects.filter(recipient=reviewer).exists()  # never told of one's own act


def test_the_bell_counts_unread_notices_and_the_list_marks_them_read(
    submitted, reporter, reviewer, client_as, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _return(submitted, reviewer)
    client = client_as(reporter)
    page = client.get(reverse("tracker:my-updates")).content.decode()
    assert '<span class="bell__count">1</span>' in page
    listing = client.get(reverse("tracker:notices")).content.decode()
    assert "Your figure was returned" in listing and "Which page?" in listing
    notice = Notice.objects.get()
    response = client.post(reverse("tracker:notice-open", args=[notice.pk]))
    assert response["Location"] == reverse("tracker:observation-detail", args=[submitted.pk])
    assert 'class="bell__count"' not in client.get(reverse("tracker:my-updates")).content.decode()


def test_someone_elses_notice_is_404(submitted, reporter, other_reporter, reviewer, client_as):
    _return(submitted, reviewer)
    notice = Notice.objects.get()
    assert client_as(other_reporter).post(reverse("tracker:notice-open", args=[notice.pk])).status_code == 404


def test_mail_is_batched_per_recipient_at_most_once_per_interval(
    world, reporter, reviewer, make_obs, django_capture_on_commit_callbacks, settings
):
    settings.NAP_NOTICE_MAIL_INTERVAL_MINUTES = 15
    figures = [make_obs(S.SUBMITTED, created_by=reporter) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        _return(figures[0], reviewer)  # the first notice goes out at once
    assert [m.to for m in mail.outbox] == [[reporter.email]]
    with django_capture_on_commit_callbacks(execute=True):
        _return(figures[1], reviewer)
        services.observation_approve(actor=reviewer, observation_id=figures[2].pk, version=figures[2].version)
    assert len(mail.outbox) == 1  # held back: within the interval
    # The periodic run before the interval has passed sends nothing; after it, one email with both.
    assert notifications.notice_mails_send_due(now=timezone.now() + timedelta(minutes=5)) == 0
    assert notifications.notice_mails_send_due(now=timezone.now() + timedelta(minutes=16)) == 1
    assert len(mail.outbox) == 2 and "2 updates on figures" in mail.outbox[1].subject
    assert "Your figure was approved" in mail.outbox[1].body and "Your figure was returned" in mail.outbox[1].body
    assert notifications.notice_mails_send_due(now=timezone.now() + timedelta(hours=2)) == 0


def test_a_failed_send_is_retried_and_nobody_is_mailed_twice(submitted, reporter, reviewer, settings):
    _return(submitted, reviewer)  # the on-commit send does not run here: the periodic run does it
    settings.EMAIL_BACKEND = "tests.tracker.workflow.mail_backends.RefusingBackend"
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notifications.notice_mail_send(user_id=reporter.pk, now=timezone.now())
    assert not NotificationLog.objects.exists() and Notice.objects.get().mailed_in is None  # all rolled back
    assert notifications.notice_mails_send_due(now=timezone.now()) == 0  # still down: logged, retried later
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.notice_mails_send_due(now=timezone.now()) == 1
    assert notifications.notice_mails_send_due(now=timezone.now() + timedelta(days=1)) == 0
    assert notifications.notice_mail_send(user_id=reporter.pk, now=timezone.now() + timedelta(days=1)) == 0
    assert [m.to for m in mail.outbox] == [[reporter.email]]


def test_daily_and_off_preferences(world, reporter, reviewer, make_obs, client_as):
    response = client_as(reporter).post(reverse("tracker:notices"), {"mail": NoticeMail.DAILY})
    assert response.status_code == 302
    obs = make_obs(S.SUBMITTED, created_by=reporter)
    _return(obs, reviewer)
    assert notifications.notice_mails_send_due(now=timezone.now()) == 0
    assert notifications.notice_mails_send_due(now=timezone.now(), daily_run=True) == 1
    notifications.notice_preference_set(actor=reporter, mail=NoticeMail.OFF)
    other = make_obs(S.SUBMITTED, created_by=reporter)
    _return(other, reviewer)
    assert notifications.notice_mails_send_due(now=timezone.now() + timedelta(days=1), daily_run=True) == 0
    assert len(mail.outbox) == 1
    assert Notice.objects.filter(recipient=reporter).count() == 2  # still in the portal


def test_an_unreachable_broker_never_fails_the_decision_and_the_periodic_run_mails_it(
    submitted, reporter, reviewer, client_as_enrolled, django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError

    from tracker.tasks import send_notice_mail

    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_notice_mail, "apply_async", unreachable)
    client = client_as_enrolled(reviewer)
    with django_capture_on_commit_callbacks(execute=True):  # the on-commit work raises nothing
        response = client.post(
            reverse("tracker:observation-return", args=[submitted.pk]), {"version": 1, "reason": "Which page?"}
        )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == S.RETURNED and Notice.objects.get(recipient=reporter).mailed_in is None
    assert not mail.outbox
    assert notifications.notice_mails_send_due(now=timezone.now()) == 1
    assert [m.to for m in mail.outbox] == [[reporter.email]]


def test_someone_who_left_the_body_is_no_longer_told(
    world, submitted, reporter, reviewer, make_user, django_capture_on_commit_callbacks
):
    """A notice quotes the conversation: it goes only to those who may still read it."""
    from tracker.choices import Role
    from tracker.models import Membership, ObservationComment
    from tracker.permissions import forget_access

    colleague = make_user(Role.REPORTER, world.punjab)
    _return(submitted, reviewer)
    services.comment_create(actor=colleague, observation_id=submitted.pk, text="I will look for the minutes.")
    Membership.objects.filter(user=colleague).delete()
    forget_access(colleague)
    services.comment_create(actor=reviewer, observation_id=submitted.pk, text="Still waiting for page 4.")
    assert ObservationComment.objects.filter(observation=submitted).count() == 3
    told = set(Notice.objects.filter(kind=NoticeKind.COMMENT).values_list("recipient__email", flat=True))
    assert told == {reporter.email}
