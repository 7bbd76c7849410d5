"""Every write in the portal goes through a service here: one transaction, policy checked, one audit entry."""

from tracker.services.imports import observation_import
from tracker.services.observations import (
    ObservationInput,
    assessment_create,
    changes_since,
    observation_approve,
    observation_correct,
    observation_create_draft,
    observation_return,
    observation_submit,
    observation_update,
)

__all__ = [
    "ObservationInput",
    "assessment_create",
    "changes_since",
    "observation_approve",
    "observation_correct",
    "observation_create_draft",
    "observation_import",
    "observation_return",
    "observation_submit",
    "observation_update",
]
