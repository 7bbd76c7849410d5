"""Indicators proposed by the people who report: a reviewer accepts (perhaps edited), or declines with a reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracker.choices import ProposalState, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


class IndicatorProposalQuerySet(models.QuerySet["IndicatorProposal"]):
    def restrict(self, user: User | AnonymousUser, action: str = "view") -> IndicatorProposalQuerySet:
        """The proposals ``user`` may ``action`` ("view", "decide"), from the one policy."""
        from tracker import permissions  # the policy imports the models

        where = permissions.proposal_where(user, action)
        if where is True:
            return self.all()
        if where is False:
            return self.none()
        return self.filter(where)


class IndicatorProposal(models.Model):
    """An indicator a reporting body asks for: what it measures, in which unit, under which agenda item, and why.

    The reviewer's decision is kept beside the proposal; an accepted proposal points to the indicator it became.
    """

    body = models.ForeignKey(
        "tracker.Body", verbose_name=_("proposed for"), on_delete=models.PROTECT, related_name="indicator_proposals"
    )
    item = models.ForeignKey(
        "tracker.AgendaItem", verbose_name=_("agenda item"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    why = models.TextField(_("why it is needed"))
    state = models.CharField(_("state"), max_length=10, choices=ProposalState.choices, default=ProposalState.PENDING)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reviewer's reason"), blank=True)
    indicator = models.OneToOneField(
        "tracker.Indicator",
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposal",
    )

    objects = IndicatorProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("indicator proposal")
        verbose_name_plural = _("indicator proposals")
        indexes = [models.Index(fields=["state", "proposed_at"], name="proposal_state_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="accepted", indicator__isnull=False)
                | (~Q(state="accepted") & Q(indicator__isnull=True)),
                name="proposal_accepted_has_indicator",
            ),
        ]

    def __str__(self) -> str:
        return self.name
