"""Every write in the portal goes through a service here: one transaction, policy checked, one audit entry."""

from tracker.services.accounts import (
    membership_add,
    membership_remove,
    send_invitation,
    user_create,
    user_set_role,
    user_update,
)
from tracker.services.assignments import assignment_create, assignment_update
from tracker.services.conversation import comment_create
from tracker.services.evidence import check_upload, evidence_attach, evidence_remove
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
    observation_verify,
)
from tracker.services.proposals import ProposalInput, indicator_propose, proposal_accept, proposal_decline
from tracker.services.sources import (
    SourceInput,
    source_find_or_create,
    source_own_return,
    sources_find,
    sources_find_or_create,
)

__all__ = [
    "ObservationInput",
    "ProposalInput",
    "SourceInput",
    "assessment_create",
    "assignment_create",
    "assignment_update",
    "changes_since",
    "check_upload",
    "comment_create",
    "evidence_attach",
    "evidence_remove",
    "indicator_propose",
    "membership_add",
    "membership_remove",
    "observation_approve",
    "observation_correct",
    "observation_create_draft",
    "observation_import",
    "observation_return",
    "observation_submit",
    "observation_update",
    "observation_verify",
    "proposal_accept",
    "proposal_decline",
    "send_invitation",
    "source_find_or_create",
    "source_own_return",
    "sources_find",
    "sources_find_or_create",
    "user_create",
    "user_set_role",
    "user_update",
]
