"""Storing findings: runs are safe twice, resolve what no longer holds, keep follow-ups; submissions are
checked in a fixed number of queries; reviewers follow up or return, audited."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from tracker import services
from tracker.choices import FindingState, ObservationState, RuleKind
from tracker.models import AuditEntry, Body, Finding, ValidationRun
from tracker.tasks import run_validation
from tracker.validation.services import finding_follow_up, finding_return, submission_check, validation_run

pytestmark = pytest.mark.django_db


def test_a_run_stores_findings_and_is_safe_twice(vworld, fig, rule):
    r = rule(RuleKind.STOCK)
    fig(vworld.arrests, 120, on=date(2015, 2, 28))
    fig(vworld.arrests, 110, on=date(2015, 3, 31))
    run = validation_run(as_of=date(2015, 12, 31))
    assert (run.found, run.new, run.resolved) == (1, 1, 0)
    [finding] = Finding.objects.all()
    assert finding.rule == r and finding.state == FindingState.OPEN and not finding.on_submission
    audit_before = AuditEntry.objects.count()
    second = run_validation.delay(as_of="2015-12-31").get()
    assert ValidationRun.objects.get(pk=second).new == 0
    assert Finding.objects.count() == 1 and AuditEntry.objects.count() == audit_before


def test_a_finding_that_no_longer_holds_is_resolved_and_kept(vworld, fig, rule, reviewer):
    rule(RuleKind.STOCK)
    fig(vworld.arrests, 120, on=date(2015, 2, 28))
    lower = fig(vworld.arrests, 110, on=date(2015, 3, 31))
    validation_run(as_of=date(2015, 12, 31))
    finding = Finding.objects.get()
    finding_follow_up(actor=reviewer, finding_id=finding.pk, reason="Asked NACTA which figure is right.")
    fig(vworld.arrests, 125, on=date(2015, 3, 31), supersedes=lower, correction_reason="Typo in March")
    run = validation_run(as_of=date(2015, 12, 31))
    assert run.resolved == 1
    finding.refresh_from_db()
    assert finding.state == FindingState.RESOLVED and finding.reason == "Asked NACTA which figure is right."
    actions = list(
        AuditEntry.objects.filter(object_type="tracker.finding", object_id=str(finding.pk))
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["finding.create", "finding.follow_up", "finding.resolve"]


def test_follow_up_needs_a_reason_and_a_reviewer(vworld, fig, rule, reviewer, analyst, reporter):
    rule(RuleKind.STOCK)
    fig(vworld.arrests, 120, on=date(2015, 2, 28))
    fig(vworld.arrests, 110, on=date(2015, 3, 31))
    validation_run(as_of=date(2015, 12, 31))
    finding = Finding.objects.get()
    with pytest.raises(ValidationError):
        finding_follow_up(actor=reviewer, finding_id=finding.pk, reason="  ")
    with pytest.raises(PermissionDenied):
        finding_follow_up(actor=analyst, finding_id=finding.pk, reason="I looked")
    with pytest.raises(Http404):  # reporters do not see the validation pages at all
        finding_follow_up(actor=reporter, finding_id=finding.pk, reason="I looked")
    done = finding_follow_up(actor=reviewer, finding_id=finding.pk, reason="Source confirms both figures.")
    entry = AuditEntry.objects.get(action="finding.follow_up")
    assert done.state == FindingState.FOLLOWED_UP and entry.reason == "Source confirms both figures."
    assert entry.before == {"state": "open", "reason": ""} and entry.actor == reviewer


def test_submitting_a_figure_stores_its_findings_for_the_review(vworld, fig, rule, reporter, reviewer, world):
    rule(RuleKind.STOCK)
    fig(vworld.arrests, 120, body=world.punjab, on=date(2015, 2, 28))
    draft = fig(vworld.arrests, 90, body=world.punjab, on=date(2015, 3, 31), state=ObservationState.DRAFT)
    services.observation_submit(actor=reporter, observation_id=draft.pk, version=draft.version, comment="Recount")
    [finding] = Finding.objects.filter(observation=draft)
    assert finding.on_submission and finding.comment == "Recount" and finding.state == FindingState.OPEN
    # The reviewer returns the figure from the finding: the reporter sees the reason, the finding is followed up.
    finding_return(actor=reviewer, finding_id=finding.pk, reason="Check March against February.")
    draft.refresh_from_db()
    finding.refresh_from_db()
    assert draft.state == ObservationState.RETURNED and draft.return_reason == "Check March against February."
    assert finding.state == FindingState.FOLLOWED_UP
    # Once returned, it is no longer under review: the scheduled run resolves the submission's finding.
    validation_run()
    finding.refresh_from_db()
    assert finding.state == FindingState.RESOLVED
    with pytest.raises(PermissionDenied):
        finding_return(actor=reviewer, finding_id=finding.pk, reason="again")


def test_a_verified_figure_keeps_its_findings_until_nacta_decides(
    vworld, fig, rule, reporter, reviewer, world, make_user
):
    """Provincial verification: a verified figure still waits for NACTA M&E, so the scheduled run leaves its
    submission's findings open (the queue flags them) and the reviewer may return it from a finding."""
    from tracker.choices import Role

    world.punjab.requires_verification = True
    world.punjab.save(update_fields=["requires_verification"])
    verifier = make_user(Role.VERIFIER, world.punjab)
    rule(RuleKind.STOCK)
    fig(vworld.arrests, 120, body=world.punjab, on=date(2015, 2, 28))
    draft = fig(vworld.arrests, 90, body=world.punjab, on=date(2015, 3, 31), state=ObservationState.DRAFT)
    obs = services.observation_submit(actor=reporter, observation_id=draft.pk, version=draft.version, comment="ok")
    obs = services.observation_verify(actor=verifier, observation_id=obs.pk, version=obs.version)
    [finding] = Finding.objects.filter(observation=draft)
    validation_run()
    finding.refresh_from_db()
    assert finding.state == FindingState.OPEN
    finding_return(actor=reviewer, finding_id=finding.pk, reason="Check March against February.")
    draft.refresh_from_db()
    assert draft.state == ObservationState.RETURNED


