"""Writes of the validation sub-domain: storing a run's findings, checking a submission, following up.

Each write runs in one transaction with its audit entries beside it. A run is safe to repeat: findings are
matched by (rule, key), so a second run changes nothing but ``last_seen``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker import audit, permissions
from tracker.choices import FindingState, ObservationState, RuleKind
from tracker.models import Finding, Framework, Observation, ValidationRun
from tracker.validation import selectors
from tracker.validation.checks import Draft
from tracker.validation.engine import active_rules, evaluate
from tracker.validation.figures import Candidate, Scope

FINDING_FIELDS = ("state", "reason")


@dataclass(frozen=True)
class SyncResult:
    found: int
    new: int
    resolved: int


# What a run compares of a stored finding, read as plain tuples: building 100,000 model instances (with their
# JSON params) cost more than evaluating every rule. Full findings are fetched only for those that change.
COMPARED = ("severity", "indicator_id", "body_id", "period_start", "period_end", "observation_id", "params", "comment")
Stored = tuple[Any, ...]  # (pk, state, *COMPARED)
_ENCODER = DjangoJSONEncoder()


def _stored(findings: QuerySet[Finding]) -> dict[tuple[int, str], Stored]:
    """The findings to match a run's drafts against, by (rule, key)."""
    rows = findings.values_list("rule_id", "key", "pk", "state", *COMPARED)
    return {(row[0], row[1]): row[2:] for row in rows}


def _sync(
    *, drafts: list[Draft], existing: dict[tuple[int, str], Stored], on_submission: bool, comment: str = ""
) -> SyncResult:
    """Create, refresh, reopen and resolve stored findings so they match ``drafts``; audited in bulk."""
    now = timezone.now()
    seen: set[tuple[int, str]] = set()
    created: list[Finding] = []
    changes: dict[int, dict[str, Any]] = {}
    unchanged: list[int] = []
    for draft in drafts:
        key = (draft.rule.pk, draft.key)
        if key in seen:
            continue
        seen.add(key)
        row = existing.get(key)
        values: dict[str, Any] = {
            "severity": draft.rule.severity,
            "indicator_id": draft.indicator_id,
            "body_id": draft.body_id,
            "period_start": draft.period_start,
            "period_end": draft.period_end,
            "observation_id": draft.observation_id,
            "params": draft.params,
            "last_seen": now,
        }
        if comment:
            values["comment"] = comment
        if row is None:
            created.append(Finding(rule=draft.rule, key=draft.key, on_submission=on_submission, **values))
            continue
        pk, state, *stored = row
        if state != FindingState.RESOLVED:
            # Params compared as stored, through the JSON encoder; the comment only when one is given.
            params = json.loads(_ENCODER.encode(draft.params))
            wanted = [values[name] for name in COMPARED[:-2]] + [params, values.get("comment", stored[-1])]
            if wanted == stored:
                unchanged.append(pk)
                continue
        changes[pk] = values
    gone_pks = [row[0] for key, row in existing.items() if key not in seen and row[1] != FindingState.RESOLVED]
    fetched = Finding.objects.select_related("rule").in_bulk([*changes, *gone_pks])
    changed: list[Finding] = []
    reopened: list[Finding] = []
    for pk, values in changes.items():
        finding = fetched[pk]
        for name, value in values.items():
            setattr(finding, name, value)
        if finding.state == FindingState.RESOLVED:
            finding.state, finding.resolved_at, finding.reason = FindingState.OPEN, None, ""
            reopened.append(finding)
        changed.append(finding)
    gone = [fetched[pk] for pk in gone_pks]
    for finding in gone:
        finding.state, finding.resolved_at = FindingState.RESOLVED, now
    Finding.objects.bulk_create(created, batch_size=1000)
    update_fields = ["severity", "indicator", "body", "period_start", "period_end", "observation", "params"]
    update_fields += ["last_seen", "state", "resolved_at", "reason", "comment"]
    Finding.objects.bulk_update(changed + gone, update_fields, batch_size=1000)
    if unchanged:
        # Most of a run's findings are the previous run's, unchanged: one statement marks them seen (bulk_update
        # of 100,000 findings built CASE expressions for minutes), their rows otherwise untouched.
        with connection.cursor() as cursor:
            cursor.execute("UPDATE tracker_finding SET last_seen = %s WHERE id = ANY(%s)", [now, unchanged])
    audit.record_many(
        actor=None, action="finding.create", objects=created, afters=[{"state": f.state} for f in created]
    )
    audit.record_many(actor=None, action="finding.reopen", objects=reopened, afters=[{"state": "open"}] * len(reopened))
    audit.record_many(actor=None, action="finding.resolve", objects=gone, afters=[{"state": "resolved"}] * len(gone))
    return SyncResult(found=len(seen), new=len(created), resolved=len(gone))


