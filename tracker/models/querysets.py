"""Query sets of the domain models: the policy's ``restrict(user, action)`` and the one definition of a
published series live here, so every page, API view, report, export and admin path asks the same methods."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from tracker.models.indicators import Observation  # noqa: F401


class ObservationQuerySet(models.QuerySet["Observation"]):
    """Observations, narrowed by the one policy (``restrict``) and by the one definition of what is published."""

    # --- The policy (tracker/permissions.py), as a queryset ---------------------------------------------------
    def restrict(self, user: User | AnonymousUser, action: str = "view") -> ObservationQuerySet:
        """The observations ``user`` may ``action`` ("view", "edit", "submit", "approve", "return", "correct",
        "comment", "export", …): exactly those for which ``permissions.can(user, action, obs)`` holds, from the
        same rule. An unknown action is a programming error (``ValueError``), not an empty list."""
        from tracker import permissions  # the policy imports the models

        where = permissions.observation_where(user, action)
        if where is True:
            return self.all()
        if where is False:
            return self.none()
        return self.filter(where)
