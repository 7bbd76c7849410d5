"""Evaluating the rules: which rules apply to a run or a candidate, and the drafts they produce.

Cost: the rules (two queries: rules and their named parts), the reference data (two), then one statement per
rule that has something to check. Checking a submission therefore costs a fixed number of queries whatever the
size of the table; the statements read only the rows around the candidate (its series or its date).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Q, QuerySet

from tracker.models import Framework, Observation, ValidationRule
from tracker.validation.checks import CHECKS, Context, Draft
from tracker.validation.figures import Candidate, Scope, materialized


def active_rules(*, framework: Framework | None = None) -> QuerySet[ValidationRule]:
    rules = ValidationRule.objects.filter(active=True).select_related("indicator").prefetch_related("parts")
    if framework is not None:
        rules = rules.filter(Q(framework__isnull=True) | Q(framework=framework)).filter(
            Q(indicator__isnull=True) | Q(indicator__item__framework=framework)
        )
    return rules.order_by("kind", "slug")


def evaluate(*, scope: Scope, rules: Iterable[ValidationRule] | None = None) -> list[Draft]:
    """Every finding the rules make over ``scope`` (all published figures, or the candidates against them)."""
    rules = list(active_rules(framework=scope.framework) if rules is None else rules)
    if not rules:
        return []
    ctx = Context.load()
    drafts: list[Draft] = []
    if scope.checking_candidates:
        for rule in rules:
            drafts += CHECKS[rule.kind](rule, scope, ctx)
        return drafts
    # A whole run: the published figures are read once, then every rule reads that copy.
    with transaction.atomic(), materialized(scope) as whole:
        for rule in rules:
            drafts += CHECKS[rule.kind](rule, whole, ctx)
    return drafts


def check_candidates(*, candidates: list[Candidate], as_of: date | None = None) -> list[Draft]:
    """What the rules say about figures not yet counted (a form's input, import rows, a submission)."""
    numeric = [c for c in candidates if c.value is not None]
    if not numeric:
        return []
    return evaluate(scope=Scope(candidates=numeric, as_of=as_of))


def candidate_of_input(data: object, *, ref: int = -1, supersedes: Observation | None = None) -> Candidate | None:
    """A candidate from an ``ObservationInput`` (or anything with its fields); None for a text status."""
    value = getattr(data, "value", None)
    indicator = getattr(data, "indicator", None)
    if value is None or indicator is None:
        return None
    body = getattr(data, "body", None)
    return Candidate(
        ref=ref,
        indicator_id=indicator.pk,
        body_id=body.pk if body is not None else None,
        period_start=getattr(data, "period_start", None),
        period_end=getattr(data, "period_end"),  # noqa: B009  (the protocol is duck-typed)
        date_precision=getattr(data, "date_precision", "day"),
        value=value,
        value_qualifier=getattr(data, "value_qualifier", "exact"),
        supersedes_id=supersedes.pk if supersedes is not None else None,
    )
