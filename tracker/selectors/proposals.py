"""Reads of the indicator proposals, always through the policy (``IndicatorProposal.objects.restrict``)."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import Http404

from tracker.choices import ProposalState
from tracker.models import IndicatorProposal


def _with_related(qs: QuerySet[IndicatorProposal]) -> QuerySet[IndicatorProposal]:
    return qs.select_related("body", "item__framework", "proposed_by", "decided_by", "indicator")


def proposals_for(*, user: User | AnonymousUser, state: str = "") -> QuerySet[IndicatorProposal]:
    """The proposals ``user`` may see, pending first, then newest first; one state when ``state`` names one."""
    qs = _with_related(IndicatorProposal.objects.restrict(user, "view"))
    if state in ProposalState.values:
        qs = qs.filter(state=state)
    return qs.order_by("-state", "-proposed_at", "-pk")  # "pending" sorts after "declined", "accepted"


def proposal_detail(*, user: User | AnonymousUser, pk: int) -> IndicatorProposal:
    """One proposal, or 404 when it is not in ``user``'s scope (another body's proposal does not exist for them)."""
    found = _with_related(IndicatorProposal.objects.restrict(user, "view")).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
