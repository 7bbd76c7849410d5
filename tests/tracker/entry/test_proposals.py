"""Proposed indicators: a reporter proposes (name, unit, agenda item, why) for their body; NACTA M&E accepts it,
edited or not, or declines it with a reason; every step is audited; an accepted proposal becomes an indicator;
another body's proposal does not exist for a reporter (404)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from tracker import permissions, services
from tracker.choices import ProposalState, Role, Unit
from tracker.models import AuditEntry, Indicator, IndicatorProposal

WHY = "Punjab's monthly return counts drones downed; no indicator carries it."


def propose(world, reporter, **kw):
    data = {
        "body": world.punjab,
        "item": world.executions_item,
        "name": "Drones downed",
        "unit": Unit.COUNT,
        "why": WHY,
    }
    data.update(kw)
    return services.indicator_propose(actor=reporter, data=services.ProposalInput(**data))


@pytest.fixture
def me_client(client_as_enrolled, reviewer):
    return client_as_enrolled(reviewer)


def test_a_reporter_proposes_from_the_page_and_sees_it_waiting(world, reporter, client_as):
    client = client_as(reporter)
    page = client.get(reverse("tracker:proposal-create"))
    assert page.status_code == 200
    assert 'name="name"' in page.text and 'name="why"' in page.text
    # One body: it is not asked for.
    assert 'type="hidden" name="body"' in page.text
    response = client.post(
        reverse("tracker:proposal-create"),
        {
            "body": world.punjab.pk,
            "item": world.executions_item.pk,
            "name": " Drones  downed ",
            "unit": "count",
            "why": WHY,
        },
    )
    proposal = IndicatorProposal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "tracker:proposal-detail", args=[proposal.pk]
    )
    assert (proposal.name, proposal.body, proposal.proposed_by, proposal.state) == (
        "Drones downed",
        world.punjab,
        reporter,
        ProposalState.PENDING,
    )
    entry = AuditEntry.objects.get(action="indicator_proposal.create")
    assert (
        entry.actor == reporter
        and entry.object_id == str(proposal.pk)
        and (entry.after or {})["name"] == "Drones downed"
    )
    listing = client.get(reverse("tracker:proposal-list"))
    assert "Drones downed" in listing.text and "Waiting for a reviewer" in listing.text
    # The reporter reads it but is offered no decision.
    detail = client.get(reverse("tracker:proposal-detail", args=[proposal.pk]))
    assert detail.status_code == 200 and 'name="decision"' not in detail.text


def test_the_form_shows_each_refusal_on_its_field(world, reporter, client_as):
    client = client_as(reporter)
    response = client.post(
        reverse("tracker:proposal-create"),
        {
            "body": world.punjab.pk,
            "item": world.executions_item.pk,
            "name": world.executions.name,
            "unit": "count",
            "why": " ",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "already has an indicator named" in errors["name"][0]
    assert "why" in errors
    assert not IndicatorProposal.objects.exists()


def test_the_same_name_cannot_wait_twice_for_one_item(world, reporter):
    propose(world, reporter)
    with pytest.raises(ValidationError) as exc:
        propose(world, reporter, name="drones DOWNED")
    assert "already proposed" in str(exc.value)


def test_a_reporter_proposes_only_for_their_own_bodies(world, reporter):
    with pytest.raises(ValidationError) as exc:
        propose(world, reporter, body=world.sindh)
    assert "You do not report for" in str(exc.value)


@pytest.mark.parametrize("role", ["analyst", "administrator", "reviewer"])
def test_who_may_not_propose(world, role, client_as_enrolled):
    user = world.user(role)
    assert not permissions.can(user, "propose_indicator")
    with pytest.raises(PermissionDenied):
        propose(world, user)
    assert client_as_enrolled(user).get(reverse("tracker:proposal-create")).status_code == 403


def test_a_reporter_of_no_body_may_not_propose(make_user):
    assert not permissions.can(make_user(Role.REPORTER), "propose_indicator")


def test_the_reviewer_accepts_as_proposed_and_it_becomes_an_indicator(world, reporter, reviewer, me_client):
    proposal = propose(world, reporter)
    listing = me_client.get(reverse("tracker:proposal-list"))
    assert listing.status_code == 200 and "Drones downed" in listing.text
    detail = me_client.get(reverse("tracker:proposal-detail", args=[proposal.pk]))
    assert 'name="decision"' in detail.text
    response = me_client.post(
        reverse("tracker:proposal-detail", args=[proposal.pk]),
        {
            "decision": "accept",
            "item": world.executions_item.pk,
            "name": "Drones downed",
            "unit": "count",
            "reason": "",
        },
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    proposal.refresh_from_db()
    indicator = proposal.indicator
    assert proposal.state == ProposalState.ACCEPTED and proposal.decided_by == reviewer
    assert (indicator.name, indicator.unit, indicator.item, indicator.code) == (
        "Drones downed",
        Unit.COUNT,
        world.executions_item,
        "drones-downed",
    )
    assert indicator.description == WHY
    assert indicator.position > world.executions.position
    assert set(
        AuditEntry.objects.filter(actor=reviewer, action__startswith="indicator").values_list("action", flat=True)
    ) == {
        "indicator.create",
        "indicator_proposal.accept",
    }


def test_the_reviewer_edits_before_accepting_and_the_audit_keeps_both(world, reporter, reviewer):
    proposal = propose(world, reporter, name="drones")
    services.proposal_accept(
        actor=reviewer,
        proposal_id=proposal.pk,
        name="Drones shot down",
        unit=Unit.COUNT,
        item=world.madaris_item,
        reason="Named as the return names it.",
    )
    indicator = Indicator.objects.get(name="Drones shot down")
    assert indicator.item == world.madaris_item
    entry = AuditEntry.objects.get(action="indicator_proposal.accept")
    before, after = entry.before or {}, entry.after or {}
    assert (before["name"], after["name"]) == ("drones", "Drones shot down")
    assert (before["item"], after["item"]) == (world.executions_item.pk, world.madaris_item.pk)
    assert entry.reason == "Named as the return names it."


def test_the_reviewer_declines_with_a_reason_the_reporter_reads(world, reporter, reviewer, me_client, client_as):
    proposal = propose(world, reporter)
    url = reverse("tracker:proposal-detail", args=[proposal.pk])
    # No reason: refused on the form.
    refused = me_client.post(
        url, {"decision": "decline", "item": world.executions_item.pk, "name": "x", "unit": "count"}
    )
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    response = me_client.post(
        url,
        {
            "decision": "decline",
            "item": world.executions_item.pk,
            "name": "x",
            "unit": "count",
            "reason": "Counted under terrorist attacks already.",
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DECLINED and proposal.indicator is None
    assert not Indicator.objects.filter(name="Drones downed").exists()
    entry = AuditEntry.objects.get(action="indicator_proposal.decline")
    assert entry.actor == reviewer and entry.reason == "Counted under terrorist attacks already."
    page = client_as(reporter).get(url)
    assert "Counted under terrorist attacks already." in page.text and "Declined" in page.text
    # Decided once: a second decision is refused and changes nothing.
    with pytest.raises(Exception, match="decided already"):
        services.proposal_accept(actor=reviewer, proposal_id=proposal.pk)


def test_another_province_cannot_see_or_decide_a_proposal(world, reporter, other_reporter, client_as):
    proposal = propose(world, reporter)
    url = reverse("tracker:proposal-detail", args=[proposal.pk])
    sindh = client_as(other_reporter)
    assert sindh.get(url).status_code == 404
    assert sindh.post(url, {"decision": "decline", "reason": "no"}).status_code == 404
    assert "Drones downed" not in sindh.get(reverse("tracker:proposal-list")).text
    assert not IndicatorProposal.objects.restrict(other_reporter).exists()
    with pytest.raises(Http404):
        services.proposal_decline(actor=other_reporter, proposal_id=proposal.pk, reason="no")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PENDING


def test_its_own_reporter_sees_it_but_may_not_decide(world, reporter, client_as):
    proposal = propose(world, reporter)
    url = reverse("tracker:proposal-detail", args=[proposal.pk])
    assert client_as(reporter).post(url, {"decision": "decline", "reason": "mine"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.proposal_accept(actor=reporter, proposal_id=proposal.pk)
    assert IndicatorProposal.objects.get().state == ProposalState.PENDING


def test_the_policy_answers_the_same_for_one_proposal_and_the_list(world, reporter, other_reporter, reviewer):
    mine = propose(world, reporter)
    for user, sees, decides in ((reporter, True, False), (other_reporter, False, False), (reviewer, True, True)):
        assert permissions.can(user, "view", mine) is sees
        assert permissions.can(user, "decide", mine) is decides
        assert IndicatorProposal.objects.restrict(user, "view").filter(pk=mine.pk).exists() is sees
        assert IndicatorProposal.objects.restrict(user, "decide").filter(pk=mine.pk).exists() is decides
    analyst = world.user("analyst")
    assert not permissions.can(analyst, "view", mine)
    assert not IndicatorProposal.objects.restrict(analyst).exists()


def test_an_accepted_proposal_can_be_reported_by_its_body(world, reporter, reviewer):
    """Accepted means usable: Punjab leads the item, so its reporter enters a figure of the new indicator."""
    proposal = services.proposal_accept(actor=reviewer, proposal_id=propose(world, reporter).pk)
    assert proposal.indicator is not None
    draft = services.observation_create_draft(
        actor=reporter,
        data=services.ObservationInput(
            indicator=proposal.indicator,
            body=world.punjab,
            period_end=date(2024, 1, 31),
            date_precision="month",
            period_start=date(2024, 1, 1),
            value=Decimal(3),
            source=world.source,
        ),
    )
    assert draft.indicator == proposal.indicator


def test_the_admin_shows_proposals_read_only_even_to_a_superuser(world, reporter, admin_client):
    proposal = propose(world, reporter)
    client = admin_client
    assert client.get(reverse("admin:tracker_indicatorproposal_changelist")).status_code == 200
    change = client.get(reverse("admin:tracker_indicatorproposal_change", args=[proposal.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.text
    assert client.get(reverse("admin:tracker_indicatorproposal_add")).status_code == 403


def test_the_list_is_bounded_in_queries(world, reporter, me_client, django_assert_max_num_queries):
    for n in range(30):
        propose(world, reporter, name=f"Indicator {n}")
    with django_assert_max_num_queries(12):
        response = me_client.get(reverse("tracker:proposal-list"))
    assert response.text.count('id="proposal-') == 30
