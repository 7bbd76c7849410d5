"""The observation workflow through its services: transitions, self-approval, corrections, versions, audit."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.http import Http404

from tracker import services
from tracker.choices import ObservationState as S
from tracker.choices import Rating
from tracker.exceptions import StaleVersion, WorkflowError
from tracker.models import Assessment, AuditEntry, AuditImmutable, Observation


def data_for(world, body, value="120", **kw):
    values = {
        "indicator": world.indicator,
        "body": body,
        "period_start": date(2024, 1, 1),
        "period_end": date(2024, 12, 31),
        "date_precision": "year",
        "value": None if value is None else Decimal(value),
        "source": world.source,
    }
    values.update(kw)
    return services.ObservationInput(**values)


# --- Transition table --------------------------------------------------------------------------------------
# Written out by hand: the expected outcome of every (state, action) pair, independent of the code's table.
EXPECTED_TRANSITIONS = {
    (S.DRAFT, "submit"): S.SUBMITTED,
    (S.RETURNED, "submit"): S.SUBMITTED,
    (S.SUBMITTED, "approve"): S.APPROVED,
    (S.SUBMITTED, "return"): S.RETURNED,
    # A figure a province verified goes on to M&E (here its body no longer asks for verification; the verify
    # step itself is in test_verification.py).
    (S.VERIFIED, "approve"): S.APPROVED,
    (S.VERIFIED, "return"): S.RETURNED,
}
ACTIONS = {
    "submit": lambda actor, obs: services.observation_submit(actor=actor, observation_id=obs.pk, version=obs.version),
    "approve": lambda actor, obs: services.observation_approve(actor=actor, observation_id=obs.pk, version=obs.version),
    "return": lambda actor, obs: services.observation_return(
        actor=actor, observation_id=obs.pk, version=obs.version, reason="Source missing"
    ),
}


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_transition_table(state, action, world, reporter, reviewer, make_obs, audit_rows):
    obs = make_obs(state, created_by=reporter)
    actor = reporter if action == "submit" else reviewer
    before = audit_rows()
    expected = EXPECTED_TRANSITIONS.get((state, action))
    if expected is None:
        with pytest.raises((PermissionDenied, WorkflowError)):
            ACTIONS[action](actor, obs)
        obs.refresh_from_db()
        assert obs.state == state
        assert obs.version == 1
        assert audit_rows() == before
    else:
        result = ACTIONS[action](actor, obs)
        obs.refresh_from_db()
        assert obs.state == result.state == expected
        assert obs.version == 2
        entry = AuditEntry.objects.get()
        assert audit_rows() == before + 1
        assert (entry.action, entry.actor, entry.object_id) == (f"observation.{action}", actor, str(obs.pk))
        assert (entry.before or {})["state"] == state and (entry.after or {})["state"] == expected


def test_full_cycle_with_return_and_resubmission(world, reporter, reviewer, audit_rows):
    obs = services.observation_create_draft(actor=reporter, data=data_for(world, world.punjab))
    obs = services.observation_submit(actor=reporter, observation_id=obs.pk, version=obs.version)
    obs = services.observation_return(actor=reviewer, observation_id=obs.pk, version=obs.version, reason="Wrong year")
    assert obs.return_reason == "Wrong year"
    obs = services.observation_update(
        actor=reporter, observation_id=obs.pk, version=obs.version, data=data_for(world, world.punjab, value="125")
    )
    assert obs.state == S.RETURNED and obs.value == Decimal(125)
    obs = services.observation_submit(actor=reporter, observation_id=obs.pk, version=obs.version)
    obs = services.observation_approve(actor=reviewer, observation_id=obs.pk, version=obs.version)
    assert (obs.state, obs.approved_by, obs.return_reason) == (S.APPROVED, reviewer, "")
    assert obs.approved_at is not None
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "observation.create",
        "observation.submit",
        "observation.return",
        "observation.update",
        "observation.submit",
        "observation.approve",
    ]
    update = AuditEntry.objects.get(action="observation.update")
    before, after = update.before or {}, update.after or {}
    assert Decimal(before["value"]) == 120 and Decimal(after["value"]) == 125
    assert set(after) == {"value", "version"}


def test_return_needs_a_reason(world, reporter, reviewer, make_obs, audit_rows):
    obs = make_obs(S.SUBMITTED, created_by=reporter)
    with pytest.raises(ValidationError, match="reporter sees this reason"):
        services.observation_return(actor=reviewer, observation_id=obs.pk, version=1, reason="  ")
    assert audit_rows() == 0


def test_a_reviewer_cannot_approve_their_own_entry(world, reviewer, second_reviewer, audit_rows):
    obs = services.observation_create_draft(actor=reviewer, data=data_for(world, None))
    obs = services.observation_submit(actor=reviewer, observation_id=obs.pk, version=obs.version)
    with pytest.raises(PermissionDenied, match="entered yourself"):
        services.observation_approve(actor=reviewer, observation_id=obs.pk, version=obs.version)
    assert Observation.objects.get(pk=obs.pk).state == S.SUBMITTED
    assert audit_rows() == 2
    services.observation_approve(actor=second_reviewer, observation_id=obs.pk, version=obs.version)
    assert audit_rows() == 3


def test_a_reviewer_cannot_edit_a_reporters_draft(world, reporter, reviewer, make_obs):
    """Otherwise a reviewer could shape an entry and then approve it as someone else's."""
    obs = make_obs(S.DRAFT, created_by=reporter)
    with pytest.raises(PermissionDenied):
        services.observation_update(
            actor=reviewer, observation_id=obs.pk, version=1, data=data_for(world, world.punjab)
        )


