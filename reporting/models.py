"""Editions of the status report, their files, and who wants an email when a new one is published."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class EditionStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being built")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")


class ReportFormat(models.TextChoices):
    HTML = "html", "HTML"
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV"


class ReportEdition(models.Model):
    """One generated status report: its parameters, the data it was built from, and (once published) its files.

    Asking again for the same parameters while the data are unchanged returns this edition (the pair
    ``params_hash``/``data_fingerprint`` is unique). Once published an edition never changes: the services
    only ever move it forward (queued → running → published, or failed and requeued).
    """

    framework = models.ForeignKey(
        "tracker.Framework", verbose_name=_("framework"), on_delete=models.PROTECT, related_name="report_editions"
    )
    as_of = models.DateField(_("as of"))
    scope = models.CharField(_("scope"), max_length=60)
    parameters = models.JSONField(_("parameters"))
    params_hash = models.CharField(_("parameters digest"), max_length=64, editable=False)
    data_fingerprint = models.CharField(_("data fingerprint"), max_length=64, editable=False)
    # The report's content at request time: what the files show, and what two editions are compared on.
    snapshot = models.JSONField(_("content"), default=dict, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=EditionStatus.choices, default=EditionStatus.QUEUED)
    failure_reason = models.TextField(_("reason for failure"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("build attempts"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    schedule_name = models.CharField(_("requested by schedule"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("build started at"), null=True, blank=True)
    # Renewed by the building worker every few seconds; a running edition whose heartbeat is older than the
    # lease belongs to a worker that died, and the sweep queues it again.
    heartbeat_at = models.DateTimeField(_("build last alive at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    notified_at = models.DateTimeField(_("subscribers notified at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report edition")
        verbose_name_plural = _("report editions")
        constraints = [
            models.UniqueConstraint(fields=["params_hash", "data_fingerprint"], name="report_edition_unique_data"),
            models.CheckConstraint(
                condition=~Q(status=EditionStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="report_edition_published_has_time",
            ),
        ]
        indexes = [models.Index(fields=["framework", "status", "-created_at"], name="report_edition_archive_idx")]

    def __str__(self) -> str:
        return f"{self.parameters.get('framework')} {self.as_of} ({self.scope}) #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:edition-detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == EditionStatus.PUBLISHED

    @property
    def is_pending(self) -> bool:
        return self.status in (EditionStatus.QUEUED, EditionStatus.RUNNING)

    @property
    def waiting_for_task_queue(self) -> bool:
        """Queued, and the broker could not be reached when the build was sent: it goes out when it is back."""
        try:
            dispatch = self.dispatch  # the reverse one-to-one of EditionDispatch
        except EditionDispatch.DoesNotExist:
            return False
        return self.status == EditionStatus.QUEUED and dispatch.sent_at is None and dispatch.send_attempts > 0

    @property
    def requester_label(self) -> str:
        if self.requested_by_id:
            return str(self.requested_by)
        return self.schedule_name


class EditionDispatch(models.Model):
    """The outbox of builds: "this edition's build must reach a worker", written in the transaction that queues
    the edition, removed by the worker in the transaction that starts it.

    Sending to the broker happens after the commit and may fail (Redis down) or be lost (Redis restarted); the
    row stays until a worker picks the build up, so the sweep (``reporting.sweep_editions``) sends it again.
    """

    edition = models.OneToOneField(
        ReportEdition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="dispatch"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True, db_index=True)
    send_attempts = models.PositiveIntegerField(_("send attempts"), default=0)
    last_error = models.TextField(_("last send error"), blank=True)

    class Meta:
        verbose_name = _("edition dispatch")
        verbose_name_plural = _("edition dispatches")

    def __str__(self) -> str:
        return f"dispatch of edition #{self.edition_id}"


class EditionFile(models.Model):
    """A file of a published edition; ``path`` is relative to MEDIA_ROOT and always chosen by the server."""

    edition = models.ForeignKey(
        ReportEdition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="files"
    )
    format = models.CharField(_("format"), max_length=8, choices=ReportFormat.choices)
    path = models.CharField(_("path"), max_length=300)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        ordering = ["edition", "format"]
        verbose_name = _("edition file")
        verbose_name_plural = _("edition files")
        constraints = [models.UniqueConstraint(fields=["edition", "format"], name="edition_file_unique_format")]

    def __str__(self) -> str:
        return f"{self.edition} {self.format}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:edition-file", args=[self.edition_id, self.format])


class ReportSubscription(models.Model):
    """A user who gets one email, with a link, whenever a new edition of a framework's report is published."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    framework = models.ForeignKey(
        "tracker.Framework", verbose_name=_("framework"), on_delete=models.CASCADE, related_name="subscriptions"
    )
    created_at = models.DateTimeField(_("subscribed at"), auto_now_add=True)

    class Meta:
        ordering = ["framework", "user"]
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        constraints = [models.UniqueConstraint(fields=["user", "framework"], name="report_subscription_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.framework}"
