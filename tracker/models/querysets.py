"""Query sets of the domain models: the policy's ``restrict(user, action)`` and the one definition of a
published series live here, so every page, API view, report, export and admin path asks the same methods."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from tracker.models.indicators import Observation  # noqa: F401


class ObservationQuerySet(models.QuerySet["Observation"]):
    """Observations, narrowed by the one policy (``restrict``) and by the one definition of what is published."""
