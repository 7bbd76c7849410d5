"""Writes of the validation sub-domain: storing a run's findings, checking a submission, following up.

Each write runs in one transaction with its audit entries beside it. A run is safe to repeat: findings are
matched by (rule, key), so a second run over the same figures writes nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, replace
from datetime import date, datetime
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
from tracker.choices import AWAITING_DECISION_STATES, FindingState, ObservationState, RuleKind
from tracker.models import Finding, Framework, Observation, ValidationRule, ValidationRun
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


# A stored finding carries a digest of what a run compares (severity, series, period, figure and params, as
# stored); a run reads only (rule, key, id, state, digest, comment) and writes only the findings that are new,
# changed, reopened or gone. Reading 180,000 findings whole and rewriting each, even only a time stamp, cost
# more than evaluating every rule.
_STORED = ("rule_id", "key", "id", "state", "digest", "comment")
_WRITTEN = (
    "id",
    "rule_id",
    "key",
    "severity",
    "indicator_id",
    "body_id",
    "period_start",
    "period_end",
    "observation_id",
    "params",
    "digest",
    "comment",
)
_DRAFT_TABLE = """
CREATE TEMPORARY TABLE IF NOT EXISTS finding_draft (
    id bigint, rule_id bigint NOT NULL, key text NOT NULL, severity text NOT NULL, indicator_id bigint,
    body_id bigint, period_start date, period_end date NOT NULL, observation_id bigint, params jsonb NOT NULL,
    digest text NOT NULL, comment text
) ON COMMIT DELETE ROWS;
TRUNCATE finding_draft;
"""
# Changed findings take the draft's fields; a resolved one found again is reopened (its follow-up reason goes).
_UPDATE = """
UPDATE tracker_finding f
SET severity = d.severity, indicator_id = d.indicator_id, body_id = d.body_id, period_start = d.period_start,
    period_end = d.period_end, observation_id = d.observation_id, params = d.params, digest = d.digest,
    comment = COALESCE(d.comment, f.comment), last_changed = %(now)s,
    state = CASE WHEN f.state = 'resolved' THEN 'open' ELSE f.state END,
    resolved_at = CASE WHEN f.state = 'resolved' THEN NULL ELSE f.resolved_at END,
    reason = CASE WHEN f.state = 'resolved' THEN '' ELSE f.reason END
FROM finding_draft d WHERE d.id = f.id
"""
_INSERT = """
INSERT INTO tracker_finding (rule_id, key, severity, indicator_id, body_id, period_start, period_end,
    observation_id, on_submission, params, digest, state, comment, reason, first_seen, last_changed)
SELECT rule_id, key, severity, indicator_id, body_id, period_start, period_end, observation_id,
    %(on_submission)s, params, digest, 'open', COALESCE(comment, ''), '', %(now)s, %(now)s