@pytest.mark.parametrize("state", [S.SUBMITTED, S.APPROVED])
def test_no_edit_after_submission_or_approval(state, world, reporter, make_obs, audit_rows):
    obs = make_obs(state, created_by=reporter)
    with pytest.raises(PermissionDenied):
        services.observation_update(
            actor=reporter, observation_id=obs.pk, version=1, data=data_for(world, world.punjab, value="1")
        )
    obs.refresh_from_db()
    assert obs.value == 100 and obs.version == 1
    assert audit_rows() == 0


def test_reporter_cannot_touch_another_bodys_draft(world, reporter, other_reporter, make_obs, audit_rows):
    obs = make_obs(S.DRAFT, body=world.sindh, created_by=other_reporter)
    with pytest.raises(Http404):
        services.observation_update(actor=reporter, observation_id=obs.pk, version=1, data=data_for(world, world.sindh))
    with pytest.raises(Http404):
        services.observation_submit(actor=reporter, observation_id=obs.pk, version=1)
    with pytest.raises(PermissionDenied):
        services.observation_create_draft(actor=reporter, data=data_for(world, world.sindh))
    with pytest.raises(PermissionDenied):
        services.observation_create_draft(actor=reporter, data=data_for(world, None))
    assert audit_rows() == 0


def test_reporter_cannot_move_a_draft_to_another_body(world, reporter, make_obs):
    obs = make_obs(S.DRAFT, created_by=reporter)
    with pytest.raises(PermissionDenied):
        services.observation_update(actor=reporter, observation_id=obs.pk, version=1, data=data_for(world, world.sindh))


