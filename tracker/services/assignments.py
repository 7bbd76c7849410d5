"""Reporting assignments: which body reports which indicator, how often, and by which day (each write audited)."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from tracker import audit, permissions
from tracker.choices import Cadence
from tracker.models import Body, Indicator, ReportingAssignment

AUDITED_FIELDS = ("indicator", "body", "cadence", "due_day", "active")


def _require_manage_reference(actor: User | None) -> None:
    # ``None`` is a management command run by whoever operates the server.
    if actor is not None and not permissions.can(actor, "manage_reference"):
        raise PermissionDenied(_("You may not change reporting assignments."))


def assignment_create(
    *,
    actor: User | None,
    indicator: Indicator,
    body: Body,
    cadence: str = Cadence.QUARTERLY,
    due_day: int = 15,
    active: bool = True,
) -> ReportingAssignment:
    """Assign an indicator to a body at a cadence. Refuses a duplicate or a due day outside 1–28."""
    _require_manage_reference(actor)
    assignment = ReportingAssignment(indicator=indicator, body=body, cadence=cadence, due_day=due_day, active=active)
    assignment.full_clean()
    with transaction.atomic():
        assignment.save()
        audit.record(
            actor=actor,
            action="assignment.create",
            obj=assignment,
            after=audit.snapshot(assignment, AUDITED_FIELDS),
        )
    return assignment


def assignment_update(
    *, actor: User | None, assignment_id: int, cadence: str, due_day: int, active: bool
) -> ReportingAssignment:
    """Change an assignment's cadence, due day or whether it is active. Indicator and body stay: reassigning is
    a new assignment, so reminders already sent keep meaning what they meant."""
    _require_manage_reference(actor)
    with transaction.atomic():
        assignment = ReportingAssignment.objects.select_for_update().get(pk=assignment_id)
        before = audit.snapshot(assignment, AUDITED_FIELDS)
        assignment.cadence, assignment.due_day, assignment.active = cadence, due_day, active
        assignment.full_clean()
        after = audit.snapshot(assignment, AUDITED_FIELDS)
        if after == before:
            return assignment
        assignment.save(update_fields=["cadence", "due_day", "active"])
        audit.record(actor=actor, action="assignment.update", obj=assignment, before=before, after=after)
    return assignment