FROM finding_draft WHERE id IS NULL
RETURNING id, rule_id, key
"""
_RESOLVE = """
UPDATE tracker_finding SET state = 'resolved', resolved_at = %(now)s, last_changed = %(now)s
WHERE id = ANY(%(ids)s)
"""
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_ENCODER = DjangoJSONEncoder()
RUN_LOCK = 0x6E61_7076  # advisory lock key: runs store their findings one at a time


def _copy_field(value: object) -> str:
    # COPY's text format: \N is NULL; backslashes, tabs and line breaks escaped.
    return "\\N" if value is None else str(value).translate(_COPY_ESCAPES)


def _digest(draft: Draft, params: str) -> str:
    compared = (draft.rule.severity, draft.indicator_id, draft.body_id, draft.period_start, draft.period_end)
    return hashlib.md5(f"{compared}{draft.observation_id}{params}".encode(), usedforsecurity=False).hexdigest()


def _sync(*, drafts: list[Draft], stored: QuerySet[Finding], on_submission: bool, comment: str = "") -> SyncResult:
    """Create, refresh, reopen and resolve the ``stored`` findings so they match ``drafts``; audited in bulk.

    Call inside the transaction that decides what is stored (a run holds ``RUN_LOCK``, so runs store one at a
    time; a submission's findings are the submission's own)."""
    existing = {(row[0], row[1]): row[2:] for row in stored.order_by().values_list(*_STORED)}
    unique: dict[tuple[int, str], Draft] = {}
    rows: list[tuple[Any, ...]] = []
    reopened: list[Finding] = []
    inserting = updating = False
    for draft in drafts:
        key = (draft.rule.pk, draft.key)
        if key in unique:
            continue
        unique[key] = draft
        params = _ENCODER.encode(draft.params)
        digest = _digest(draft, params)
        pk, state, stored_digest, stored_comment = existing.get(key, (None, None, None, None))
        unchanged = stored_digest == digest and (not comment or comment == stored_comment)
        if pk is not None and state != FindingState.RESOLVED and unchanged:
            continue  # found as it stands: nothing to write
        if state == FindingState.RESOLVED:
            reopened.append(Finding(pk=pk, rule=draft.rule, key=draft.key))
        inserting, updating = inserting or pk is None, updating or pk is not None
        fields = (draft.period_start, draft.period_end, draft.observation_id, params, digest, comment or None)
        rows.append((pk, draft.rule.pk, draft.key, draft.rule.severity, draft.indicator_id, draft.body_id, *fields))
    gone = [
        (pk, rule_id, key)
        for (rule_id, key), (pk, state, _digest, _comment) in existing.items()
        if state != FindingState.RESOLVED and (rule_id, key) not in unique
    ]
    now = timezone.now()
    created: list[tuple[int, int, str]] = []
    # No savepoint: callers decide in their own transaction; the temporary table empties at its commit.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if rows and connection.vendor != "postgresql":
            created = _write_portably(rows, existing=existing, now=now, on_submission=on_submission)
        elif rows:
            lines = ["\t".join(map(_copy_field, row)) + "\n" for row in rows]
            cursor.execute(_DRAFT_TABLE)
            columns = ", ".join(_WRITTEN)
            cursor.copy_expert(
                f"COPY finding_draft ({columns}) FROM STDIN WITH (FORMAT text)", io.StringIO("".join(lines))
            )
            if updating:
                cursor.execute(_UPDATE, {"now": now})
            if inserting:
                cursor.execute(_INSERT, {"now": now, "on_submission": on_submission})
                created = cursor.fetchall()
        if gone and connection.vendor != "postgresql":
            resolved = Finding.objects.filter(pk__in=[pk for pk, _rule, _key in gone])
            resolved.update(state=FindingState.RESOLVED, resolved_at=now, last_changed=now)
        elif gone:
            cursor.execute(_RESOLVE, {"now": now, "ids": [pk for pk, _rule, _key in gone]})
        rules = {draft.rule.pk: draft.rule for draft in unique.values()}
        rules.update(ValidationRule.objects.in_bulk({rule_id for _pk, rule_id, _key in gone} - rules.keys()))

        def labelled(rows: list[tuple[int, int, str]]) -> list[Finding]:  # enough of a finding for its label
            return [Finding(pk=pk, rule=rules[rule_id], key=key) for pk, rule_id, key in rows]

        for action, findings in (
            ("finding.create", labelled(created)),
            ("finding.reopen", reopened),
            ("finding.resolve", labelled(gone)),
        ):
            after = {"state": "resolved" if action == "finding.resolve" else "open"}
            audit.record_many(actor=None, action=action, objects=findings, afters=[after] * len(findings))
    return SyncResult(found=len(unique), new=len(created), resolved=len(gone))


def _write_portably(
    rows: list[tuple[Any, ...]], *, existing: dict[tuple[int, str], tuple[Any, ...]], now: datetime, on_submission: bool
) -> list[tuple[int, int, str]]:
    """``_sync``'s writes through the ORM for SQLite (the embedded default, which has no COPY), one UPDATE per
    changed finding: plain rather than fast. The same fields as ``_UPDATE`` and ``_INSERT``."""
    new: list[Finding] = []
    for pk, rule_id, key, severity, indicator_id, body_id, start, end, observation_id, params, digest, comment in rows:
        fields = {
            "severity": severity,
            "indicator_id": indicator_id,
            "body_id": body_id,
            "period_start": start,
            "period_end": end,
            "observation_id": observation_id,
            "params": json.loads(params),
            "digest": digest,
        }
        if pk is None:
            new.append(
                Finding(
                    rule_id=rule_id,
                    key=key,
                    on_submission=on_submission,
                    state=FindingState.OPEN,
                    comment=comment or "",
                    reason="",
                    first_seen=now,
                    last_changed=now,
                    **fields,
                )
            )
            continue
        if comment is not None:
            fields["comment"] = comment
        if existing[(rule_id, key)][1] == FindingState.RESOLVED:
            fields.update(state=FindingState.OPEN, resolved_at=None, reason="")
        Finding.objects.filter(pk=pk).update(last_changed=now, **fields)
    return [(finding.pk, finding.rule_id, finding.key) for finding in Finding.objects.bulk_create(new)]


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
        if connection.vendor == "postgresql":  # SQLite's writers take turns already: the database is the lock
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RUN_LOCK])
        stored = Finding.objects.filter(on_submission=False, rule__in=rules, period_end__lte=as_of)
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
        result = _sync(drafts=drafts, stored=stored, on_submission=False)
        stale = Finding.objects.filter(on_submission=True).exclude(state=FindingState.RESOLVED)
        stale_result = _sync(
            drafts=[], stored=stale.exclude(observation__state__in=AWAITING_DECISION_STATES), on_submission=True
        )
        run = ValidationRun.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            framework=framework,
            as_of=as_of,
            found=result.found,
            new=result.new,
            resolved=result.resolved + stale_result.resolved,
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
    existing = Finding.objects.filter(observation__in=list(by_pk), on_submission=True)
    candidates = [Candidate.of(obs) for obs in observations if obs.value is not None]
    drafts: list[Draft] = []
    for draft in evaluate(scope=Scope(candidates=candidates)) if candidates else []:
        for ref in sorted(set(draft.refs)):
            if ref in by_pk:
                drafts.append(replace(draft, key=f"obs:{ref}:{draft.key}", observation_id=ref))
    _sync(drafts=drafts, stored=existing, on_submission=True, comment=comment)


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
        if obs is None or obs.state not in AWAITING_DECISION_STATES:
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
