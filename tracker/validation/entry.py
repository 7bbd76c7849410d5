"""Findings shown on entry: what the rules say about a figure before it is submitted.

The reporter sees the warnings and may still submit, with a comment the reviewer reads beside the finding. This
is a read (nothing is stored until the submission itself, which ``submission_check`` records).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from tracker.models import Observation
from tracker.validation.checks import Draft
from tracker.validation.engine import candidate_of_input, check_candidates
from tracker.validation.figures import Candidate
from tracker.validation.messages import finding_message

CONFIRM_FIELD = "confirm_findings"
COMMENT_FIELD = "findings_comment"


@dataclass(frozen=True)
class EntryFinding:
    rule: str
    severity: str
    message: str


def _in_words(draft: Draft) -> EntryFinding:
    return EntryFinding(
        rule=draft.rule.name, severity=draft.rule.severity, message=finding_message(draft.rule.kind, draft.params)
    )


def entry_findings(
    *, data: Any, observation: Observation | None = None, supersedes: Observation | None = None
) -> list[EntryFinding]:
    """The findings the figure in ``data`` (an ``ObservationInput``) would raise, in words."""
    candidate = candidate_of_input(data, ref=observation.pk if observation else -1, supersedes=supersedes)
    if candidate is None:
        return []
    return [_in_words(d) for d in check_candidates(candidates=[candidate])]


def drafts_findings(observations: Sequence[Observation]) -> dict[int, list[EntryFinding]]:
    """The findings of stored figures not yet submitted (the entry grid's rows), by observation id.

    One evaluation for them all, like the import's dry run: the same fixed number of queries for one row or a
    whole grid, and figures typed together are judged together (a relation between two rows of the grid).
    """
    candidates = [Candidate.of(obs) for obs in observations if obs.value is not None]
    found: dict[int, list[EntryFinding]] = {c.ref: [] for c in candidates}
    for draft in check_candidates(candidates=candidates):
        finding = _in_words(draft)
        for ref in sorted(set(draft.refs)):
            if ref in found and finding not in found[ref]:
                found[ref].append(finding)
    return {ref: findings for ref, findings in found.items() if findings}


def findings_seal(findings: Sequence[EntryFinding]) -> str:
    """What the reporter confirms: a digest of the findings shown, so a figure changed after the confirmation
    (and raising other findings) is shown again instead of going through on the old confirmation."""
    words = "\n".join(sorted(f"{f.rule}\t{f.message}" for f in findings))
    return hashlib.sha256(words.encode()).hexdigest()[:16]


def findings_to_confirm(
    post: QueryDict, data: Any, *, observation: Observation | None = None, supersedes: Observation | None = None
) -> list[EntryFinding]:
    """On "submit", the findings the reporter has not yet confirmed; empty once they confirmed exactly these (the
    seal of the findings shown), or when only saving. A figure changed after the confirmation is judged again."""
    if "submit" not in post:
        return []
    findings = entry_findings(data=data, observation=observation, supersedes=supersedes)
    if findings and post.get(CONFIRM_FIELD) == findings_seal(findings):
        return []
    return findings


def submission_comment(post: QueryDict) -> str:
    return (post.get(COMMENT_FIELD) or "").strip()[:2000]


@dataclass(frozen=True)
class RowFinding:
    row: int
    rule: str
    severity: str
    message: str


def import_findings(check: Any) -> list[RowFinding]:
    """What the rules say about the rows an import would create (an ``ImportCheck``), checked together in one
    evaluation: the same fixed number of queries for ten rows or ten thousand."""
    candidates = []
    for outcome in check.rows:
        data = getattr(outcome, "data", None)
        if outcome.outcome != "create" or data is None:
            continue
        candidate = candidate_of_input(data, ref=-outcome.row)
        if candidate is not None:
            candidates.append(candidate)
    findings: list[RowFinding] = []
    for draft in check_candidates(candidates=candidates):
        message = finding_message(draft.rule.kind, draft.params)
        for ref in sorted(set(draft.refs), reverse=True):
            if ref < 0:
                findings.append(
                    RowFinding(row=-ref, rule=draft.rule.name, severity=draft.rule.severity, message=message)
                )
    return sorted(findings, key=lambda f: (f.row, f.rule))
