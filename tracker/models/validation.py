"""Data-quality rules (DHIS2-style validation rules) and the findings they produce.

A rule is reference data: administrators edit it in the admin (audited), defaults come from
``fixtures/validation_rules.yaml``. A finding is what a rule says about concrete figures; it is kept with its
state (open, followed up, resolved) so a reviewer's follow-up and the history survive later runs.
These are findings for a reviewer to weigh, not input errors: the hard input rules live in the model's clean().
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from tracker.choices import FindingState, RuleKind, Severity


class ValidationRule(models.Model):
    """One data-quality rule. Which fields matter depends on ``kind`` (see ``clean``)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.WARNING)
    active = models.BooleanField(_("active"), default=True)
    framework = models.ForeignKey(
        "tracker.Framework",
        verbose_name=_("framework"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="validation_rules",
        help_text=_("Limit a rule without an indicator to this framework's indicators."),
    )
    indicator = models.ForeignKey(
        "tracker.Indicator",
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="validation_rules",
        help_text=_("Parts and whole, range and stock rules: the indicator checked (range and stock: empty = all)."),
    )
    # Parts and whole: the whole is the figure of ``whole_body`` (empty: the national figure); the parts are
    # ``parts`` when listed, otherwise the whole's child bodies (national: the provinces, regions, territory).
    whole_body = models.ForeignKey(
        "tracker.Body",
        verbose_name=_("whole"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Parts and whole: the body whose figure is the whole; empty for the national figure."),
    )
    parts = models.ManyToManyField(
        "tracker.Body",
        verbose_name=_("parts"),
        blank=True,
        related_name="+",
        help_text=_("Parts and whole: the bodies whose figures add up to the whole; empty for its child bodies."),
    )
    tolerance_percent = models.DecimalField(
        _("tolerance (%)"),
        max_digits=6,
        decimal_places=2,
        default=0,
        help_text=_("Parts and whole: how far the sum may differ from the whole, in percent of the whole."),
    )
    min_value = models.DecimalField(_("lowest plausible value"), max_digits=24, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(
        _("highest plausible value"), max_digits=24, decimal_places=4, null=True, blank=True
    )
    mad_k = models.DecimalField(
        _("k (MADs)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Learnt range: a value further than k median absolute deviations from the median is flagged."),
    )
    history = models.PositiveSmallIntegerField(
        _("history length"),
        default=8,
        help_text=_("Learnt range: how many earlier approved values of the series to learn from (at least 4)."),
    )
    expression = models.CharField(
        _("expression"),
        max_length=300,
        blank=True,
        help_text=_(
            "Relation: indicator codes compared, e.g. “nap2021-06-executions <= nap2021-06-death-sentences”. "
            "Put spaces around a minus sign."
        ),
    )
    lookback = models.PositiveSmallIntegerField(
        _("periods checked"),
        default=4,
        help_text=_("Completeness: how many closed reporting periods before the date are checked."),
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def clean(self) -> None:
        from tracker.validation.expressions import ExpressionError, parse

        errors: dict[str, str] = {}
        if self.kind == RuleKind.PARTS_WHOLE and not self.indicator_id:
            errors["indicator"] = str(_("A parts-and-whole rule checks one indicator."))
        if self.kind == RuleKind.RANGE:
            if self.min_value is None and self.max_value is None and self.mad_k is None:
                errors["mad_k"] = str(_("Give fixed bounds, or k for bounds learnt from the series' history."))
            if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
                errors["max_value"] = str(_("The highest plausible value is below the lowest."))
            if self.mad_k is not None and (self.mad_k <= 0 or self.history < 4):
                errors["history"] = str(_("Learnt bounds need k above 0 and at least 4 earlier values."))
        if self.kind == RuleKind.RELATION:
            try:
                parse(self.expression)
            except ExpressionError as exc:
                errors["expression"] = str(exc)
        if self.tolerance_percent is not None and self.tolerance_percent < 0:
            errors["tolerance_percent"] = str(_("A tolerance cannot be negative."))
        if errors:
            raise ValidationError(errors)


class Finding(models.Model):
    """What a rule found about concrete figures, with a follow-up state and history.

    ``key`` identifies the same finding across runs (rule, series, period, and the submission it concerns, if
    any), so a run twice changes nothing, a reviewer's follow-up stays, and a finding that no longer holds is
    marked resolved rather than deleted. ``params`` holds the numbers behind the message; the message itself is
    written at display time, in the reader's language (``tracker.validation.messages``).
    """

    rule = models.ForeignKey(ValidationRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="findings")
    key = models.CharField(_("key"), max_length=200)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    indicator = models.ForeignKey(
        "tracker.Indicator",
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    body = models.ForeignKey(
        "tracker.Body", verbose_name=_("body"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"))
    # The figure the finding is about, when there is one (a missing return has none). A finding about a
    # submission (checked before approval) names it; findings of the scheduled run name published figures.
    observation = models.ForeignKey(
        "tracker.Observation",
        verbose_name=_("figure"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="findings",
    )
    on_submission = models.BooleanField(_("found on a submission"), default=False)
    params = models.JSONField(_("details"), default=dict, encoder=DjangoJSONEncoder)
    # A digest of what a run compares (severity, series, period, figure, params), so a run can tell an
    # unchanged finding without reading it whole (``tracker.validation.services``).
    digest = models.CharField(_("digest"), max_length=32, blank=True, editable=False)
    state = models.CharField(_("state"), max_length=12, choices=FindingState.choices, default=FindingState.OPEN)
    comment = models.TextField(
        _("reporter's comment"), blank=True, help_text=_("What the reporter said when submitting despite it.")
    )
    reason = models.TextField(_("follow-up reason"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_seen = models.DateTimeField(_("first seen"), auto_now_add=True)
    # When a run last changed the finding (its figures, or its state to resolved or reopened). A run that finds
    # it as it stands leaves it untouched, so an open finding holds as of the latest run that covers its rule.
    last_changed = models.DateTimeField(_("last changed"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-period_end", "rule", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [models.UniqueConstraint(fields=["rule", "key"], name="finding_unique_rule_key")]
        indexes = [
            models.Index(fields=["state", "severity", "-period_end"], name="finding_list_idx"),
            models.Index(fields=["observation"], condition=Q(observation__isnull=False), name="finding_obs_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.key}"


class ValidationRun(models.Model):
    """One run of every rule over the database (the scheduled validation report): when, over what, what came
    of it. The findings themselves are the report's body; this row is its heading."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    framework = models.ForeignKey(
        "tracker.Framework", verbose_name=_("framework"), null=True, blank=True, on_delete=models.SET_NULL
    )
    as_of = models.DateField(_("as of"))
    found = models.PositiveIntegerField(_("findings"), default=0)
    new = models.PositiveIntegerField(_("new findings"), default=0)
    resolved = models.PositiveIntegerField(_("resolved findings"), default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("validation run")
        verbose_name_plural = _("validation runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.found})"


class LearntBound(models.Model):
    """A published figure's learnt range, stored once computed: the median and MAD of the ``history`` figures
    before it in its series (NULL when it has fewer). They depend only on those predecessors, so a whole run
    computes them only for figures without a row here.

    A cache written by the whole run (``tracker.validation.learnt``) and emptied by triggers on
    ``tracker_observation`` (migration 0018): a figure approved, corrected, withdrawn or deleted removes the
    rows of its series from its period end on, the figures whose history it changes. No foreign key, so raw
    bulk deletes of observations need no cascade (the delete trigger removes their rows).
    """

    pk = models.CompositePrimaryKey("observation_id", "history")
    observation_id = models.BigIntegerField(_("figure"))
    history = models.PositiveSmallIntegerField(_("history length"))
    indicator_id = models.BigIntegerField(_("indicator"))
    body_id = models.BigIntegerField(_("body"), null=True)
    period_end = models.DateField(_("period end"))
    median = models.FloatField(_("median"), null=True)
    mad = models.FloatField(_("median absolute deviation"), null=True)

    class Meta:
        verbose_name = _("learnt bound")
        verbose_name_plural = _("learnt bounds")
        indexes = [
            models.Index(
                models.F("indicator_id"),
                Coalesce(models.F("body_id"), models.Value(0)),
                models.F("period_end"),
                name="learntbound_series_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.observation_id}/{self.history}: {self.median} ± {self.mad}"
