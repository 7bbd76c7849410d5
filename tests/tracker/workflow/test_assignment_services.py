"""Reporting assignments: created and changed by administrators (or a command), each write audited once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tracker import services
from tracker.choices import Cadence
from tracker.models import AuditEntry, ReportingAssignment


def test_create_and_update_write_one_audit_entry_each(world, administrator):
    assignment = services.assignment_create(
        actor=administrator, indicator=world.old_executions, body=world.punjab, cadence=Cadence.MONTHLY, due_day=10
    )
    created = AuditEntry.objects.get()
    assert (created.action, created.actor, created.object_id) == (
        "assignment.create",
        administrator,
        str(assignment.pk),
    )
    assert created.after == {
        "indicator": world.old_executions.pk,
        "body": world.punjab.pk,
        "cadence": "monthly",
        "due_day": 10,
        "active": True,
    }

    services.assignment_update(
        actor=administrator, assignment_id=assignment.pk, cadence=Cadence.ANNUAL, due_day=10, active=False
    )

    assignment.refresh_from_db()
    assert (assignment.cadence, assignment.active) == (Cadence.ANNUAL, False)
    updated = AuditEntry.objects.get(action="assignment.update")
    assert updated.before == {**created.after, "cadence": "monthly", "active": True}
    assert updated.after == {**created.after, "cadence": "annual", "active": False}


def test_update_without_a_change_writes_nothing(world):
    assignment = services.assignment_create(actor=None, indicator=world.old_executions, body=world.punjab)
    services.assignment_update(
        actor=None, assignment_id=assignment.pk, cadence=assignment.cadence, due_day=assignment.due_day, active=True
    )
    assert AuditEntry.objects.filter(action="assignment.update").count() == 0


@pytest.mark.parametrize(("due_day", "duplicate"), [(29, False), (0, False), (15, True)])
def test_create_refuses_a_bad_due_day_or_a_duplicate(world, due_day, duplicate):
    if duplicate:
        services.assignment_create(actor=None, indicator=world.old_executions, body=world.punjab)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        services.assignment_create(actor=None, indicator=world.old_executions, body=world.punjab, due_day=due_day)
    assert ReportingAssignment.objects.count() == int(duplicate)
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("role_fixture", ["reviewer", "analyst", "reporter"])
def test_only_administrators_manage_assignments(request, world, role_fixture):
    actor = request.getfixturevalue(role_fixture)
    with pytest.raises(PermissionDenied):
        services.assignment_create(actor=actor, indicator=world.old_executions, body=world.punjab)
    assignment = services.assignment_create(actor=None, indicator=world.old_executions, body=world.punjab)
    with pytest.raises(PermissionDenied):
        services.assignment_update(
            actor=actor, assignment_id=assignment.pk, cadence=Cadence.MONTHLY, due_day=1, active=True
        )
    assignment.refresh_from_db()
    assert assignment.cadence == Cadence.QUARTERLY
