"""Indicators proposed by reporters and decided by NACTA M&E: an accepted proposal becomes an indicator.

Every write is audited in its own transaction. The policy (tracker/permissions.py) says who may propose (a
reporter, for one of their bodies) and who may decide (NACTA M&E); a proposal of another body answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tracker import audit, permissions
from tracker import entry_validation as validation
from tracker.choices import ProposalState, Unit
from tracker.exceptions import WorkflowError
from tracker.models import AgendaItem, Body, Indicator, IndicatorProposal

PROPOSAL_AUDITED_FIELDS = ("body", "item", "name", "unit", "why", "state", "decision_reason", "indicator")
NAME_MAX_LENGTH = 200


@dataclass(frozen=True, kw_only=True)
class ProposalInput:
    """What a reporter proposes: a name, a unit, the agenda item it measures, and why it is needed."""

    body: Body
    item: AgendaItem
    name: str
    unit: str
    why: str


def _same_name(name: str) -> str:
    return " ".join(name.split())


def proposal_errors(*, name: str, unit: str, item: AgendaItem, exclude_id: int | None = None) -> dict[str, list[str]]:
    """The rules on a proposed indicator, for the proposal and for the reviewer's edit alike."""
    errors: dict[str, list[str]] = {}
    name = _same_name(name)
    if not name:
        errors["name"] = [_("Name the indicator: what is counted or described.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [validation.msg_text_too_long(len(name), NAME_MAX_LENGTH)]
    elif Indicator.objects.filter(item=item, name__iexact=name).exists():
        errors["name"] = [_("%(item)s already has an indicator named “%(name)s”.") % {"item": item, "name": name}]
    elif (
        IndicatorProposal.objects.filter(item=item, name__iexact=name, state=ProposalState.PENDING)
        .exclude(pk=exclude_id or 0)
        .exists()
    ):
        errors["name"] = [_("An indicator of this name is already proposed for this item and waits for a reviewer.")]
    if unit not in Unit.values:
        errors["unit"] = [_("Choose a unit.")]
    return errors


def indicator_propose(*, actor: User, data: ProposalInput) -> IndicatorProposal:
    """Propose an indicator for one of the actor's bodies; it waits for NACTA M&E."""
    permissions.require(actor, "propose_indicator")
    if not permissions.proposing_bodies(actor).filter(pk=data.body.pk).exists():
        raise ValidationError({"body": _("You do not report for %(body)s.") % {"body": data.body}})
    errors = proposal_errors(name=data.name, unit=data.unit, item=data.item)
    if not data.why.strip():
        errors["why"] = [_("Say why the indicator is needed: which figures it would carry, from which source.")]
    elif len(data.why) > validation.TEXT_MAX_LENGTH:
        errors["why"] = [validation.msg_text_too_long(len(data.why))]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        proposal = IndicatorProposal.objects.create(
            body=data.body,
            item=data.item,
            name=_same_name(data.name),
            unit=data.unit,
            why=data.why.strip(),
            proposed_by=actor,
        )
        audit.record(
            actor=actor,
            action="indicator_proposal.create",
            obj=proposal,
            after=audit.snapshot(proposal, PROPOSAL_AUDITED_FIELDS),
        )
    return proposal


def _locked_for_decision(actor: User, proposal_id: int) -> IndicatorProposal:
    """Lock → scope (404) → policy (403) → state, so a refusal never reveals another body's proposal."""
    proposal = IndicatorProposal.objects.select_for_update().filter(pk=proposal_id).first()
    if proposal is None or not permissions.is_visible(actor, proposal):
        raise Http404
    if not permissions.can(actor, "decide_proposals"):
        raise PermissionDenied
    if proposal.state != ProposalState.PENDING:
        raise WorkflowError(_("This proposal has been decided already."))
    return proposal


def _indicator_code(name: str) -> str:
    base = slugify(name)[:72].strip("-") or "indicator"
    taken = set(Indicator.objects.filter(code__startswith=base).values_list("code", flat=True))
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    return code


def proposal_accept(
    *,
    actor: User,
    proposal_id: int,
    name: str | None = None,
    unit: str | None = None,
    item: AgendaItem | None = None,
    reason: str = "",
) -> IndicatorProposal:
    """Accept a proposal, as proposed or edited (name, unit, item): it becomes an indicator of the item.

    The reviewer's edits are recorded (before and after) in the proposal's audit entry; the new indicator has
    its own.
    """
    with transaction.atomic():
        proposal = _locked_for_decision(actor, proposal_id)
        before = audit.snapshot(proposal, PROPOSAL_AUDITED_FIELDS)
        final_name = _same_name(name) if name is not None else proposal.name
        final_unit = unit if unit is not None else proposal.unit
        final_item = item if item is not None else proposal.item
        errors = proposal_errors(name=final_name, unit=final_unit, item=final_item, exclude_id=proposal.pk)
        reason_problems = validation.text_errors(reason)
        if reason_problems:
            errors["reason"] = reason_problems
        if errors:
            raise ValidationError(errors)
        position = (Indicator.objects.filter(item=final_item).aggregate(top=Max("position"))["top"] or 0) + 1
        indicator = Indicator.objects.create(
            item=final_item,
            code=_indicator_code(final_name),
            name=final_name,
            unit=final_unit,
            description=proposal.why,
            position=position,
        )
        audit.record(
            actor=actor,
            action="indicator.create",
            obj=indicator,
            after=audit.snapshot(indicator, ("item", "code", "name", "unit", "position")),
            reason=_("Accepted proposal #%(id)s") % {"id": proposal.pk},
        )
        proposal.name, proposal.unit, proposal.item = final_name, final_unit, final_item
        proposal.state = ProposalState.ACCEPTED
        proposal.indicator = indicator
        proposal.decided_by = actor
        proposal.decided_at = timezone.now()
        proposal.decision_reason = reason.strip()
        proposal.save()
        audit.record(
            actor=actor,
            action="indicator_proposal.accept",
            obj=proposal,
            before=before,
            after=audit.snapshot(proposal, PROPOSAL_AUDITED_FIELDS),
            reason=proposal.decision_reason,
        )
    return proposal


def proposal_decline(*, actor: User, proposal_id: int, reason: str) -> IndicatorProposal:
    """Decline a proposal with a reason the reporter reads."""
    with transaction.atomic():
        proposal = _locked_for_decision(actor, proposal_id)
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the proposal is declined: the reporter reads this reason.")})
        problems = validation.text_errors(reason)
        if problems:
            raise ValidationError({"reason": problems})
        before = audit.snapshot(proposal, PROPOSAL_AUDITED_FIELDS)
        proposal.state = ProposalState.DECLINED
        proposal.decided_by = actor
        proposal.decided_at = timezone.now()
        proposal.decision_reason = reason.strip()
        proposal.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        audit.record(
            actor=actor,
            action="indicator_proposal.decline",
            obj=proposal,
            before=before,
            after=audit.snapshot(proposal, PROPOSAL_AUDITED_FIELDS),
            reason=proposal.decision_reason,
        )
    return proposal
