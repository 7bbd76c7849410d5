"""Idempotent API writes: what a client's ``Idempotency-Key`` was first used for, and the answer it got."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotentRequest(models.Model):
    """A write sent with an ``Idempotency-Key``: a retry with the same key and body gets ``response_body``
    again instead of a second write; the same key with another body is refused. Keys are per user and route."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    route = models.CharField(_("route"), max_length=60)
    key = models.CharField(_("idempotency key"), max_length=200)
    fingerprint = models.CharField(_("request body SHA-256"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"), default=0)
    response_body = models.JSONField(_("response body"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [models.UniqueConstraint(fields=["user", "route", "key"], name="idempotent_request_unique_key")]

    def __str__(self) -> str:
        return f"{self.route} {self.key}"