def validation_run(
    *, framework: Framework | None = None, as_of: date | None = None, full: bool = False
) -> ValidationRun:
    """Evaluate every active rule over the published figures and store what they find (the validation report).

    Findings the run no longer makes are resolved (kept, with their history); findings on submissions that
    have since been approved or returned are resolved too: the run over published figures takes over.
    Outliers against a series' history are judged for the figures approved since the previous run (all of them
    on the first run, or with ``full``): the rest of that rule's findings stand unless their figure was
    replaced. The other rules judge every figure on every run.
    """
    started = timezone.now()
    as_of = as_of or timezone.localdate()
    previous = ValidationRun.objects.filter(framework=framework, as_of__lte=as_of).order_by("-started_at").first()
    since = (previous.started_at, previous.as_of) if previous is not None and not full else None
    rules = list(active_rules(framework=framework))
    drafts = evaluate(scope=Scope(framework=framework, as_of=as_of, since=since), rules=rules)
    with transaction.atomic():
        stored = Finding.objects.select_for_update(of=("self",)).filter(
            on_submission=False, rule__in=rules, period_end__lte=as_of
        )
        if framework is not None:
            stored = stored.filter(indicator__item__framework=framework)
        if since is not None:
            # A learnt-range finding not judged again stands, unless its figure is no longer published.
            incremental = [r.pk for r in rules if r.kind == RuleKind.RANGE and r.mad_k is not None]
            replaced = ~Q(observation__state=ObservationState.APPROVED) | Q(
                observation__superseded_by__state=ObservationState.APPROVED
            )
            judged_before = Q(observation__approved_at__lt=since[0], observation__period_end__lte=since[1])
            stored = stored.exclude(Q(rule__in=incremental) & judged_before & ~replaced)
        result = _sync(drafts=drafts, existing=_stored(stored), on_submission=False)
        stale = (
            Finding.objects.select_for_update(of=("self",))
            .filter(on_submission=True)
            .exclude(state=FindingState.RESOLVED)
        )
        stale_found = _stored(stale.exclude(observation__state=ObservationState.SUBMITTED))
        _sync(drafts=[], existing=stale_found, on_submission=True)
        run = ValidationRun.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            framework=framework,
            as_of=as_of,
            found=result.found,
            new=result.new,
            resolved=result.resolved + len(stale_found),
        )
    return run


def submission_check(*, observation: Observation, comment: str = "") -> list[Finding]:
    """Check a submitted figure against the published ones and store the findings, marked as found on a
    submission, so the review queue and the figure's page show them. Call inside the submission's transaction."""
    submissions_check(observations=[observation], comment=comment)
    return list(
        Finding.objects.filter(observation=observation, on_submission=True, state=FindingState.OPEN).select_related(
            "rule"
        )
    )


def submissions_check(*, observations: list[Observation], comment: str = "") -> None:
    """``submission_check`` for many submissions at once (an import submitted for review): one evaluation of
    them all, so the cost does not grow with their number."""
    by_pk = {obs.pk: obs for obs in observations}
    existing = _stored(Finding.objects.filter(observation__in=list(by_pk), on_submission=True))
    candidates = [Candidate.of(obs) for obs in observations if obs.value is not None]
    drafts: list[Draft] = []
    for draft in evaluate(scope=Scope(candidates=candidates)) if candidates else []:
        for ref in sorted(set(draft.refs)):
            if ref in by_pk:
                drafts.append(replace(draft, key=f"obs:{ref}:{draft.key}", observation_id=ref))
    _sync(drafts=drafts, existing=existing, on_submission=True, comment=comment)


def _lock_finding(actor: User, finding_id: int) -> Finding:
    finding = Finding.objects.select_for_update().filter(pk=finding_id).first()
    if finding is None or not selectors.visible_findings(actor).filter(pk=finding_id).exists():
        raise Http404
    permissions.require(actor, "follow_up")
    return finding


def finding_follow_up(*, actor: User, finding_id: int, reason: str) -> Finding:
    """A reviewer records what was done about a finding (asked the province, source confirms both figures…)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say what was done about this finding: the history keeps it.")})
    with transaction.atomic():
        finding = _lock_finding(actor, finding_id)
        if finding.state == FindingState.RESOLVED:
            raise ValidationError(_("This finding is resolved: the figures no longer break the rule."))
        before = audit.snapshot(finding, FINDING_FIELDS)
        finding.state, finding.reason, finding.changed_by = FindingState.FOLLOWED_UP, reason, actor
        finding.save(update_fields=["state", "reason", "changed_by"])
        audit.record(
            actor=actor,
            action="finding.follow_up",
            obj=finding,
            before=before,
            after=audit.snapshot(finding, FINDING_FIELDS),
            reason=reason,
        )
    return finding


def finding_return(*, actor: User, finding_id: int, reason: str) -> Finding:
    """Return the submission a finding is about to its reporter, the finding's reason attached, and mark the
    finding followed up. Only a figure still under review can be returned."""
    from tracker.services import observation_return

    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the reporter should check: they see this reason.")})
    with transaction.atomic():
        finding = _lock_finding(actor, finding_id)
        obs = finding.observation
        if obs is None or obs.state != ObservationState.SUBMITTED:
            raise PermissionDenied(_("Only a figure under review can be returned; follow this finding up instead."))
        observation_return(actor=actor, observation_id=obs.pk, version=obs.version, reason=reason)
        return finding_follow_up(
            actor=actor, finding_id=finding.pk, reason=_("Returned to the reporter: %(reason)s") % {"reason": reason}
        )


__all__ = [
    "SyncResult",
    "finding_follow_up",
    "finding_return",
    "submission_check",
    "submissions_check",
    "validation_run",
]
