"""Personal API tokens.

django-rest-knox gives the hard parts: the token is shown once, only its SHA-512 digest is stored, it expires,
and deleting the row revokes it. It has no name and no record of use, so this model (swapped in with
``KNOX_TOKEN_MODEL``) adds both.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """A personal token: acts as its user, within that user's role and bodies, until it expires or is revoked."""

    name: models.CharField[str, str] = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. a script's name.")
    )
    last_used_at: models.DateTimeField[Any, Any] = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"

    @property
    def is_expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()


# Written at most this often per token, so a busy script does not turn every read into a write.
LAST_USE_GRANULARITY = timedelta(minutes=1)


def note_use(token: Any) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
