"""The latest-value read model: one row per series with its latest published figure and the one before it."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LatestFigure(models.Model):
    """The latest published figure of a series (indicator × body; no body = national) and the one before it.

    A read model: "the status today" asked by the status API, the dashboard, the compliance matrix and the
    report reads O(series) rows here instead of probing every series' history. It is written only by
    ``tracker.services.latest_figures`` — in the same transaction as each approval (a correction counts when
    it is approved) — and rebuilt whole by ``manage.py rebuild_latest_figures``. "Published" and the
    tie-break are the reference definition's: approved, not replaced by an approved correction; newest period
    end, then latest approval, then highest id.
    """

    indicator = models.ForeignKey(
        "tracker.Indicator", verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="+"
    )
    body = models.ForeignKey(
        "tracker.Body",
        verbose_name=_("reporting body"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    latest = models.ForeignKey(
        "tracker.Observation", verbose_name=_("latest figure"), on_delete=models.CASCADE, related_name="+"
    )
    previous = models.ForeignKey(
        "tracker.Observation",
        verbose_name=_("previous figure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The latest figure's period end, here so "is this row the answer as of D?" needs no join.
    latest_period_end = models.DateField(_("period end of the latest figure"))

    class Meta:
        verbose_name = _("latest figure")
        verbose_name_plural = _("latest figures")
        # One row per series; the national series (no body) needs its own constraint, NULLs being distinct.
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "body"], condition=Q(body__isnull=False), name="latestfigure_one_per_body_series"
            ),
            models.UniqueConstraint(
                fields=["indicator"], condition=Q(body__isnull=True), name="latestfigure_one_national_series"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.body_id or 'national'}: {self.latest_id}"
