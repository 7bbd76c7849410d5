"""The one permission policy: who may see and do what. Views, services, admin, API and exports all ask here.

Two questions, always in this order:
1. Is the object in the user's scope? If not, it does not exist for them: ``Http404``.
2. May they do this action to it? If not: ``PermissionDenied`` (403).

Scope of observations by role:
- reviewer, administrator: everything (reviewers need the pending work; administrators support users);
- reporter and provincial verifier: their bodies' observations in any state, and approved ones everywhere;
- analyst, or a signed-in user without a role: approved observations only;
- anonymous: nothing.

Each rule about observations is written once, in ``OBSERVATION_ACTIONS``, out of small predicates that answer
both for one object in Python (``can``) and for a whole table in SQL (``Observation.objects.restrict``), so the
page that lists and the button that acts can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from tracker.choices import EDITABLE_STATES, ObservationState, ProposalState, Role
from tracker.models import Body, Evidence, IndicatorProposal, Observation

UserLike = User | AnonymousUser

# Actions that need no object: what a role may do at all.
# "import_upload": send a file to the bulk import at all (reporters for their bodies, NACTA M&E for any body and
# national rows); analysts and administrators report for no one, so they may not make the portal parse a file.
# "propose_indicator": ask NACTA M&E for an indicator the plan's lists lack (reporters, for their bodies);
# "decide_proposals": accept, edit or decline those proposals (NACTA M&E).
# "review_queue": work from the review queue (NACTA M&E decide there, provincial verifiers verify there); it is
# also where both land after enrolling their second factor.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.REPORTER: frozenset(
        {"my_updates", "report", "add_source", "see_unapproved", "import_upload", "propose_indicator"}
    ),
    Role.REVIEWER: frozenset(
        {
            "review",
            "review_queue",
            "report",
            "add_source",
            "assess",
            "view_audit",
            "export",
            "invite",
            "generate_report",
            "see_unapproved",
            "import_upload",
        }
        | {"view_validation", "follow_up", "decide_proposals"}
    ),
    Role.ANALYST: frozenset({"export", "view_validation"}),
    # A provincial verifier (e.g. an apex-committee secretariat) verifies their bodies' submissions.
    Role.VERIFIER: frozenset({"verify_any", "review_queue", "see_unapproved"}),
    Role.ADMINISTRATOR: frozenset(
        {"view_audit", "export", "invite", "manage_users", "manage_reference", "generate_report", "see_unapproved"}
        | {"view_validation"}
    ),
}
# Roles that report for bodies, so an account with one needs at least one body.
ROLES_WITH_BODIES = frozenset({Role.REPORTER, Role.VERIFIER})
# Roles that work in the Django admin (staff, and the group holding the admin's model permissions).
ADMIN_SITE_ROLES = frozenset({Role.ADMINISTRATOR})
# Roles that must enrol a second factor before they can do anything else.
MFA_REQUIRED_ROLES = frozenset({Role.REVIEWER, Role.ADMINISTRATOR, Role.VERIFIER})
# Roles a reviewer may give when inviting; administrators may give any.
REVIEWER_INVITABLE_ROLES = frozenset({Role.REPORTER, Role.ANALYST})
# The Django group an administrator belongs to: the admin site's model permissions come from it, not from
# ``is_superuser``. It holds exactly these permissions, kept so after every migrate and test-database flush
# (tracker.accounts.signals.administrator_group_sync); migrations 0005 and 0014 created it first.
ADMINISTRATOR_GROUP = "NAP administrators"
_EVERYTHING = ("add", "change", "delete", "view")
ADMINISTRATOR_GROUP_PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    # Accounts: "add" leads to the invitation page; the role and bodies are edited in the user's inlines.
    ("auth", "user"): ("add", "change", "view"),
    ("tracker", "userrole"): ("add", "change", "view"),
    ("tracker", "membership"): ("add", "delete", "view"),
    # Reference data, edited in the admin and audited.
    ("tracker", "framework"): _EVERYTHING,
    ("tracker", "agendaitem"): _EVERYTHING,
    ("tracker", "crosswalklink"): _EVERYTHING,
    ("tracker", "body"): _EVERYTHING,
    ("tracker", "responsibility"): _EVERYTHING,
    ("tracker", "source"): _EVERYTHING,
    ("tracker", "indicator"): _EVERYTHING,
    ("tracker", "validationrule"): _EVERYTHING,
    # Proposals are written and decided through the portal's pages (audited); the admin only shows them.
    ("tracker", "indicatorproposal"): ("view",),
    # Assignments are made inactive, never deleted (reminders refer to them).
    ("tracker", "reportingassignment"): ("add", "change", "view"),
    # Written by the portal's services only.
    ("tracker", "observation"): ("view",),
    ("tracker", "assessment"): ("view",),
    ("tracker", "auditentry"): ("view",),
    ("tracker", "evidence"): ("view",),
    ("tracker", "notificationlog"): ("view",),
    ("tracker", "finding"): ("view",),
    ("tracker", "validationrun"): ("view",),
    ("reporting", "reportedition"): ("view",),
    ("reporting", "reportsubscription"): ("view",),
    ("apikeys", "apitoken"): ("view",),
}


@dataclass(frozen=True)
class Access:
    role: str | None
    body_ids: frozenset[int]
    user_id: int | None = None

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
    result = Access(
        role=role,
        body_ids=frozenset(body_id for _, body_id in rows if body_id is not None),
        user_id=user.pk,
    )
    setattr(user, "_nap_access", result)  # noqa: B010  (cache on the instance, like Django's perm cache)
    return result


def signed_in(user: UserLike) -> User:
    """The user a write is done as: a signed-in account (pages and endpoints that write are behind sign-in, so
    an anonymous user here is refused rather than passed on to a service)."""
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


def forget_access(user: UserLike) -> None:
    """Drop the cached access after a role or membership change."""
    if hasattr(user, "_nap_access"):
        delattr(user, "_nap_access")


def role_of(user: UserLike) -> str | None:
    return access(user).role


def needs_second_factor(user: UserLike) -> bool:
    """Does the user's role require a second factor before anything else (``MFA_REQUIRED_ROLES``)? The same roles
    get the shorter idle timeout."""
    return access(user).role in MFA_REQUIRED_ROLES


def _role_may(acc: Access, action: str) -> bool:
    return acc.role is not None and action in ROLE_ACTIONS.get(acc.role, frozenset())


# --- Rules about observations: one definition, two evaluations ---------------------------------------------
# ``where`` answers True (every row), False (no row) or a ``Q``; constants fold, so a reviewer's list carries no
# WHERE clause at all and an analyst's reads ``state = 'approved'`` exactly as a hand-written filter would.
Where = Q | bool


def _and(left: Where, right: Where) -> Where:
    if left is False or right is False:
        return False
    if left is True:
        return right
    if right is True:
        return left
    return left & right


def _or(left: Where, right: Where) -> Where:
    if left is True or right is True:
        return True
    if left is False:
        return right
    if right is False:
        return left
    return left | right


def _not(where: Where) -> Where:
    # Django negates a lookup on a nullable column as NOT (col = x AND col IS NOT NULL), so a NULL body or
    # author counts as "not mine", exactly as ``None != x`` does in Python.
    return (not where) if isinstance(where, bool) else ~where


class Rule:
    """A condition on (user, observation), answerable for one object and for a queryset alike."""

    def holds(self, acc: Access, obs: Observation) -> bool:
        raise NotImplementedError

    def where(self, acc: Access, prefix: str) -> Where:
        raise NotImplementedError

    def __and__(self, other: Rule) -> Rule:
        return _All((self, other))

    def __or__(self, other: Rule) -> Rule:
        return _Any((self, other))

    def __invert__(self) -> Rule:
        return _Not(self)


@dataclass(frozen=True)
class _All(Rule):
    parts: tuple[Rule, ...]

    def holds(self, acc: Access, obs: Observation) -> bool:
        return all(part.holds(acc, obs) for part in self.parts)

    def where(self, acc: Access, prefix: str) -> Where:
        result: Where = True
        for part in self.parts:
            result = _and(result, part.where(acc, prefix))
        return result


@dataclass(frozen=True)
class _Any(Rule):
    parts: tuple[Rule, ...]

    def holds(self, acc: Access, obs: Observation) -> bool:
        return any(part.holds(acc, obs) for part in self.parts)

    def where(self, acc: Access, prefix: str) -> Where:
        result: Where = False
        for part in self.parts:
            result = _or(result, part.where(acc, prefix))
        return result


@dataclass(frozen=True)
class _Not(Rule):
    part: Rule

    def holds(self, acc: Access, obs: Observation) -> bool:
        return not self.part.holds(acc, obs)

    def where(self, acc: Access, prefix: str) -> Where:
        return _not(self.part.where(acc, prefix))


@dataclass(frozen=True)
class Always(Rule):
    def holds(self, acc: Access, obs: Observation) -> bool:
        return True

    def where(self, acc: Access, prefix: str) -> Where:
        return True


@dataclass(frozen=True)
class HasRole(Rule):
    """The user's role is one of ``roles`` (decided before any SQL is written)."""

    roles: frozenset[str]

    def holds(self, acc: Access, obs: Observation) -> bool:
        return acc.role in self.roles

    def where(self, acc: Access, prefix: str) -> Where:
        return acc.role in self.roles


