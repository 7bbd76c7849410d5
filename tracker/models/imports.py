"""A checked upload waiting for its commit: kept in the database, never in Redis (the broker and rate-limit store)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingImport(models.Model):
    """The bytes of a file that passed its dry run, under a random token, until committed or expired.

    Only files with something to import are kept, each user holds at most ``NAP_IMPORT_PREVIEW_QUOTA_BYTES``
    (their oldest go first) and every upload deletes what has expired.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(_("token"), max_length=43, unique=True)
    name = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("content"))
    size = models.PositiveIntegerField(_("size in bytes"))
    submit = models.BooleanField(_("submit for review"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        ordering = ["user", "created_at"]
        indexes = [models.Index(fields=["user", "created_at"], name="pendingimport_user_created")]
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")

    def __str__(self) -> str:
        return self.name
