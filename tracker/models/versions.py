"""A token that changes whenever published data changes, so answers built from it can be cached safely."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """One row (id 1) whose ``token`` database triggers replace on every write that can change what published
    figures say: approving, correcting or deleting an approved observation (a draft's edits change nothing
    published), and any change to the read model, sources, bodies, indicators, agenda items, frameworks or the
    crosswalk. The trigger runs in the writer's transaction, so the new token becomes visible exactly when the
    change does, and a cached answer keyed by the token read *before* the data is never older than its key.

    A random token rather than a counter: a rolled-back write (a test) or a copied database that diverges never
    meets an answer cached under the same number for other data. A database flushed whole (transactional tests)
    has no row, and no answer is cached, until its next write puts the row back with a new token.
    """

    token = models.UUIDField(_("token"), default=uuid.uuid4)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return str(self.token)