@dataclass(frozen=True)
class RoleMay(Rule):
    """The user's role may do ``action`` at all (``ROLE_ACTIONS``)."""

    action: str

    def holds(self, acc: Access, obs: Observation) -> bool:
        return _role_may(acc, self.action)

    def where(self, acc: Access, prefix: str) -> Where:
        return _role_may(acc, self.action)


@dataclass(frozen=True)
class InState(Rule):
    states: frozenset[str]

    def holds(self, acc: Access, obs: Observation) -> bool:
        return obs.state in self.states

    def where(self, acc: Access, prefix: str) -> Where:
        if len(self.states) == 1:
            return Q(**{f"{prefix}state": next(iter(self.states))})
        return Q(**{f"{prefix}state__in": sorted(self.states)})


@dataclass(frozen=True)
class OfOwnBody(Rule):
    """The observation is reported for one of the user's bodies (a national figure, body NULL, never is)."""

    def holds(self, acc: Access, obs: Observation) -> bool:
        return obs.body_id is not None and obs.body_id in acc.body_ids

    def where(self, acc: Access, prefix: str) -> Where:
        if not acc.body_ids:
            return False
        return Q(**{f"{prefix}body_id__in": sorted(acc.body_ids)})


@dataclass(frozen=True)
class EnteredBySelf(Rule):
    def holds(self, acc: Access, obs: Observation) -> bool:
        return acc.user_id is not None and obs.created_by_id == acc.user_id

    def where(self, acc: Access, prefix: str) -> Where:
        if acc.user_id is None:
            return False
        return Q(**{f"{prefix}created_by_id": acc.user_id})


