"""The one permission policy: who may see and do what. Views, services, admin, API and exports all ask here.

Two questions, always in this order:
1. Is the object in the user's scope? If not, it does not exist for them: ``Http404``.
2. May they do this action to it? If not: ``PermissionDenied`` (403).

Scope of observations by role:
- reviewer, administrator: everything (reviewers need the pending work; administrators support users);
- reporter: their bodies' observations in any state, and approved observations everywhere;
- analyst, or a signed-in user without a role: approved observations only;
- anonymous: nothing.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from tracker.choices import EDITABLE_STATES, ObservationState, Role
from tracker.models import Body, Observation

UserLike = AbstractBaseUser | AnonymousUser

# Actions that need no object: what a role may do at all.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.REPORTER: frozenset({"my_updates", "report", "add_source"}),
    Role.REVIEWER: frozenset(
        {"review", "report", "add_source", "assess", "view_audit", "export", "invite", "generate_report"}
    ),
    Role.ANALYST: frozenset({"export"}),
    Role.ADMINISTRATOR: frozenset(
        {"view_audit", "export", "invite", "manage_users", "manage_reference", "generate_report"}
    ),
}
# Roles that must enrol a second factor before they can do anything else.
MFA_REQUIRED_ROLES = frozenset({Role.REVIEWER, Role.ADMINISTRATOR})
# Roles a reviewer may give when inviting; administrators may give any.
REVIEWER_INVITABLE_ROLES = frozenset({Role.REPORTER, Role.ANALYST})


@dataclass(frozen=True)
class Access:
    role: str | None
    body_ids: frozenset[int]

    @property
    def sees_everything(self) -> bool:
        return self.role in (Role.REVIEWER, Role.ADMINISTRATOR)


NO_ACCESS = Access(role=None, body_ids=frozenset())


def access(user: UserLike) -> Access:
    """The user's role and bodies, read once per user object (one query) and cached on it."""
    if not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, "_nap_access", None)
    if cached is not None:
        return cached
    from django.contrib.auth import get_user_model

    rows = list(get_user_model().objects.filter(pk=user.pk).values_list("nap_role__role", "memberships__body_id"))
    role = rows[0][0] if rows else None
    if role is None and getattr(user, "is_superuser", False):
        role = Role.ADMINISTRATOR
    result = Access(role=role, body_ids=frozenset(body_id for _, body_id in rows if body_id is not None))
    setattr(user, "_nap_access", result)  # noqa: B010  (cache on the instance, like Django's perm cache)
    return result


def forget_access(user: UserLike) -> None:
    """Drop the cached access after a role or membership change."""
    if hasattr(user, "_nap_access"):
        delattr(user, "_nap_access")


def role_of(user: UserLike) -> str | None:
    return access(user).role


def observation_scope(user: UserLike) -> Q:
    """The filter that ``visible_observations`` applies; usable on related lookups with ``prefix``."""
    return _observation_scope(access(user), prefix="")


def _observation_scope(acc: Access, *, prefix: str) -> Q:
    if acc.sees_everything:
        return Q()
    approved = Q(**{f"{prefix}state": ObservationState.APPROVED})
    if acc.role == Role.REPORTER:
        return approved | Q(**{f"{prefix}body_id__in": sorted(acc.body_ids)})
    return approved


def visible_observations(user: UserLike, queryset: QuerySet[Observation] | None = None) -> QuerySet[Observation]:
    """Every observation list in the portal starts here, so no list can show what the user may not see."""
    qs = Observation.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(observation_scope(user))


def visible_bodies(user: UserLike) -> QuerySet[Body]:
    """Bodies are reference data: every signed-in user may read them (their unapproved data stays scoped)."""
    if not user.is_authenticated:
        return Body.objects.none()
    return Body.objects.all()


def writable_bodies(user: UserLike) -> QuerySet[Body]:
    """Bodies the user may enter observations for: a reporter's own bodies, every body for a reviewer."""
    acc = access(user)
    if acc.role == Role.REVIEWER:
        return Body.objects.reporting()
    if acc.role == Role.REPORTER:
        return Body.objects.reporting().filter(pk__in=sorted(acc.body_ids))
    return Body.objects.none()


def _can_see_observation(acc: Access, obs: Observation) -> bool:
    if acc.sees_everything or obs.state == ObservationState.APPROVED:
        return True
    return acc.role == Role.REPORTER and obs.body_id in acc.body_ids


def _may_write_values(acc: Access, user: UserLike, obs: Observation) -> bool:
    """Who may edit, submit or attach evidence to an unapproved observation."""
    if acc.role == Role.REPORTER:
        return obs.body_id in acc.body_ids
    # A reviewer works only on entries they made, so they can never approve work they shaped.
    return acc.role == Role.REVIEWER and obs.created_by_id == user.pk


def _observation_action(acc: Access, user: UserLike, action: str, obs: Observation) -> bool:
    state = obs.state
    if action in ("view", "view_evidence"):
        return True  # visibility was checked first
    if action in ("edit", "submit", "attach_evidence"):
        return state in EDITABLE_STATES and _may_write_values(acc, user, obs)
    if action == "return":
        return acc.role == Role.REVIEWER and state == ObservationState.SUBMITTED
    if action == "approve":
        return acc.role == Role.REVIEWER and state == ObservationState.SUBMITTED and obs.created_by_id != user.pk
    if action == "correct":
        if state != ObservationState.APPROVED:
            return False
        if acc.role == Role.REVIEWER:
            return True
        return acc.role == Role.REPORTER and obs.body_id in acc.body_ids
    return False


def can(user: UserLike, action: str, obj: Any = None) -> bool:
    """May ``user`` do ``action`` to ``obj`` (or at all, when ``obj`` is None)? Never raises."""
    if not user.is_authenticated:
        return False
    acc = access(user)
    if obj is None:
        return acc.role is not None and action in ROLE_ACTIONS.get(acc.role, frozenset())
    obs = _observation_of(obj)
    if obs is not None:
        if not _can_see_observation(acc, obs):
            return False
        return _observation_action(acc, user, action, obs)
    if isinstance(obj, Body):
        if action == "report_for":
            if obj.is_outside_publisher:
                return False  # a newspaper is cited, never reported for
            return acc.role == Role.REVIEWER or (acc.role == Role.REPORTER and obj.pk in acc.body_ids)
        return action == "view"
    return False


def can_report_national(user: UserLike) -> bool:
    """National figures (no body) are entered by NACTA M&E only."""
    return access(user).role == Role.REVIEWER


def is_visible(user: UserLike, obj: Any) -> bool:
    obs = _observation_of(obj)
    if obs is not None:
        return user.is_authenticated and _can_see_observation(access(user), obs)
    return user.is_authenticated


def require(user: UserLike, action: str, obj: Any = None) -> None:
    """Raise ``Http404`` when ``obj`` is outside the user's scope, ``PermissionDenied`` when the action is not
    allowed on an object they can see (or at all)."""
    if obj is not None and not is_visible(user, obj):
        raise Http404
    if not can(user, action, obj):
        raise PermissionDenied


def _observation_of(obj: Any) -> Observation | None:
    if isinstance(obj, Observation):
        return obj
    observation = getattr(obj, "observation", None)
    return observation if isinstance(observation, Observation) else None
