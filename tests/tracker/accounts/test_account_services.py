"""Membership and account-field services: administrators only, one audit entry per change, nothing else."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tracker import permissions, services
from tracker.models import AuditEntry, Membership


def test_membership_add_and_remove_write_one_audit_entry_each(world, reporter, administrator):
    services.membership_add(actor=administrator, user=reporter, body=world.sindh)

    assert permissions.access(reporter).body_ids == {world.punjab.pk, world.sindh.pk}
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.object_id) == ("user.membership_add", administrator, str(reporter.pk))
    assert entry.before == {"bodies": ["punjab"]} and entry.after == {"bodies": ["punjab", "sindh"]}

    services.membership_remove(actor=administrator, user=reporter, body=world.punjab)

    assert permissions.access(reporter).body_ids == {world.sindh.pk}
    entry = AuditEntry.objects.get(action="user.membership_remove")
    assert entry.before == {"bodies": ["punjab", "sindh"]} and entry.after == {"bodies": ["sindh"]}
    assert AuditEntry.objects.count() == 2


def test_membership_add_refuses_a_duplicate_and_remove_of_nothing_writes_nothing(world, reporter, administrator):
    with pytest.raises(ValidationError, match="already a member"):
        services.membership_add(actor=administrator, user=reporter, body=world.punjab)
    services.membership_remove(actor=administrator, user=reporter, body=world.sindh)
    assert not AuditEntry.objects.exists()
    assert list(Membership.objects.filter(user=reporter).values_list("body__slug", flat=True)) == ["punjab"]


@pytest.mark.parametrize("role_fixture", ["reviewer", "analyst", "reporter"])
def test_only_administrators_change_memberships_and_accounts(request, world, other_reporter, role_fixture):
    actor = request.getfixturevalue(role_fixture)
    with pytest.raises(PermissionDenied):
        services.membership_add(actor=actor, user=other_reporter, body=world.punjab)
    with pytest.raises(PermissionDenied):
        services.membership_remove(actor=actor, user=other_reporter, body=world.sindh)
    with pytest.raises(PermissionDenied):
        services.user_update(actor=actor, user=other_reporter, fields={"is_active": False})
    assert not AuditEntry.objects.exists()
    other_reporter.refresh_from_db()
    assert other_reporter.is_active


def test_user_update_records_before_and_after_of_the_changed_fields(reporter, administrator):
    services.user_update(actor=administrator, user=reporter, fields={"is_active": False, "first_name": "Amna"})

    reporter.refresh_from_db()
    assert not reporter.is_active and reporter.first_name == "Amna"
    entry = AuditEntry.objects.get()
    assert entry.action == "user.update"
    assert entry.before == {"first_name": "", "is_active": True}
    assert entry.after == {"first_name": "Amna", "is_active": False}


def test_user_update_without_a_change_writes_nothing(reporter, administrator):
    services.user_update(actor=administrator, user=reporter, fields={"is_active": True})
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("field", ["email", "username", "is_staff", "password"])
def test_user_update_refuses_fields_owned_elsewhere(reporter, administrator, field):
    with pytest.raises(ValidationError, match="cannot be changed here"):
        services.user_update(actor=administrator, user=reporter, fields={field: "x"})
    assert not AuditEntry.objects.exists()
