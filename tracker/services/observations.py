"""Writes of the observation workflow: draft → submitted → approved, or returned → edited → submitted again.

Each service runs in one transaction and checks in one order: lock the row (``select_for_update``), scope
(404: the observation does not exist for this user), policy (403: not someone who may do this action to it),
version (409: someone saved since), and last the policy's word on the current state (403). So a refusal never
reveals history, and only the observation's editors are told which fields changed; a reviewer who lost a race
to approve still hears that someone saved it first.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tracker import audit, permissions
from tracker.choices import DatePrecision, ObservationState, ValueQualifier
from tracker.entry_validation import REASON_MAX_LENGTH, TEXT_MAX_LENGTH, text_errors, validate_observation_input
from tracker.exceptions import StaleVersion, WorkflowError
from tracker.models import (
    AgendaItem,
    Assessment,
    AuditEntry,
    Body,
    CommentKind,
    Indicator,
    Observation,
    ObservationSnapshot,
    Source,
)
from tracker.services import notifications
from tracker.services.conversation import comment_add_locked, comment_text_clean
from tracker.services.latest_figures import latest_figures_refresh


def _entered(label: Any, *, required: bool = False, help_text: Any = "", max_length: int | None = None) -> Any:
    return {"label": label, "required": required, "help_text": help_text, "max_length": max_length}


@dataclass(frozen=True, kw_only=True)
class ObservationInput:
    """The values a reporter enters; everything else (state, version, approver) belongs to the workflow.

    The one list of entered fields: the web form, the entry grid, the API serializers and the import columns
    are built from these fields and their metadata (label, whether required, length cap), in this order.
    """

    indicator: Indicator = field(metadata=_entered(_lazy("Indicator"), required=True))
    body: Body | None = field(metadata=_entered(_lazy("Reporting body")))
    period_start: date | None = field(default=None, metadata=_entered(_lazy("Period start")))
    period_end: date = field(metadata=_entered(_lazy("Period end or as-of date"), required=True))
    date_precision: str = field(default=DatePrecision.DAY, metadata=_entered(_lazy("Date precision")))
    value: Decimal | None = field(
        default=None, metadata=_entered(_lazy("Value"), help_text=_lazy("The figure, digits only."))
    )
    value_qualifier: str = field(default=ValueQualifier.EXACT, metadata=_entered(_lazy("Qualifier")))
    text_value: str = field(default="", metadata=_entered(_lazy("Text status"), max_length=TEXT_MAX_LENGTH))
    source: Source = field(metadata=_entered(_lazy("Source"), required=True))
    quote: str = field(
        default="",
        metadata=_entered(
            _lazy("Source wording"), help_text=_lazy("The words the source uses."), max_length=TEXT_MAX_LENGTH
        ),
    )
    note: str = field(default="", metadata=_entered(_lazy("Note"), max_length=TEXT_MAX_LENGTH))

    def apply_to(self, obs: Observation) -> None:
        for f in fields(self):
            setattr(obs, f.name, getattr(self, f.name))

    @classmethod
    def of(cls, obs: Observation) -> "ObservationInput":
        """The entered values of a recorded observation."""
        return cls(**{name: getattr(obs, name) for name in INPUT_FIELDS})


INPUT_FIELDS = tuple(f.name for f in fields(ObservationInput))
# What the audit trail keeps of an observation, before and after each change: what was entered, and what the
# workflow wrote.
AUDITED_FIELDS = (
    *INPUT_FIELDS,
    "state",
    "version",
    "supersedes",
    "correction_reason",
    "return_reason",
    "approved_by",
)
# (name, label, required, help text, length cap) of each entered field, in order: what forms and serializers
# are built from.
INPUT_FIELD_SPECS = tuple((f.name, f.metadata) for f in fields(ObservationInput))
# What a submission keeps for the reviewer's field-by-field comparison: the reporter's values.
SNAPSHOT_FIELDS = INPUT_FIELDS


def _require_may_report_for(actor: User, body: Body | None) -> None:
    if body is None:
        if not permissions.can_report_national(actor):
            raise PermissionDenied(_("Only NACTA M&E enters national figures."))
        return
    if not permissions.can(actor, "report_for", body):
        raise PermissionDenied(_("You do not report for %(body)s.") % {"body": body})


def _lock(*, actor: User, action: str, observation_id: int) -> Observation:
    """Lock the row, then ask the policy under the lock: out of scope is 404; someone who may never do this
    action to this observation, 403. Whether its current state allows the action is asked after the version."""
    obs = Observation.objects.select_for_update().filter(pk=observation_id).first()
    if obs is None or not permissions.is_visible(actor, obs):
        raise Http404
    if action == "approve" and obs.created_by_id == actor.pk:
        raise PermissionDenied(_("You cannot approve an observation you entered yourself."))
    if action == "verify" and obs.created_by_id == actor.pk:
        raise PermissionDenied(_("You cannot verify an observation you entered yourself."))
    permissions.require_actor(actor, action, obs)
    return obs


def _check_version_and_state(*, actor: User, obs: Observation, version: int, action: str) -> None:
    """Refuse a stale write (409), then ask whether the current state allows the action (403). The fields that
    changed, with their earlier values, go only to one of the observation's editors: anyone else learns that it
    changed, not how."""
    if obs.version != version:
        disclosed = permissions.is_editor(actor, obs)
        raise StaleVersion(
            current_version=obs.version,
            seen_version=version,
            changes=changes_since(obs=obs, version=version) if disclosed else {},
            disclosed=disclosed,
        )
    permissions.require(actor, action, obs)


def changes_since(*, obs: Observation, version: int) -> dict[str, tuple[Any, Any]]:
    """Fields changed after ``version``, as (value at that version, value now), read from the audit trail."""
    changes: dict[str, tuple[Any, Any]] = {}
    entries = AuditEntry.objects.filter(object_type="tracker.observation", object_id=str(obs.pk)).order_by("at", "id")
    for entry in entries:
        after = entry.after or {}
        if int(after.get("version", 0)) <= version:
            continue
        before = entry.before or {}
        for name, new in after.items():
            if name in ("version",):
                continue
            old = changes[name][0] if name in changes else before.get(name)
            changes[name] = (old, new)
    return {name: pair for name, pair in changes.items() if pair[0] != pair[1]}


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    changed = [name for name in after if before.get(name) != after[name]]
    return {n: before.get(n) for n in changed}, {n: after[n] for n in changed}


def _validate(obs: Observation) -> None:
    # seed_key uniqueness and the like are the database's job; here we want the field rules and clean().
    obs.full_clean(exclude=["seed_key", "supersedes"])


def _lock_indicator(indicator: Indicator) -> None:
    """Entries for one indicator queue here, so two identical submissions at once cannot both pass the
    one-open-figure rule."""
    list(Indicator.objects.select_for_update().filter(pk=indicator.pk).values_list("pk", flat=True))


def observation_create_draft(*, actor: User, data: ObservationInput) -> Observation:
    """A new draft for one of the actor's bodies (or a national figure, for M&E)."""
    _require_may_report_for(actor, data.body)
    with transaction.atomic():
        _lock_indicator(data.indicator)
        validate_observation_input(data)
        obs = Observation(state=ObservationState.DRAFT, created_by=actor)
        data.apply_to(obs)
        _validate(obs)
        obs.save()
        audit.record(actor=actor, action="observation.create", obj=obs, after=audit.snapshot(obs, AUDITED_FIELDS))
    return obs


