"""Reminders to reporters, the daily digest to reviewers, and workflow notices (in the portal and by email in
batches). One email per person, never one per entry.

Each notification is logged (``NotificationLog``) in the transaction that sends it, so a task that runs
twice sends nothing twice.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tracker import permissions
from tracker.choices import AWAITING_DECISION_STATES, DueStatus
from tracker.models import (
    Membership,
    Notice,
    NoticeKind,
    NoticeMail,
    NoticePreference,
    NotificationLog,
    Observation,
    ObservationComment,
    ReportingAssignment,
)
from tracker.selectors.workflow import AssignmentRow, assignments_with_status

logger = logging.getLogger(__name__)

REMINDER_DAYS_BEFORE = 3
DIGEST_LIST_LIMIT = 50


def _rows_needing_reminder(today: date) -> list[tuple[AssignmentRow, str]]:
    rows = assignments_with_status(assignments=ReportingAssignment.objects.filter(active=True), today=today)
    wanted = []
    for row in rows:
        if row.status == DueStatus.OVERDUE:
            wanted.append((row, "overdue"))
        elif row.status == DueStatus.DUE and (row.due - today).days <= REMINDER_DAYS_BEFORE:
            wanted.append((row, "due"))
    return wanted


def _log_once(user: User, kind: str, key: str) -> bool:
    """Record a notification; False when it was already sent."""
    try:
        with transaction.atomic():
            NotificationLog.objects.create(user=user, kind=kind, key=key)
    except IntegrityError:
        return False
    return True


def reminders_send(*, today: date) -> int:
    """Remind each reporter, in one email, of their bodies' figures due soon or overdue. Returns emails sent."""
    wanted = _rows_needing_reminder(today)
    if not wanted:
        return 0
    body_ids = {row.assignment.body_id for row, _ in wanted}
    reporters: dict[int, list[User]] = defaultdict(list)
    for m in Membership.objects.filter(
        body_id__in=body_ids, user__in=permissions.users_who_may("my_updates")
    ).select_related("user"):
        reporters[m.body_id].append(m.user)
    per_user: dict[int, tuple[User, list[tuple[AssignmentRow, str]]]] = {}
    for row, kind in wanted:
        for user in reporters.get(row.assignment.body_id, []):
            per_user.setdefault(user.pk, (user, []))[1].append((row, kind))
    sent = 0
    for user, items in per_user.values():
        with transaction.atomic():
            fresh = [
                (row, kind)
                for row, kind in items
                if _log_once(user, "reminder", f"{row.assignment.pk}:{row.period.end.isoformat()}:{kind}")
            ]
            if not fresh:
                continue
            context = {"user": user, "items": fresh, "today": today, "site_url": settings.NAP_SITE_URL}
            # Sent inside the transaction: if sending fails, the log rows roll back and the next run retries.
            send_mail(
                subject=render_to_string("tracker/email/reminder_subject.txt", context).strip(),
                message=render_to_string("tracker/email/reminder_message.txt", context),
                from_email=None,
                recipient_list=[user.email],
            )
            sent += 1
    return sent


def review_digest_send(*, today: date) -> int:
    """One daily email per reviewer: submissions waiting (oldest first, as in the review queue: verified ones
    and those still with their province included) and overdue figures."""
    waiting = Observation.objects.filter(state__in=AWAITING_DECISION_STATES)
    pending = list(waiting.select_related("indicator", "body").order_by("submitted_at", "pk")[: DIGEST_LIST_LIMIT + 1])
    pending_total = waiting.count()
    overdue = [
        row
        for row in assignments_with_status(assignments=ReportingAssignment.objects.filter(active=True), today=today)
        if row.status == DueStatus.OVERDUE
    ]
    if not pending_total and not overdue:
        return 0
    reviewers = permissions.users_who_may("review").exclude(email="")
    sent = 0
    for user in reviewers:
        with transaction.atomic():
            if not _log_once(user, "review_digest", today.isoformat()):
                continue
            context = {
                "user": user,
                "pending": pending[:DIGEST_LIST_LIMIT],
                "pending_total": pending_total,
                "overdue": overdue,
                "today": today,
                "site_url": settings.NAP_SITE_URL,
            }
            send_mail(
                subject=render_to_string("tracker/email/digest_subject.txt", context).strip(),
                message=render_to_string("tracker/email/digest_message.txt", context),
                from_email=None,
                recipient_list=[user.email],
            )
            sent += 1
    return sent


