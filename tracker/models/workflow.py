"""What supports the observation workflow: evidence files, reporting cadence and sent notifications."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.choices import Cadence


def evidence_path(instance: "Evidence", filename: str) -> str:
    # The name is chosen by the service (a random token and the extension of the detected type);
    # the uploader's file name is kept only as text, never as a path.
    return f"evidence/{filename}"


class Evidence(models.Model):
    """A file supporting an observation (PDF, image, XLSX, DOCX), served only to those who may see it."""

    observation = models.ForeignKey(
        "tracker.Observation", verbose_name=_("observation"), on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # Evidence sent with a comment of the thread (e.g. with a reply to a return); empty when attached directly.
    comment = models.ForeignKey(
        "tracker.ObservationComment",
        verbose_name=_("comment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence",
    )

    class Meta:
        ordering = ["observation", "uploaded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


class ReportingAssignment(models.Model):
    """A body reports an indicator at a cadence; each closed period is due on ``due_day`` of the next month."""

    indicator = models.ForeignKey(
        "tracker.Indicator", verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="assignments"
    )
    body = models.ForeignKey(
        "tracker.Body", verbose_name=_("body"), on_delete=models.CASCADE, related_name="assignments"
    )
    cadence = models.CharField(_("cadence"), max_length=12, choices=Cadence.choices, default=Cadence.QUARTERLY)
    due_day = models.PositiveSmallIntegerField(
        _("due day"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Day of the month after a period closes by which its figure is due (1–28)."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["body__name", "indicator"]
        verbose_name = _("reporting assignment")
        verbose_name_plural = _("reporting assignments")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "body"], name="assignment_unique_indicator_body"),
            models.CheckConstraint(
                condition=models.Q(due_day__gte=1, due_day__lte=28), name="assignment_due_day_in_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} — {self.indicator} ({self.get_cadence_display()})"


class NotificationLog(models.Model):
    """One row per notification sent, so a reminder task run twice sends nothing twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=120)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "key"], name="notification_sent_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} → {self.user}"


class ObservationSnapshot(models.Model):
    """The values of an observation as submitted, one row per submission, so a reviewer sees what changed
    since the version they last reviewed (a resubmission after a return)."""

    observation = models.ForeignKey(
        "tracker.Observation", verbose_name=_("figure"), on_delete=models.CASCADE, related_name="snapshots"
    )
    version = models.PositiveIntegerField(_("version"))
    values = models.JSONField(_("values"), encoder=DjangoJSONEncoder)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        ordering = ["observation", "version"]
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        constraints = [
            models.UniqueConstraint(fields=["observation", "version"], name="snapshot_unique_version"),
        ]

    def __str__(self) -> str:
        return f"#{self.observation_id} v{self.version}"
