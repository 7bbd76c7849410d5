"""Property: the queryset form of the policy agrees with the object form, for any users and observations.

Hypothesis draws users (any role or none, any set of bodies, active or not, superuser or not), observations
(any state, any body or national, entered by any of those users or by nobody) and which bodies ask for
provincial verification, and checks that ``Observation.objects.restrict(user, action)`` holds exactly the
observations for which ``permissions.can(user, action, obs)`` holds, for every action of the policy, and that
``restrict(user, "view")`` is exactly ``is_visible``. Each example runs in a transaction that is rolled back.
"""

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker import permissions
from tracker.choices import ObservationState, Role
from tracker.models import Body, Membership, Observation, UserRole

ROLES = [None, *Role.values]
BODIES = 3  # punjab, sindh, nacta from the world; an observation may also be national (no body)
_emails = itertools.count()

users_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "role": st.sampled_from(ROLES),
            "bodies": st.sets(st.integers(0, BODIES - 1), max_size=BODIES),
            "active": st.booleans(),
            "superuser": st.booleans(),
        }
    ),
    min_size=1,
    max_size=4,
)
observations_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "state": st.sampled_from(list(ObservationState)),
            "body": st.none() | st.integers(0, BODIES - 1),
            "creator": st.none() | st.integers(0, 3),  # an index into the users (wrapped), or nobody
        }
    ),
    min_size=1,
    max_size=8,
)


verifying_strategy = st.sets(st.integers(0, BODIES - 1), max_size=BODIES)


class _Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(user_specs=users_strategy, obs_specs=observations_strategy, verifying=verifying_strategy)
def test_restrict_agrees_with_can_for_every_action(world, user_specs, obs_specs, verifying):
    try:
        with transaction.atomic():
            # Fresh rows each example: which bodies ask for provincial verification is drawn too (the verifier's
            # rules and M&E's "verified first" depend on it), and rolled back with the rest.
            by_pk = Body.objects.in_bulk([world.punjab.pk, world.sindh.pk, world.nacta.pk])
            bodies = [by_pk[world.punjab.pk], by_pk[world.sindh.pk], by_pk[world.nacta.pk]]
            for i in verifying:
                bodies[i].requires_verification = True
                bodies[i].save(update_fields=["requires_verification"])
            users = []
            for spec in user_specs:
                email = f"u{next(_emails)}@example.org"
                user = User.objects.create_user(
                    username=email, email=email, is_active=spec["active"], is_superuser=spec["superuser"]
                )
                if spec["role"]:
                    UserRole.objects.create(user=user, role=spec["role"])
                Membership.objects.bulk_create([Membership(user=user, body=bodies[i]) for i in spec["bodies"]])
                users.append(user)
            now = timezone.now()
            observations = [
                Observation.objects.create(
                    indicator=world.old_executions,
                    body=None if spec["body"] is None else bodies[spec["body"]],
                    period_start=date(2024, 1, 1),
                    period_end=date(2024, 12, 31),
                    date_precision="year",
                    value=Decimal(100),
                    source=world.status_2017,
                    state=spec["state"],
                    created_by=None if spec["creator"] is None else users[spec["creator"] % len(users)],
                    submitted_at=None if spec["state"] == ObservationState.DRAFT else now,
                    approved_at=now if spec["state"] == ObservationState.APPROVED else None,
                )
                for spec in obs_specs
            ]
            ids = {o.pk for o in observations}
            everyone: list[User | AnonymousUser] = [*users, AnonymousUser()]
            for someone in everyone:
                for action in permissions.OBSERVATION_ACTIONS:
                    restricted = set(
                        Observation.objects.restrict(someone, action).filter(pk__in=ids).values_list("pk", flat=True)
                    )
                    allowed = {o.pk for o in observations if permissions.can(someone, action, o)}
                    assert restricted == allowed, (
                        action,
                        someone,
                        [(o.state, o.body_id, o.created_by_id) for o in observations],
                    )
                visible = set(
                    Observation.objects.restrict(someone, "view").filter(pk__in=ids).values_list("pk", flat=True)
                )
                assert visible == {o.pk for o in observations if permissions.is_visible(someone, o)}
            raise _Rollback
    except _Rollback:
        pass


def test_restrict_refuses_an_unknown_action(reporter):
    with pytest.raises(ValueError, match="Unknown observation action"):
        Observation.objects.restrict(reporter, "approv")