@dataclass(frozen=True)
class RequiresVerification(Rule):
    """The observation's body asks for provincial verification before NACTA M&E reviews (national figures
    never do). The caller has the body loaded (``select_related``) where it asks this of many rows."""

    def holds(self, acc: Access, obs: Observation) -> bool:
        return obs.body_id is not None and obs.body is not None and obs.body.requires_verification

    def where(self, acc: Access, prefix: str) -> Where:
        return Q(**{f"{prefix}body__requires_verification": True})


def _roles(*roles: str) -> HasRole:
    return HasRole(frozenset(roles))


def _states(*states: str) -> InState:
    return InState(frozenset(states))


@dataclass(frozen=True)
class ObservationAction:
    """Who may do an action to an observation (whatever state it is in), and in which states.

    The two halves are asked apart only by the services, which check the state after the version, so a
    reviewer who lost a race to approve hears "someone saved it since" (409), while someone who may never
    approve it hears 403 before any version is compared.
    """

    who: Rule
    states: frozenset[str] | None = None  # None: in any state
    # What else the current state requires, beyond ``states`` (e.g. verified first, for bodies that verify).
    when: Rule | None = None

    @property
    def rule(self) -> Rule:
        rule = self.who if self.states is None else self.who & InState(self.states)
        return rule if self.when is None else rule & self.when


