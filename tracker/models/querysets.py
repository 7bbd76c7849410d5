"""Query sets of the domain models: the policy's ``restrict(user, action)`` and the one definition of a
published series live here, so every page, API view, report, export and admin path asks the same methods."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q

from tracker.choices import DatePrecision, ObservationState

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from tracker.models.indicators import Observation  # noqa: F401


def source_known_on(day: date, *, prefix: str = "") -> Q:
    """Sources published on or before ``day``, as precisely as each source dates itself.

    A source dated only to a month or a year counts as known from the end of that month or year: a report
    as known on 10 October must not use a document that may have come out on 31 October. A source without a
    publication date is never known on a given date, only with hindsight. ``prefix`` is the path to the
    source from the queried model ("source__" for observations and assessments).
    """
    after = day + timedelta(days=1)
    return (
        Q(**{f"{prefix}date_precision": DatePrecision.DAY, f"{prefix}published_on__lte": day})
        | Q(**{f"{prefix}date_precision": DatePrecision.MONTH, f"{prefix}published_on__lt": after.replace(day=1)})
        | Q(
            **{
                f"{prefix}date_precision": DatePrecision.YEAR,
                f"{prefix}published_on__lt": after.replace(month=1, day=1),
            }
        )
    )


class ObservationQuerySet(models.QuerySet["Observation"]):
    """Observations, narrowed by the one policy (``restrict``) and by the one definition of what is published."""

    def known_on(self, day: date | None) -> ObservationQuerySet:
        """Only figures whose source was published by ``day`` (see ``source_known_on``); ``None`` means with
        hindsight: everything known today. Apply before picking the latest figure of a series, so a figure
        published later never hides the one that was known then."""
        if day is None:
            return self
        return self.filter(source_known_on(day, prefix="source__"))

    def published_as_known_on(self, day: date | None) -> ObservationQuerySet:
        """Approved figures known on ``day`` and not replaced by an approved correction known on ``day``.

        A correction replaces what it corrects from the day its source is known: a report as known on 2017
        keeps the 2017 figure that a 2019 document revised, and shows a correction of a typing error (same
        source) at once. With ``day`` None (hindsight) this is the plain published set.
        """
        corrected = self.model.objects.filter(supersedes=OuterRef("pk"), state=ObservationState.APPROVED)
        return self.known_on(day).filter(state=ObservationState.APPROVED).exclude(Exists(corrected.known_on(day)))

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