def test_analyst_writes_nothing(world, analyst, make_obs, audit_rows):
    with pytest.raises(PermissionDenied):
        services.observation_create_draft(actor=analyst, data=data_for(world, world.punjab))
    approved = make_obs(S.APPROVED)
    with pytest.raises(PermissionDenied):
        services.observation_correct(
            actor=analyst, observation_id=approved.pk, data=data_for(world, world.punjab), reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.assessment_create(actor=analyst, item=world.item, as_of=date(2024, 1, 1), rating=Rating.SATISFACTORY)
    assert audit_rows() == 0


def test_invalid_values_are_refused_and_nothing_written(world, reporter, audit_rows):
    with pytest.raises(ValidationError) as err:
        services.observation_create_draft(actor=reporter, data=data_for(world, world.punjab, value="-3"))
    assert "cannot be negative" in str(err.value)
    assert Observation.objects.count() == 0 and audit_rows() == 0


def test_stale_version_is_refused_with_what_changed(world, reporter, make_user, audit_rows):
    colleague = make_user("reporter", world.punjab)
    obs = services.observation_create_draft(actor=reporter, data=data_for(world, world.punjab))
    seen = obs.version
    services.observation_update(
        actor=colleague, observation_id=obs.pk, version=seen, data=data_for(world, world.punjab, value="130", note="n")
    )
    with pytest.raises(StaleVersion) as err:
        services.observation_update(
            actor=reporter, observation_id=obs.pk, version=seen, data=data_for(world, world.punjab, value="140")
        )
    assert set(err.value.changes) == {"value", "note"}
    old, new = err.value.changes["value"]
    assert Decimal(old) == 120 and Decimal(new) == 130
    assert "value" in err.value.message
    obs.refresh_from_db()
    assert obs.value == 130 and obs.version == 2  # the colleague's edit is not lost
    assert audit_rows() == 2


def test_correction_supersedes_and_keeps_the_approved_figure(world, reporter, reviewer, make_obs, audit_rows):
    original = make_obs(S.APPROVED, created_by=reporter, approved_by=reviewer)
    correction = services.observation_correct(
        actor=reporter, observation_id=original.pk, data=data_for(world, world.punjab, value="101"), reason="Typo"
    )
    assert (correction.state, correction.supersedes, correction.correction_reason) == (S.DRAFT, original, "Typo")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.reason, entry.before) == ("observation.correct", "Typo", {"corrects": original.pk})
    original.refresh_from_db()
    assert (original.state, original.value, original.version) == (S.APPROVED, 100, 1)

    # A second correction of the same figure is refused: work continues on the first one.
    with pytest.raises(WorkflowError, match="already has a correction"):
        services.observation_correct(
            actor=reporter, observation_id=original.pk, data=data_for(world, world.punjab), reason="again"
        )
    correction = services.observation_submit(actor=reporter, observation_id=correction.pk, version=correction.version)
    correction = services.observation_approve(actor=reviewer, observation_id=correction.pk, version=correction.version)
    # The chain goes on: a correction of the correction.
    second = services.observation_correct(
        actor=reviewer, observation_id=correction.pk, data=data_for(world, world.punjab, value="102"), reason="Revised"
    )
    assert second.supersedes == correction
    assert list(Observation.objects.filter(state=S.APPROVED).order_by("pk")) == [original, correction]
    assert audit_rows() == 4


def test_correction_of_an_unapproved_or_other_indicator_is_refused(world, reporter, make_obs):
    draft = make_obs(S.DRAFT, created_by=reporter)
    with pytest.raises(PermissionDenied):
        services.observation_correct(
            actor=reporter, observation_id=draft.pk, data=data_for(world, world.punjab), reason="r"
        )
    approved = make_obs(S.APPROVED)
    with pytest.raises(ValidationError, match="keeps the indicator"):
        services.observation_correct(
            actor=reporter,
            observation_id=approved.pk,
            data=data_for(world, world.punjab, indicator=world.text_indicator, value=None, text_value="x"),
            reason="r",
        )
    with pytest.raises(ValidationError, match="Say why"):
        services.observation_correct(
            actor=reporter, observation_id=approved.pk, data=data_for(world, world.punjab), reason=""
        )


def test_reporter_corrects_only_own_bodies(world, reporter, make_obs):
    other = make_obs(S.APPROVED, body=world.sindh)
    with pytest.raises(PermissionDenied):
        services.observation_correct(
            actor=reporter, observation_id=other.pk, data=data_for(world, world.sindh), reason="r"
        )


def test_assessment_by_reviewer_is_audited(world, reviewer, reporter, audit_rows):
    a = services.assessment_create(
        actor=reviewer, item=world.item, as_of=date(2024, 6, 30), rating=Rating.PARTLY_SATISFACTORY, narrative="Slow"
    )
    assert Assessment.objects.get().created_by == reviewer
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_id, (entry.after or {})["rating"]) == (
        "assessment.create",
        str(a.pk),
        "partly_satisfactory",
    )
    with pytest.raises(PermissionDenied):
        services.assessment_create(actor=reporter, item=world.item, as_of=date(2024, 6, 30), rating=Rating.SATISFACTORY)
    assert audit_rows() == 1


# --- The audit trail cannot be rewritten ----------------------------------------------------------------


def test_audit_entries_refuse_update_and_delete_through_the_orm(world, reporter):
    services.observation_create_draft(actor=reporter, data=data_for(world, world.punjab))
    entry = AuditEntry.objects.get()
    entry.reason = "rewritten"
    with pytest.raises(AuditImmutable):
        entry.save()
    with pytest.raises(AuditImmutable):
        entry.delete()
    with pytest.raises(AuditImmutable):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(AuditImmutable):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().reason == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
@pytest.mark.parametrize("sql", ["UPDATE tracker_auditentry SET reason = 'x'", "DELETE FROM tracker_auditentry"])
def test_the_database_refuses_to_rewrite_the_audit_trail(sql, world, reporter):
    services.observation_create_draft(actor=reporter, data=data_for(world, world.punjab))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEntry.objects.get().reason == ""