_REPORTER_OF_ITS_BODY = _roles(Role.REPORTER) & OfOwnBody()
_VERIFIER_OF_ITS_BODY = _roles(Role.VERIFIER) & OfOwnBody() & RequiresVerification()
# Who sees a figure's unapproved life (drafts, returns, the review conversation): M&E, administrators, and the
# reporters and verifiers of its body. It stays theirs after approval; analysts and other bodies never see it.
SEES_DRAFTS: Rule = _roles(Role.REVIEWER, Role.ADMINISTRATOR) | (_roles(Role.REPORTER, Role.VERIFIER) & OfOwnBody())
# Who may see an observation at all. Every action below is asked only of what this admits (404 otherwise).
SCOPE: Rule = SEES_DRAFTS | _states(ObservationState.APPROVED)
# Who may edit, submit or attach evidence to an unapproved observation: its body's reporters, or the reviewer
# who entered it (a reviewer works only on entries they made, so they can never approve work they shaped).
EDITORS: Rule = _REPORTER_OF_ITS_BODY | (_roles(Role.REVIEWER) & EnteredBySelf())
_EDITABLE = frozenset(EDITABLE_STATES)
_SUBMITTED = frozenset({ObservationState.SUBMITTED})
_APPROVED = frozenset({ObservationState.APPROVED})
_OPEN = frozenset(ObservationState.values) - _APPROVED
_AWAITING = frozenset({ObservationState.SUBMITTED, ObservationState.VERIFIED})
# NACTA M&E decides a verified figure, or a submitted one of a body that does not verify first.
_AWAITING_REVIEW: Rule = _states(ObservationState.VERIFIED) | (
    _states(ObservationState.SUBMITTED) & ~RequiresVerification()
)

OBSERVATION_ACTIONS: dict[str, ObservationAction] = {
    "view": ObservationAction(Always()),
    "view_evidence": ObservationAction(Always()),
    "edit": ObservationAction(EDITORS, _EDITABLE),
    "submit": ObservationAction(EDITORS, _EDITABLE),
    "attach_evidence": ObservationAction(EDITORS, _EDITABLE),
    "verify": ObservationAction(_VERIFIER_OF_ITS_BODY & ~EnteredBySelf(), _SUBMITTED),
    "return": ObservationAction(
        _roles(Role.REVIEWER) | _VERIFIER_OF_ITS_BODY,
        _AWAITING,
        when=(_roles(Role.REVIEWER) & _AWAITING_REVIEW) | (_roles(Role.VERIFIER) & _states(ObservationState.SUBMITTED)),
    ),
    "approve": ObservationAction(_roles(Role.REVIEWER) & ~EnteredBySelf(), _AWAITING, when=_AWAITING_REVIEW),
    "correct": ObservationAction(_roles(Role.REVIEWER) | _REPORTER_OF_ITS_BODY, _APPROVED),
    # The review conversation: read by whoever sees the figure's drafts; written by M&E and the reporters and
    # verifiers of its body while the figure is open (after approval a correction starts a new one).
    "view_comments": ObservationAction(SEES_DRAFTS),
    "comment": ObservationAction(_roles(Role.REVIEWER) | (_roles(Role.REPORTER, Role.VERIFIER) & OfOwnBody()), _OPEN),
    # Evidence comes off only while the figure is still being edited; ``can`` adds: only by its uploader.
    "remove_evidence": ObservationAction(SEES_DRAFTS, _EDITABLE),
    # Exports carry approved figures only, never drafts or pending work, to the roles that may export.
    "export": ObservationAction(RoleMay("export"), _APPROVED),
}


