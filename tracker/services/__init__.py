"""Every write in the portal goes through a service here: one transaction, policy checked, one audit entry."""

from tracker.services.accounts import send_invitation, user_create, user_set_role
from tracker.services.evidence import check_upload, evidence_attach
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
    "check_upload",
    "evidence_attach",
    "observation_approve",
    "observation_correct",
    "observation_create_draft",
    "observation_return",
    "observation_submit",
    "observation_update",
    "send_invitation",
    "user_create",
    "user_set_role",
]
