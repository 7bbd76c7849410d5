"""In-app notices of the review workflow and how each person wants them mailed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    RETURNED = "returned", _("Your figure was returned")
    VERIFIED = "verified", _("Your figure was verified")
    APPROVED = "approved", _("Your figure was approved")
    REPLY = "reply", _("A reply on a figure you reviewed")
    COMMENT = "comment", _("A new message on your figure")


class NoticeMail(models.TextChoices):
    IMMEDIATE = "immediate", _("Soon after it happens (at most one email every few minutes)")
    DAILY = "daily", _("Once a day")
    OFF = "off", _("Never: only in the portal")


class Notice(models.Model):
    """Something a person should know about a figure. Shown under the bell; mailed in batches, never singly.

    ``mailed_in`` is the notification log row of the batch that mailed it: a notice joins exactly one batch,
    so a retried send can never mail it twice.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=NoticeKind.choices)
    observation = models.ForeignKey(
        "tracker.Observation", verbose_name=_("figure"), on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    mailed_in = models.ForeignKey(
        "tracker.NotificationLog", null=True, blank=True, on_delete=models.SET_NULL, related_name="notices"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notice_recipient_idx"),
            models.Index(fields=["recipient"], name="notice_unread_idx", condition=models.Q(read_at__isnull=True)),
            models.Index(
                fields=["recipient", "created_at"],
                name="notice_unmailed_idx",
                condition=models.Q(mailed_in__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"


class NoticePreference(models.Model):
    """How a person wants their notices mailed; without a row, the default (soon, batched)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="notice_preference"
    )
    mail = models.CharField(_("email me"), max_length=12, choices=NoticeMail.choices, default=NoticeMail.IMMEDIATE)

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_mail_display()}"
