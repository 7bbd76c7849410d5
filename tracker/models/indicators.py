"""Indicators, the sources that publish figures, dated observations and item assessments."""

import calendar
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.choices import (
    AWAITING_DECISION_STATES,
    OBSERVATION_TRANSITIONS,
    Accumulation,
    DatePrecision,
    Direction,
    ObservationState,
    Rating,
    Scale,
    Unit,
    ValueQualifier,
)
from tracker.exceptions import IllegalTransition
from tracker.models.querysets import AssessmentQuerySet, ObservationQuerySet

NON_NEGATIVE_UNITS = {Unit.COUNT, Unit.PKR, Unit.USD, Unit.PERCENT}
APPROVED = Q(state="approved")  # the condition of the partial indexes over published figures
# The condition of the partial indexes over submissions awaiting a decision (a few percent of the rows).
AWAITING = Q(state__in=sorted(AWAITING_DECISION_STATES))


def period_errors(start: date | None, end: date | None, precision: str) -> dict[str, str]:
    """Errors in a dated period as a source gives it: a year is 1 Jan–31 Dec, a month ends on its last day."""
    errors: dict[str, str] = {}
    if end is None:
        errors["period_end"] = str(_("Every figure needs the date or period it describes."))
        return errors
    if start and start > end:
        errors["period_start"] = str(_("The period starts after it ends."))
    if precision == DatePrecision.YEAR and (end.month, end.day) != (12, 31):
        errors["period_end"] = str(_("A year-precise period ends on 31 December of its year."))
    if precision == DatePrecision.MONTH and end.day != calendar.monthrange(end.year, end.month)[1]:
        errors["period_end"] = str(_("A month-precise period ends on the last day of its month."))
    if start and precision == DatePrecision.YEAR and (start.month, start.day) != (1, 1):
        errors["period_start"] = str(_("A year-precise period starts on 1 January."))
    if start and precision == DatePrecision.MONTH and start.day != 1:
        errors["period_start"] = str(_("A month-precise period starts on the first of its month."))
    return errors


