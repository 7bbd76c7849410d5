"""Reminders to reporters and the daily digest to reviewers. One email per person, never one per entry.

Each notification is logged (``NotificationLog``) in the transaction that sends it, so a task that runs
twice sends nothing twice.
"""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from tracker import permissions
from tracker.choices import DueStatus, ObservationState
from tracker.models import Membership, NotificationLog, Observation, ReportingAssignment
from tracker.selectors.workflow import AssignmentRow, assignments_with_status

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
    """One daily email per reviewer: submissions waiting (oldest first) and overdue figures."""
    pending = list(
        Observation.objects.filter(state=ObservationState.SUBMITTED)
        .select_related("indicator", "body")
        .order_by("submitted_at", "pk")[: DIGEST_LIST_LIMIT + 1]
    )
    pending_total = Observation.objects.filter(state=ObservationState.SUBMITTED).count()
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