# --- Workflow notices: in the portal at once, by email in batches -----------------------------------------
# A notice is written in the transaction of the change it reports. Email goes out in batches, per recipient:
# at most one email per NAP_NOTICE_MAIL_INTERVAL_MINUTES (or once a day, or never, as the person prefers).
# A batch is a NotificationLog row; each notice joins exactly one batch, and the row, the notices' link to
# it and the email happen in one transaction: if sending fails, all of it rolls back and the next run sends
# the same notices again; once committed, no run can pick them up again. Nobody is mailed a notice twice.
NOTICE_BATCH_KIND = "notice_batch"
NOTICE_MAIL_LIST_LIMIT = 50


def unread_cache_key(user_id: int) -> str:
    return f"nap:notices:unread:{user_id}"


def notice_mail_interval() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "NAP_NOTICE_MAIL_INTERVAL_MINUTES", 15)))


def _notify(
    *, recipients: Iterable[User | None], kind: str, obs: Observation, actor: User, text: str = ""
) -> list[Notice]:
    """Write notices inside the caller's transaction; after commit, refresh the bells and queue the mail.

    A notice carries words of the review conversation (a return reason, a reply), so it goes only to those who
    may read that conversation now: someone who has left the figure's body since they wrote in it is not told.
    """
    ids = sorted(
        {
            r.pk
            for r in recipients
            if r is not None
            and r.is_active
            and (actor is None or r.pk != actor.pk)
            and permissions.can(r, "view_comments", obs)
        }
    )
    if not ids:
        return []
    notices = Notice.objects.bulk_create(
        [Notice(recipient_id=pk, kind=kind, observation=obs, actor=actor, text=text[:2000]) for pk in ids]
    )

    def after_commit() -> None:
        cache.delete_many([unread_cache_key(pk) for pk in ids])
        for pk in ids:
            notice_mail_queue(user_id=pk)

    transaction.on_commit(after_commit)
    return notices


def notice_mail_queue(*, user_id: int) -> bool:
    """Queue the recipient's mail task; True if the broker took it. Never raises: the change the notice reports
    has committed, so an unreachable broker must not turn its page into an error. The periodic run
    (``notice_mails_send_due``, every five minutes) mails whatever was not queued."""
    from tracker.tasks import send_notice_mail

    try:
        # retry=False: one attempt, bounded by the broker's connection timeouts; the periodic run is the retry.
        send_notice_mail.apply_async((user_id,), retry=False)
    except Exception as exc:  # kombu and redis raise several types for an unreachable broker
        logger.warning("notice mail for user %s not queued (%s); the periodic run will send it", user_id, exc)
        return False
    return True


def _reporters_of(obs: Observation) -> list[User]:
    """Who reported the figure: its author; for a figure without one (seeded, imported), its body's reporters."""
    if obs.created_by is not None:
        return [obs.created_by]
    if obs.body_id is None:
        return []
    return list(permissions.users_who_may("my_updates").filter(memberships__body_id=obs.body_id))


def notify_transition(*, actor: User, obs: Observation, action: str, reason: str = "") -> None:
    """The reporter is told when their figure is returned, verified or approved."""
    kind = {"return": NoticeKind.RETURNED, "verify": NoticeKind.VERIFIED, "approve": NoticeKind.APPROVED}.get(action)
    if kind is not None:
        _notify(recipients=_reporters_of(obs), kind=kind, obs=obs, actor=actor, text=reason)


def notify_comment(*, comment: ObservationComment) -> None:
    """A reply goes to the reviewers in the conversation; a reviewer's message to the figure's reporters."""
    from tracker import permissions

    obs = comment.observation
    author = comment.author
    others = {
        c.author_id: c.author
        for c in ObservationComment.objects.filter(observation=obs).exclude(author=author).select_related("author")
    }
    if permissions.can(author, "review") or permissions.can(author, "verify_any"):
        recipients = [*_reporters_of(obs), *(u for u in others.values() if not _is_reviewing_role(u))]
        _notify(recipients=recipients, kind=NoticeKind.COMMENT, obs=obs, actor=author, text=comment.text)
    else:
        reviewers = [u for u in others.values() if _is_reviewing_role(u)]
        _notify(recipients=reviewers, kind=NoticeKind.REPLY, obs=obs, actor=author, text=comment.text)