# The figure's stored findings (1), the rules and their parts (2), indicators and bodies (2), one statement per
# rule that applies (3 here: parts and whole, range, running total), the findings (a temporary table for the
# new ones, a COPY into it and one INSERT from it: 3), their audit entries (1) and the open findings returned
# (1). The relation and completeness rules cost nothing here.
SUBMISSION_CHECK_QUERIES = 13


@pytest.mark.parametrize("history", [3, 60])
def test_checking_a_submission_costs_a_fixed_number_of_queries(
    vworld, fig, rule, world, history, django_assert_num_queries
):
    rule(indicator=vworld.arrests)
    rule(RuleKind.RANGE, mad_k=5, history=8, indicator=vworld.arrests)
    rule(RuleKind.STOCK)
    rule(RuleKind.RELATION, expression="convictions <= cases-registered")
    rule(RuleKind.COMPLETENESS)
    for n in range(history):
        fig(
            vworld.arrests,
            1000 + n,
            body=world.punjab,
            on=date(2010, 1, 1).replace(year=2010 + n // 12, month=n % 12 + 1),
        )
        fig(vworld.arrests, 2000 + n, on=date(2010, 1, 1).replace(year=2010 + n // 12, month=n % 12 + 1))
    candidate = fig(vworld.arrests, 5, body=world.punjab, on=date(2016, 1, 31), state=ObservationState.SUBMITTED)
    with django_assert_num_queries(SUBMISSION_CHECK_QUERIES):
        findings = submission_check(observation=candidate)
    # Too little history to learn a range from with 3 figures; with 60, 5 is far out of it.
    expected = {RuleKind.STOCK, RuleKind.RANGE} if history >= 4 else {RuleKind.STOCK}
    assert {f.rule.kind for f in findings} == expected


def test_the_validate_command_prints_each_finding_and_exits_zero(vworld, fig, rule, world):
    rule(indicator=vworld.arrests, tolerance_percent=1)
    fig(vworld.arrests, 10_000)
    fig(vworld.arrests, 10_500, body=world.punjab)
    out = StringIO()
    call_command("validate", "--framework", world.nap2014.slug, "--as-of", "2015-03-25", stdout=out)
    text = out.getvalue()
    assert "[warning] rule-1 — Punjab — Arrests — as of 25 Mar 2015 — parts 10,500, whole 10,000" in text
    assert "1 of 8 bodies reported: 10,500 of 10,000" in text
    out = StringIO()
    call_command("validate", "--as-of", "2015-03-24", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["findings"] == []  # the figures are dated after that day


def test_outliers_are_judged_for_figures_approved_since_the_previous_run(vworld, fig, rule, world):
    rule(RuleKind.RANGE, mad_k=5, history=4)
    for day, value in enumerate((100, 101, 99, 100), start=1):
        fig(vworld.operations, value, body=world.punjab, on=date(2015, 1, day))
    outlier = fig(vworld.operations, 900, body=world.punjab, on=date(2015, 1, 5))
    assert validation_run().new == 1
    later = fig(vworld.operations, 5000, body=world.punjab, on=date(2015, 1, 6))
    second = validation_run()
    # The new outlier is judged; the earlier one is not judged again, and its finding stands.
    assert (second.new, second.resolved) == (1, 0)
    assert set(Finding.objects.filter(state=FindingState.OPEN).values_list("observation", flat=True)) == {
        outlier.pk,
        later.pk,
    }
    # Replaced by an approved correction, the earlier outlier's finding resolves.
    fig(vworld.operations, 100, body=world.punjab, on=date(2015, 1, 5), supersedes=outlier, correction_reason="Typo")
    third = validation_run()
    assert Finding.objects.get(observation=outlier).state == FindingState.RESOLVED and third.resolved == 1


def test_a_second_run_rewrites_only_the_findings_that_changed(vworld, fig, rule):
    rule(RuleKind.STOCK)
    fig(vworld.arrests, 120, on=date(2015, 2, 28))
    fig(vworld.arrests, 110, on=date(2015, 3, 31))
    fig(vworld.arrests, 130, on=date(2015, 4, 30), body=vworld.jurisdictions[0])
    fig(vworld.arrests, 100, on=date(2015, 5, 31), body=vworld.jurisdictions[0])
    validation_run(as_of=date(2015, 12, 31))
    national = Finding.objects.get(body__isnull=True)
    punjab = Finding.objects.get(body=vworld.jurisdictions[0])
    Body.objects.filter(pk=vworld.jurisdictions[0].pk).update(short_name="Pb")  # the message names the body
    with CaptureQueriesContext(connection) as queries:
        run = validation_run(as_of=date(2015, 12, 31))
    assert (run.found, run.new, run.resolved) == (2, 0, 0)
    punjab_after = Finding.objects.get(pk=punjab.pk)
    national_after = Finding.objects.get(pk=national.pk)
    assert punjab_after.params["body"] == "Pb" and punjab_after.last_changed > punjab.last_changed
    # The unchanged finding is not written at all, not even a time stamp: its row is the same version.
    assert national_after.last_changed == national.last_changed and national_after.digest == national.digest
    copied = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("COPY finding_draft")]
    assert len(copied) == 1


def test_a_resolved_finding_that_holds_again_is_reopened_and_audited_under_its_label(vworld, fig, rule):
    rule(RuleKind.STOCK)
    fig(vworld.arrests, 120, on=date(2015, 2, 28))
    fig(vworld.arrests, 110, on=date(2015, 3, 31))
    validation_run(as_of=date(2015, 12, 31))
    finding = Finding.objects.get()
    Finding.objects.filter(pk=finding.pk).update(state=FindingState.RESOLVED, resolved_at=finding.last_changed)
    run = validation_run(as_of=date(2015, 12, 31))
    assert (run.found, run.new, run.resolved) == (1, 0, 0)
    finding.refresh_from_db()
    assert finding.state == FindingState.OPEN and finding.resolved_at is None
    entries = AuditEntry.objects.filter(object_type="tracker.finding", object_id=str(finding.pk)).order_by("id")
    assert [(e.action, e.object_label) for e in entries] == [
        ("finding.create", str(finding)),
        ("finding.reopen", str(finding)),
    ]


def test_a_run_over_unchanged_findings_reads_only_what_it_compares(vworld, fig, rule):
    rule(RuleKind.STOCK)
    fig(vworld.arrests, 120, on=date(2015, 2, 28))
    fig(vworld.arrests, 110, on=date(2015, 3, 31))
    validation_run(as_of=date(2015, 12, 31))
    with CaptureQueriesContext(connection) as queries:
        validation_run(as_of=date(2015, 12, 31))
    # Whole findings (model instances, 100,000 of them at 1M figures) are read only for those that change.
    assert not [q for q in queries.captured_queries if '"tracker_finding"."first_seen"' in q["sql"]]