def observation_update(*, actor: User, observation_id: int, version: int, data: ObservationInput) -> Observation:
    """Edit a draft or returned observation. Approved ones are never edited: see ``observation_correct``."""
    with transaction.atomic():
        obs = _lock(actor=actor, action="edit", observation_id=observation_id)
        _check_version_and_state(actor=actor, obs=obs, version=version, action="edit")
        if data.body != obs.body:
            _require_may_report_for(actor, data.body)
        if obs.supersedes_id and (data.indicator != obs.indicator or data.body != obs.body):
            raise ValidationError(_("A correction keeps the indicator and body of the figure it corrects."))
        _lock_indicator(data.indicator)
        validate_observation_input(
            data, ignore_ids=[obs.pk, obs.supersedes_id or 0], correction=bool(obs.supersedes_id)
        )
        before = audit.snapshot(obs, AUDITED_FIELDS)
        data.apply_to(obs)
        _validate(obs)
        obs.version += 1
        obs.save()
        old, new = _diff(before, audit.snapshot(obs, AUDITED_FIELDS))
        audit.record(actor=actor, action="observation.update", obj=obs, before=old, after=new)
    return obs


def _transition(
    *,
    actor: User,
    observation_id: int,
    version: int,
    action: str,
    target: str,
    reason: str = "",
    then: Callable[[Observation], None] | None = None,
    comment: str = "",
) -> Observation:
    """One workflow step; ``then`` runs inside the same transaction, after the audit entry (the thread entry
    of a return, the notices)."""
    with transaction.atomic():
        obs = _lock(actor=actor, action=action, observation_id=observation_id)
        _check_version_and_state(actor=actor, obs=obs, version=version, action=action)
        if target == ObservationState.SUBMITTED:
            # A draft saved before a rule changed, or beside a figure approved since, is checked again.
            validate_observation_input(
                ObservationInput.of(obs),
                ignore_ids=[obs.pk, obs.supersedes_id or 0],
                correction=bool(obs.supersedes_id),
            )
            _validate(obs)
            # Keep what was submitted, so the reviewer of a resubmission sees what changed since.
            ObservationSnapshot.objects.create(
                observation=obs,
                version=obs.version + 1,
                values=audit.snapshot(obs, SNAPSHOT_FIELDS),
                submitted_by=actor,
            )
        before = audit.snapshot(obs, AUDITED_FIELDS)
        changed = obs.transition_to(target, by=actor, reason=reason)
        obs.save(update_fields=changed)
        if target == ObservationState.APPROVED and connection.vendor != "postgresql":
            # The read model changes with the approval, in its transaction (a correction counts from here). On
            # PostgreSQL the database's trigger does it for every writer (migration 0013); elsewhere, here.
            latest_figures_refresh(series=[(obs.indicator_id, obs.body_id)])
        old, new = _diff(before, audit.snapshot(obs, AUDITED_FIELDS))
        audit.record(actor=actor, action=f"observation.{action}", obj=obs, before=old, after=new, reason=reason)
        if then is not None:
            then(obs)
        notifications.notify_transition(actor=actor, obs=obs, action=action, reason=reason)
        if target == ObservationState.SUBMITTED:
            # The data-quality findings on the figure, stored beside the submission for the review queue.
            from tracker.validation.services import submission_check

            submission_check(observation=obs, comment=comment)
    return obs


