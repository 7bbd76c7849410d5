"""The audit trail for people: changes in words and displayed values, names, filters, CSV, fixed cost."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tracker import audit, services
from tracker.choices import ObservationState as S
from tracker.models import AuditEntry

# Session, user, role and memberships, second factor, count, the page of entries with their actors, and one
# query per kind of object the page names (indicator, body, source with its publisher, user).
AUDIT_PAGE_QUERIES = 10


def _edit(reporter, obs, **changes):
    from tracker.views.workflow import _input_of

    data = _input_of(obs)
    values = {f: getattr(data, f) for f in services.observations.INPUT_FIELDS} | changes
    return services.observation_update(
        actor=reporter, observation_id=obs.pk, version=obs.version, data=services.ObservationInput(**values)
    )


def test_changes_read_as_label_old_new_with_displayed_values(world, reporter, reviewer, make_obs, client_as_enrolled):
    obs = make_obs(S.DRAFT, created_by=reporter, value=Decimal(400000))
    _edit(reporter, obs, value=Decimal(506072), body=world.punjab, value_qualifier="about")
    obs.refresh_from_db()
    services.observation_submit(actor=reporter, observation_id=obs.pk, version=obs.version)
    services.observation_approve(actor=reviewer, observation_id=obs.pk, version=obs.version + 1)
    page = client_as_enrolled(reviewer).get(reverse("tracker:audit-log")).content.decode()
    # Values as the portal shows them, under the field's label.
    assert "Value:</span> <del>4,00,000</del> → <ins>5,06,072</ins>" in page
    assert "Qualifier:</span> <del>exactly</del> → <ins>about</ins>" in page
    assert "State:</span> <del>Submitted</del> → <ins>Approved</ins>" in page
    assert "Approved by:</span> <del>—</del> → <ins>reviewer@nacta.example.org</ins>" in page
    # Actions in words, no raw dicts or codes.
    assert "Figure approved" in page and "Figure edited" in page
    assert "observation.approve" not in page.split("<table")[1] and "&#x27;approved_by&#x27;" not in page


def test_people_are_named_alike_in_who_and_in_changed_values(world, reporter, reviewer, make_obs, client_as_enrolled):
    reviewer.first_name, reviewer.last_name = "Nadia", "Khan"
    reviewer.save(update_fields=["first_name", "last_name"])
    obs = make_obs(S.SUBMITTED, created_by=reporter)
    services.observation_approve(actor=reviewer, observation_id=obs.pk, version=obs.version)
    page = client_as_enrolled(reviewer).get(reverse("tracker:audit-log"), {"action": "observation.approve"})
    html = page.content.decode()
    assert 'class="audit__who">Nadia Khan (reviewer@nacta.example.org)</td>' in html
    assert "Approved by:</span> <del>—</del> → <ins>Nadia Khan (reviewer@nacta.example.org)</ins>" in html


def test_a_created_figure_names_its_indicator_body_and_source(world, reporter, reviewer, client_as_enrolled):
    services.observation_create_draft(
        actor=reporter,
        data=services.ObservationInput(
            indicator=world.old_executions,
            body=world.punjab,
            period_end=date(2024, 12, 31),
            period_start=date(2024, 1, 1),
            date_precision="year",
            value=Decimal(12),
            source=world.status_2017,
        ),
    )
    page = client_as_enrolled(reviewer).get(reverse("tracker:audit-log")).content.decode()
    assert (
        "Indicator:</span> Executions" in page
        and "Reporting body:</span> Punjab" in page
        and "Note:</span>" not in page
    )
    assert "Period end or as-of date:</span> 31 Dec 2024" in page
    assert "Figure entered as a draft" in page


def test_filters_are_a_dropdown_of_actions_and_date_pickers(world, reporter, reviewer, make_obs, client_as_enrolled):
    obs = make_obs(S.SUBMITTED, created_by=reporter)
    services.observation_return(actor=reviewer, observation_id=obs.pk, version=1, reason="Needs a page number")
    client = client_as_enrolled(reviewer)
    page = client.get(reverse("tracker:audit-log")).content.decode()
    assert (
        '<select name="action"' in page and '<option value="observation.return">Figure returned with a reason' in page
    )
    assert 'type="date" name="since"' in page and 'type="date" name="until"' in page
    assert (
        "Needs a page number"
        in client.get(reverse("tracker:audit-log"), {"action": "observation.return"}).content.decode()
    )
    assert (
        "Needs a page number"
        not in client.get(reverse("tracker:audit-log"), {"action": "observation.approve"}).content.decode()
    )
    today = timezone.localdate().isoformat()
    assert (
        "Needs a page number"
        in client.get(reverse("tracker:audit-log"), {"since": today, "until": today}).content.decode()
    )
    assert (
        "Needs a page number" not in client.get(reverse("tracker:audit-log"), {"until": "2000-01-01"}).content.decode()
    )


def test_csv_export_holds_the_filtered_trail_as_shown(world, reporter, reviewer, make_obs, client_as_enrolled):
    obs = make_obs(S.SUBMITTED, created_by=reporter)
    services.observation_return(actor=reviewer, observation_id=obs.pk, version=1, reason="=cmd|' /C calc'!A0")
    other = make_obs(S.SUBMITTED, created_by=reporter)
    services.observation_approve(actor=reviewer, observation_id=other.pk, version=1)
    response = client_as_enrolled(reviewer).get(reverse("tracker:audit-export-csv"), {"action": "observation.return"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["When", "Who", "Action", "Object", "Changes"]
    assert len(rows) == 2
    assert rows[1][1] == "reviewer@nacta.example.org" and rows[1][2] == "Figure returned with a reason"
    assert "State: Submitted → Returned" in rows[1][4]
    assert rows[1][5].startswith("'=")  # a formula is defused


def test_only_those_with_audit_rights_export(world, reporter, analyst, client_as):
    assert client_as(reporter).get(reverse("tracker:audit-export-csv")).status_code == 403
    assert client_as(analyst).get(reverse("tracker:audit-export-csv")).status_code == 403


def test_the_table_stacks_on_a_phone(world, reviewer, client_as_enrolled):
    page = client_as_enrolled(reviewer).get(reverse("tracker:audit-log")).content.decode()
    # table--stack turns each row into a card below 40rem; every cell carries its column's label.
    assert 'class="table table--stack audit"' in page


@pytest.mark.parametrize("n", [10, 10_000])
def test_audit_page_query_count_is_flat_from_10_to_10000_rows(
    n, world, reporter, reviewer, make_obs, client_as_enrolled, django_assert_num_queries
):
    obs = make_obs(S.APPROVED, created_by=reporter)
    snap = audit.snapshot(obs, services.observations.AUDITED_FIELDS)
    entries = [
        AuditEntry(
            actor=reviewer if i % 2 else reporter,
            actor_label="x",
            action="observation.approve" if i % 2 else "observation.create",
            object_type="tracker.observation",
            object_id=str(obs.pk),
            object_label=str(obs),
            before={"state": "submitted", "approved_by": None} if i % 2 else None,
            after={"state": "approved", "approved_by": reviewer.pk} if i % 2 else snap,
        )
        for i in range(n)
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=5000)
    client = client_as_enrolled(reviewer)
    client.get(reverse("tracker:audit-log"))
    with django_assert_num_queries(AUDIT_PAGE_QUERIES):
        response = client.get(reverse("tracker:audit-log"), {"action": "observation."})
    assert len(response.context["rows"]) == min(n, 50)


def test_an_edition_request_names_its_framework_by_slug(world, reviewer, client_as_enrolled):
    """A request's parameters name the framework by slug, not id: shown as written (it was looked up as an id and
    the page failed)."""
    from reporting.models import ReportEdition

    edition = ReportEdition.objects.create(
        framework=world.nap2014, as_of=date(2017, 10, 1), scope="national", parameters={}, params_hash="p"
    )
    audit.record(actor=reviewer, action="report_edition.request", obj=edition, after={"framework": "nap-2014"})
    response = client_as_enrolled(reviewer).get(reverse("tracker:audit-log"))
    assert response.status_code == 200
    assert "nap-2014" in response.content.decode()