def observation_where(user: UserLike, action: str = "view", *, prefix: str = "") -> Where:
    """The SQL form of ``can(user, action, obs)``: True (every row), False (none) or a ``Q`` on observations
    (on a related observation with ``prefix``, e.g. ``"observation__"``)."""
    try:
        rule = OBSERVATION_ACTIONS[action].rule
    except KeyError:
        raise ValueError(f"Unknown observation action {action!r}") from None
    if not user.is_authenticated:
        return False
    acc = access(user)
    return _and(SCOPE.where(acc, prefix), rule.where(acc, prefix))


def sees_every_approved(user: UserLike) -> bool:
    """Does the policy let ``user`` view every approved figure, whatever its body? Then a read of published
    (approved) figures needs no per-row restriction, and reads of the latest-figure table keep their probe-free
    path (``ObservationQuerySet.series_heads``). Decided from the rule's SQL form: it admits every row, or it is
    an OR one of whose terms is "approved" alone. Anything else answers False, which is only slower, never wider."""
    if not user.is_authenticated:
        return False
    where = observation_where(user, "view")
    if where is True:
        return True
    approved = _states(ObservationState.APPROVED).where(access(user), "")
    if not isinstance(where, Q) or not isinstance(approved, Q):
        return False
    if where == approved:
        return True
    return where.connector == Q.OR and not where.negated and any(term == approved for term in _terms(where))


def _terms(where: Q) -> list[Q]:
    """The terms of an OR'd ``Q``, each as a ``Q`` (a lookup child becomes a ``Q`` of that lookup alone)."""
    return [child if isinstance(child, Q) else Q(child) for child in where.children]


# What its holders read besides published figures: drafts and submissions, the review backlog, the audit trail.
READS_UNPUBLISHED = ("see_unapproved", "review", "view_audit")


def reads_published_only(user: UserLike) -> bool:
    """Whether all ``user`` reads is published (approved) data: then the pages, parts and API answers they read
    are the same for everyone of their ``published_audience`` and change only with the data version, so they
    may be cached under both. Drafts, the backlog and the audit trail change without a new data version."""
    return not any(can(user, action) for action in READS_UNPUBLISHED)


def published_audience(user: UserLike) -> str:
    """The class of users who read the same answer when it is built from published (approved) figures only,
    e.g. the status API: a cache key part, so an answer is shared only by users who may see the same figures.
    "published" for everyone who sees every approved figure (``sees_every_approved``); anyone else whom the
    policy ever narrows gets a class of their own."""
    if not user.is_authenticated:
        return "anonymous"
    return "published" if sees_every_approved(user) else f"user:{user.pk}"


def may_grant_superuser(user: UserLike) -> bool:
    """Only a superuser makes another: the administrator role manages accounts, not the server."""
    return user.is_authenticated and user.is_active and bool(getattr(user, "is_superuser", False))


def roles_that_may(action: str) -> list[str]:
    """The roles whose ``ROLE_ACTIONS`` include ``action``."""
    return sorted(role for role, actions in ROLE_ACTIONS.items() if action in actions)


def users_who_may(action: str) -> QuerySet[User]:
    """Active accounts whose role may do ``action`` at all, e.g. "review": whom the daily digest goes to."""
    return User.objects.filter(is_active=True, nap_role__role__in=roles_that_may(action))


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


def can(user: UserLike, action: str, obj: object = None) -> bool:
    """May ``user`` do ``action`` to ``obj`` (or at all, when ``obj`` is None)? Never raises."""
    if not user.is_authenticated:
        return False
    acc = access(user)
    if obj is None:
        if action in ("import_upload", "propose_indicator") and acc.role == Role.REPORTER and not acc.body_ids:
            return False  # a reporter who reports for no body yet has nothing to import or propose for
        return _role_may(acc, action)
    obs = _observation_of(obj)
    if obs is not None:
        known = OBSERVATION_ACTIONS.get(action)
        if known is None or not SCOPE.holds(acc, obs) or not known.rule.holds(acc, obs):
            return False
        if isinstance(obj, Evidence):
            if action == "remove_evidence":
                return obj.uploaded_by_id == acc.user_id
            if action == "view_evidence" and obj.comment_id is not None:
                # Sent in the review conversation: as private as the conversation.
                return OBSERVATION_ACTIONS["view_comments"].rule.holds(acc, obs)
        return True
    if isinstance(obj, IndicatorProposal):
        return _proposal_visible(acc, obj) and _proposal_may(acc, action, obj)
    if isinstance(obj, Body):
        if action == "report_for":
            if obj.is_outside_publisher:
                return False  # a newspaper is cited, never reported for
            return acc.role == Role.REVIEWER or (acc.role == Role.REPORTER and obj.pk in acc.body_ids)
        return action == "view"
    return False