class Source(models.Model):
    """A document or statement that publishes figures: who said it, where, and when."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    publisher = models.ForeignKey(
        "tracker.Body", verbose_name=_("publisher"), on_delete=models.PROTECT, related_name="publications"
    )
    title = models.CharField(_("title"), max_length=300)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"), max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    url = models.URLField(_("URL"), max_length=500, blank=True)
    reference = models.TextField(_("reference"), blank=True, help_text=_("Where to find it when there is no URL."))
    # Sources added by reporters from the entry form, the import or the API wait for a reviewer's look.
    needs_review = models.BooleanField(
        _("new, for the reviewer"), default=False, help_text=_("Added by a reporter; a reviewer has not checked it.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), null=True, blank=True, auto_now_add=True)

    class Meta:
        ordering = ["-published_on", "title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        indexes = [models.Index(fields=["url"], name="source_url_idx")]

    def __str__(self) -> str:
        return f"{self.publisher.short_name}: {self.title}"


class Indicator(models.Model):
    """A measurable aspect of an agenda item, e.g. "Executions of convicted terrorists"."""

    item = models.ForeignKey(
        "tracker.AgendaItem", verbose_name=_("agenda item"), on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    scale = models.PositiveSmallIntegerField(_("display scale"), choices=Scale.choices, default=Scale.UNITS)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, default=Direction.NEUTRAL)
    accumulation = models.CharField(
        _("accumulation"), max_length=8, choices=Accumulation.choices, default=Accumulation.PER_PERIOD
    )
    # How NACTA writes the figure in its status table: "{value} Executions", "Target Killing ({value})".
    status_template = models.CharField(
        _("status template"),
        max_length=120,
        default="{value}",
        help_text=_("How the figure reads in the status report; {value} and {period} are filled in."),
    )
    target_value = models.DecimalField(_("target value"), max_digits=24, decimal_places=4, null=True, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    continues = models.ForeignKey(
        "self",
        verbose_name=_("continues indicator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="continued_by",
        help_text=_("The indicator of the earlier framework whose series this one carries on."),
    )

    class Meta:
        ordering = ["item", "position", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name

    @property
    def is_numeric(self) -> bool:
        return self.unit != Unit.TEXT

    def clean(self) -> None:
        if self.unit == Unit.TEXT and (self.target_value is not None or self.scale != Scale.UNITS):
            raise ValidationError(_("A text indicator has neither a target value nor a display scale."))
        earlier = self.continues
        if earlier is not None and self.item_id and earlier.item.framework_id == self.item.framework_id:
            raise ValidationError({"continues": _("An indicator continues one of the other framework.")})


class Observation(models.Model):
    """A dated figure or text status for an indicator, attributed to its source.

    Approved observations are never edited: a correction is a new observation that ``supersedes`` it.
    ``body`` is the reporting body; empty means a national figure.
    """

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="observations"
    )
    body = models.ForeignKey(
        "tracker.Body",
        verbose_name=_("reporting body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="observations",
        help_text=_("Leave empty for a national figure."),
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end or as-of date"))
    date_precision = models.CharField(
        _("date precision"), max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=4, null=True, blank=True)
    value_qualifier = models.CharField(
        _("qualifier"), max_length=12, choices=ValueQualifier.choices, default=ValueQualifier.EXACT
    )
    text_value = models.TextField(_("text status"), blank=True)
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="observations")
    quote = models.TextField(_("source wording"), blank=True, help_text=_("The words the source uses."))
    note = models.TextField(_("note"), blank=True)
    editorial_note = models.TextField(
        _("editorial note"), blank=True, help_text=_("Where the portal read something the source leaves open.")
    )

    state = models.CharField(
        _("state"), max_length=12, choices=ObservationState.choices, default=ObservationState.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    correction_reason = models.TextField(_("reason for correction"), blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # Stable key of a seeded row, so `load_seed` can run twice without duplicating anything.
    seed_key = models.CharField(max_length=120, unique=True, null=True, blank=True, editable=False)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "-period_end"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=False) | ~Q(text_value=""), name="observation_has_value_or_text"
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True) | Q(period_start__lte=F("period_end")),
                name="observation_period_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "body", "state", "period_end"], name="observation_latest_idx"),
            # The explorer's sorts and filters over approved figures (what analysts see, and every export):
            # partial, so drafts and submissions cost them nothing. Each ends with the stable tie-break
            # (newest period, then id) that StableOrderingFilter appends.
            models.Index(fields=["-period_end", "id"], condition=APPROVED, name="obs_approved_period_idx"),
            models.Index(fields=["indicator", "-period_end", "id"], condition=APPROVED, name="obs_approved_ind_idx"),
            models.Index(fields=["body", "-period_end", "id"], condition=APPROVED, name="obs_approved_body_idx"),
            models.Index(fields=["value", "-period_end", "id"], condition=APPROVED, name="obs_approved_value_idx"),
            models.Index(fields=["approved_at", "-period_end", "id"], condition=APPROVED, name="obs_approved_at_idx"),
            # The review queue and the dashboard's backlog (oldest submission first) and pending counts per item:
            # without them each read every row to find the few awaiting review (0.1 s apiece at 1M).
            models.Index(fields=["submitted_at", "id"], condition=AWAITING, name="obs_awaiting_idx"),
            models.Index(fields=["indicator", "body"], condition=AWAITING, name="obs_awaiting_indicator_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value if self.value is not None else self.text_value} ({self.period_end})"

    def transition_to(self, target: str, *, by: Any, reason: str = "") -> list[str]:
        """Move to ``target`` if the workflow allows it; returns the fields changed (the caller saves them).

        Every change bumps ``version`` so that an edit made from an older copy is refused.
        """
        if target not in OBSERVATION_TRANSITIONS[self.state]:
            raise IllegalTransition(self.get_state_display(), str(ObservationState(target).label))
        now = timezone.now()
        self.state = target
        changed = ["state", "version", "updated_at"]
        if target == ObservationState.SUBMITTED:
            self.submitted_at = now
            changed.append("submitted_at")
        elif target == ObservationState.RETURNED:
            self.return_reason = reason
            changed.append("return_reason")
        elif target == ObservationState.APPROVED:
            self.approved_by = by
            self.approved_at = now
            self.return_reason = ""
            changed += ["approved_by", "approved_at", "return_reason"]
        self.version += 1
        return changed

    def clean(self) -> None:
        errors = observation_errors(
            indicator=self.indicator if self.indicator_id else None,
            period_start=self.period_start,
            period_end=self.period_end,
            date_precision=self.date_precision,
            value=self.value,
            text_value=self.text_value,
        )
        if errors:
            raise ValidationError(errors)


def observation_errors(
    *,
    indicator: Indicator | None,
    period_start: date | None,
    period_end: date | None,
    date_precision: str,
    value: Decimal | None,
    text_value: str,
) -> dict[str, str]:
    """The model's own rules on an observation's values, without building one: the period's shape for its
    precision, and a number or a text as the indicator's unit asks (``Observation.clean`` and the one
    validation both call this)."""
    errors: dict[str, str] = period_errors(period_start, period_end, date_precision)
    if indicator is not None:
        unit = indicator.unit
        if unit == Unit.TEXT:
            if value is not None:
                errors["value"] = str(_("This indicator records a text status, not a number."))
            if not text_value.strip():
                errors["text_value"] = str(_("Enter the text status."))
        else:
            if value is None:
                errors["value"] = str(
                    _("This indicator is measured in %(unit)s: enter a number.")
                    % {"unit": indicator.get_unit_display()}
                )
            elif unit in NON_NEGATIVE_UNITS and value < 0:
                errors["value"] = str(
                    _("A %(unit)s cannot be negative.") % {"unit": indicator.get_unit_display().lower()}
                )
            elif unit == Unit.PERCENT and value > Decimal(100):
                errors["value"] = str(_("A percentage cannot exceed 100."))
    return errors


class Assessment(models.Model):
    """A rating of an agenda item's progress at a date, by a source or by NACTA M&E."""

    item = models.ForeignKey(
        "tracker.AgendaItem", verbose_name=_("agenda item"), on_delete=models.PROTECT, related_name="assessments"
    )
    as_of = models.DateField(_("as of"))
    date_precision = models.CharField(
        _("date precision"), max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)
    narrative = models.TextField(_("narrative"), blank=True)
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
        help_text=_("Empty when NACTA M&E makes the assessment in the portal."),
    )
    quote = models.TextField(_("source wording"), blank=True)
    editorial_note = models.TextField(_("editorial note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    seed_key = models.CharField(max_length=120, unique=True, null=True, blank=True, editable=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["item", "-as_of"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.item}: {self.get_rating_display()} ({self.as_of})"

    def clean(self) -> None:
        errors = period_errors(None, self.as_of, self.date_precision)
        if errors:
            raise ValidationError({"as_of": list(errors.values())})