def observation_submit(*, actor: User, observation_id: int, version: int, comment: str = "") -> Observation:
    """Submit for review; ``comment`` is the reporter's word on any data-quality warning the figure raised."""
    return _transition(
        actor=actor,
        observation_id=observation_id,
        version=version,
        action="submit",
        target=ObservationState.SUBMITTED,
        comment=comment,
    )


def observation_return(*, actor: User, observation_id: int, version: int, reason: str) -> Observation:
    """Send a submission back to its reporter with a reason they will see."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the update is returned: the reporter sees this reason.")})
    reason = comment_text_clean(reason)

    def open_thread(obs: Observation) -> None:
        # The reason opens (or continues) the conversation the reporter answers.
        comment_add_locked(actor=actor, obs=obs, text=reason, kind=CommentKind.RETURN)

    return _transition(
        actor=actor,
        observation_id=observation_id,
        version=version,
        action="return",
        target=ObservationState.RETURNED,
        reason=reason,
        then=open_thread,
    )


def observation_verify(*, actor: User, observation_id: int, version: int) -> Observation:
    """A verifier of the figure's body confirms a submission before NACTA M&E reviews it (bodies that ask
    for provincial verification only; never one's own entry)."""
    return _transition(
        actor=actor, observation_id=observation_id, version=version, action="verify", target=ObservationState.VERIFIED
    )


def observation_approve(*, actor: User, observation_id: int, version: int) -> Observation:
    """Approve a submission. Reviewers only, never their own entry; concurrent approvals: one wins."""
    return _transition(
        actor=actor, observation_id=observation_id, version=version, action="approve", target=ObservationState.APPROVED
    )


def observation_correct(*, actor: User, observation_id: int, data: ObservationInput, reason: str) -> Observation:
    """Start a correction of an approved figure: a new draft that supersedes it once approved.

    The approved observation is never changed; both stay in the history. An observation has at most one
    correction (later corrections correct the correction, forming a chain).
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the approved figure needs a correction.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": text_errors(reason, REASON_MAX_LENGTH)})
    with transaction.atomic():
        original = _lock(actor=actor, action="correct", observation_id=observation_id)
        permissions.require(actor, "correct", original)
        existing = Observation.objects.filter(supersedes=original).first()
        if existing is not None:
            raise WorkflowError(
                _("This figure already has a correction (#%(id)s, %(state)s): work on that one instead.")
                % {"id": existing.pk, "state": existing.get_state_display()}
            )
        if data.indicator != original.indicator or data.body != original.body:
            raise ValidationError(_("A correction keeps the indicator and body of the figure it corrects."))
        _lock_indicator(data.indicator)
        validate_observation_input(data, ignore_ids=[original.pk], correction=True)
        obs = Observation(state=ObservationState.DRAFT, created_by=actor, supersedes=original, correction_reason=reason)
        data.apply_to(obs)
        _validate(obs)
        try:
            with transaction.atomic():
                obs.save()
        except IntegrityError as exc:  # a concurrent correction won the one-to-one slot
            raise WorkflowError(_("Someone else has just started a correction of this figure.")) from exc
        audit.record(
            actor=actor,
            action="observation.correct",
            obj=obs,
            before={"corrects": original.pk},
            after=audit.snapshot(obs, AUDITED_FIELDS),
            reason=reason,
        )
    return obs


def assessment_create(
    *, actor: User, item: AgendaItem, as_of: date, rating: str, narrative: str = "", date_precision: str = "day"
) -> Assessment:
    """NACTA M&E rates an agenda item's progress at a date."""
    permissions.require(actor, "assess")
    with transaction.atomic():
        assessment = Assessment(
            item=item, as_of=as_of, date_precision=date_precision, rating=rating, narrative=narrative, created_by=actor
        )
        assessment.full_clean(exclude=["seed_key", "source"])
        assessment.save()
        audit.record(
            actor=actor,
            action="assessment.create",
            obj=assessment,
            after=audit.snapshot(assessment, ("item", "as_of", "date_precision", "rating", "narrative")),
        )
    return assessment
