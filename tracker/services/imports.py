"""Writing an import: every row or none, each new observation audited."""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker import audit
from tracker import entry_validation as validation
from tracker.bulk import insert_many
from tracker.choices import ObservationState
from tracker.models import Observation
from tracker.services.observations import AUDITED_FIELDS, ObservationInput, _require_may_report_for


def observation_import(*, actor: User, rows: Sequence[ObservationInput], submit: bool = False) -> list[Observation]:
    """Create one observation per row, as drafts (or submitted), in one transaction with one audit entry each.

    The same rules as ``observation_create_draft`` (the actor reports for every body; the one validation of
    ``tracker.entry_validation`` passes for every row), applied to the whole batch before anything is written; the
    rows are inserted in bulk (``tracker.bulk``) so that a 10,000-row file costs a few dozen statements, not tens of
    thousands.
    """
    for body in {row.body for row in rows}:
        _require_may_report_for(actor, body)
    refusals = [
        (number, errors) for number, errors in enumerate(validation.conflicts_for_many(rows), start=1) if errors
    ]
    if refusals:
        number, errors = refusals[0]
        messages = [message for field_messages in errors.values() for message in field_messages]
        raise ValidationError(_("Row %(n)s: %(errors)s") % {"n": number, "errors": "; ".join(messages)})
    now = timezone.now()
    today = timezone.localdate()
    state = ObservationState.SUBMITTED if submit else ObservationState.DRAFT
    observations = []
    for number, row in enumerate(rows, start=1):
        obs = Observation(state=state, created_by=actor, submitted_at=now if submit else None)
        row.apply_to(obs)
        # The importer checked these already; the service does not trust its callers.
        problems = validation.input_errors(row, today=today)
        if problems:
            messages = [message for field_messages in problems.values() for message in field_messages]
            raise ValidationError(_("Row %(n)s: %(errors)s") % {"n": number, "errors": "; ".join(messages)})
        observations.append(obs)
    with transaction.atomic():
        created = insert_many(observations)
        audit.record_many(
            actor=actor,
            action="observation.import",
            objects=created,
            afters=[audit.snapshot(obs, AUDITED_FIELDS) for obs in created],
        )
        if submit:
            # The data-quality findings of the submitted rows, for the review queue (one evaluation for all).
            from tracker.validation.services import submissions_check

            submissions_check(observations=created)
    return created