# --- Indicator proposals ----------------------------------------------------------------------------------------
# A proposal belongs to the body it was made for: that body's reporters see it, NACTA M&E and administrators see
# every one, nobody else sees any (another province's proposal answers 404). NACTA M&E decides pending ones.
PROPOSAL_ACTIONS = frozenset({"view", "decide"})


def _proposal_visible(acc: Access, proposal: IndicatorProposal) -> bool:
    return acc.sees_everything or (acc.role == Role.REPORTER and proposal.body_id in acc.body_ids)


def _proposal_may(acc: Access, action: str, proposal: IndicatorProposal) -> bool:
    if action == "view":
        return True
    if action == "decide":
        return _role_may(acc, "decide_proposals") and proposal.state == ProposalState.PENDING
    return False


def proposal_where(user: UserLike, action: str = "view") -> Where:
    """The SQL form of ``can(user, action, proposal)``, for ``IndicatorProposal.objects.restrict``."""
    if action not in PROPOSAL_ACTIONS:
        raise ValueError(f"Unknown proposal action {action!r}")
    if not user.is_authenticated:
        return False
    acc = access(user)
    scope: Where = acc.sees_everything
    if acc.role == Role.REPORTER and acc.body_ids:
        scope = Q(body_id__in=sorted(acc.body_ids))
    if action == "decide":
        scope = _and(scope, Q(state=ProposalState.PENDING) if _role_may(acc, "decide_proposals") else False)
    return scope


def proposing_bodies(user: UserLike) -> QuerySet[Body]:
    """The bodies ``user`` may propose an indicator for: a reporter's own reporting bodies."""
    if not can(user, "propose_indicator"):
        return Body.objects.none()
    return Body.objects.reporting().filter(pk__in=sorted(access(user).body_ids))


def can_report_national(user: UserLike) -> bool:
    """National figures (no body) are entered by NACTA M&E only."""
    return access(user).role == Role.REVIEWER


def is_visible(user: UserLike, obj: object) -> bool:
    obs = _observation_of(obj)
    if obs is not None:
        return user.is_authenticated and SCOPE.holds(access(user), obs)
    if isinstance(obj, IndicatorProposal):
        return user.is_authenticated and _proposal_visible(access(user), obj)
    return user.is_authenticated


def require(user: UserLike, action: str, obj: object = None) -> None:
    """Raise ``Http404`` when ``obj`` is outside the user's scope, ``PermissionDenied`` when the action is not
    allowed on an object they can see (or at all)."""
    if obj is not None and not is_visible(user, obj):
        raise Http404
    if not can(user, action, obj):
        raise PermissionDenied


def is_editor(user: UserLike, obs: Observation) -> bool:
    """Is ``user`` one who edits ``obs`` (its body's reporter, or the reviewer who entered it), whatever its
    state now? Only they are told which fields someone else changed."""
    return user.is_authenticated and SCOPE.holds(access(user), obs) and EDITORS.holds(access(user), obs)


def require_actor(user: UserLike, action: str, obs: Observation) -> None:
    """The first half of ``require``: 404 outside the user's scope, 403 unless the user is one who may do
    ``action`` to ``obs`` in some state. The services ask this before the version and ``require`` after it."""
    if not is_visible(user, obs):
        raise Http404
    known = OBSERVATION_ACTIONS.get(action)
    if known is None or not known.who.holds(access(user), obs):
        raise PermissionDenied


def _observation_of(obj: object) -> Observation | None:
    if isinstance(obj, Observation):
        return obj
    observation = getattr(obj, "observation", None)
    return observation if isinstance(observation, Observation) else None