def _is_reviewing_role(user: User) -> bool:
    from tracker import permissions

    return permissions.can(user, "review") or permissions.can(user, "verify_any")


UNREAD_CACHE_SECONDS = 24 * 3600


def unread_notice_count(user: User | AnonymousUser, *, refresh: bool = False) -> int:
    """The bell's number, from the cache: counted at sign-in and again after a notice is written or read, so
    a page costs no query for it."""
    key = unread_cache_key(user.pk or 0)
    count = None if refresh else cache.get(key)
    if count is None:
        count = Notice.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return int(count)


def notices_mark_read(*, actor: User, notice_ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own notices read (all of them when ``notice_ids`` is None). Reading is not audited:
    it changes nothing anyone else sees."""
    qs = Notice.objects.filter(recipient_id=actor.pk, read_at__isnull=True)
    if notice_ids is not None:
        qs = qs.filter(pk__in=list(notice_ids))
    count = qs.update(read_at=timezone.now())
    cache.delete(unread_cache_key(actor.pk))
    return count


def notice_preference_set(*, actor: User, mail: str) -> NoticePreference:
    from tracker import audit

    if mail not in NoticeMail.values:
        raise ValueError(mail)
    with transaction.atomic():
        pref, _created = NoticePreference.objects.select_for_update().get_or_create(user_id=actor.pk)
        before = pref.mail
        pref.mail = mail
        pref.save(update_fields=["mail"])
        audit.record(
            actor=actor,
            action="user.notice_preference",
            obj=actor,
            object_label=actor.email,
            before={"mail": before},
            after={"mail": mail},
        )
    return pref


def notice_mail_preference(user_id: int) -> str:
    pref = NoticePreference.objects.filter(user_id=user_id).values_list("mail", flat=True).first()
    return pref or NoticeMail.IMMEDIATE


def notice_mail_send(*, user_id: int, now: datetime, daily_run: bool = False) -> int:
    """Mail one recipient their unmailed notices in one email, if their preference and the interval allow.

    Returns the number of emails sent (0 or 1). Safe to run twice, concurrently too: the recipient's row is
    locked, and a notice already in a committed batch is never picked up again.
    """
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, is_active=True).exclude(email="").first()
        if user is None:
            return 0
        preference = notice_mail_preference(user_id)
        if preference == NoticeMail.OFF or (preference == NoticeMail.DAILY and not daily_run):
            return 0
        if preference == NoticeMail.IMMEDIATE:
            last = (
                NotificationLog.objects.filter(user_id=user_id, kind=NOTICE_BATCH_KIND)
                .order_by("-sent_at")
                .values_list("sent_at", flat=True)
                .first()
            )
            if last is not None and now - last < notice_mail_interval():
                return 0  # the periodic run sends it once the interval has passed
        pending = list(
            Notice.objects.filter(recipient_id=user_id, mailed_in__isnull=True, read_at__isnull=True)
            .select_related("observation__indicator", "observation__body", "actor")
            .order_by("created_at", "pk")
        )
        if not pending:
            return 0
        log = NotificationLog.objects.create(
            user=user, kind=NOTICE_BATCH_KIND, key=f"{pending[0].pk}-{pending[-1].pk}-{len(pending)}"
        )
        Notice.objects.filter(pk__in=[n.pk for n in pending]).update(mailed_in=log)
        context = {
            "user": user,
            "notices": pending[:NOTICE_MAIL_LIST_LIMIT],
            "more": max(0, len(pending) - NOTICE_MAIL_LIST_LIMIT),
            "total": len(pending),
            "site_url": settings.NAP_SITE_URL,
        }
        # Inside the transaction: if sending fails, the batch row and the links roll back and a retry sends again.
        send_mail(
            subject=render_to_string("tracker/email/notices_subject.txt", context).strip(),
            message=render_to_string("tracker/email/notices_message.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
    return 1


def notice_mails_send_due(*, now: datetime, daily_run: bool = False) -> int:
    """Every recipient with unmailed notices (the periodic run: catches what the interval held back, failed
    sends, and the daily digests)."""
    user_ids = (
        Notice.objects.filter(mailed_in__isnull=True, read_at__isnull=True)
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )
    sent = 0
    for user_id in list(user_ids):
        try:
            sent += notice_mail_send(user_id=user_id, now=now, daily_run=daily_run)
        except Exception:  # one recipient's failure must not hold back the others; the next run retries it
            logger.exception("notice mail to user %s failed", user_id)
    return sent
