"""Admin for accounts, the audit trail and the workflow's records: every edit goes through an audited service
(exactly one entry per change), the audit trail and evidence are read-only, and changelists do not N+1."""

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from tests.factories import BodyFactory, IndicatorFactory, ObservationFactory
from tracker import audit
from tracker.choices import Cadence, Role
from tracker.models import AuditEntry, Evidence, Membership, NotificationLog, ReportingAssignment, UserRole

pytestmark = pytest.mark.django_db
User = get_user_model()

# Every changelist: 4 for the request (session, admin user, its role and bodies for the policy, its second
# factor for the MFA gate), then the list's own, which the comments give.
CHANGELIST_QUERIES = {
    # count all, count filtered, the page with the role joined, the memberships with bodies (one prefetch)
    "auth.user": 4 + 4,
    # the body filter's choices, count all, count filtered, the page with user and body joined
    "tracker.membership": 4 + 4,
    # the action filter's values, the actor filter's choices, count filtered (no full count), the page
    "tracker.auditentry": 4 + 4,
    # the body filter's choices, count all, count filtered, the page with indicator and body joined
    "tracker.reportingassignment": 4 + 4,
    # the content-type filter's values, count all, count filtered, the page with observation and uploader joined
    "tracker.evidence": 4 + 4,
    # the kind filter's values, count all, count filtered, the page with the user joined
    "tracker.notificationlog": 4 + 4,
}


@pytest.fixture
def new_entries(admin_client: Any) -> Any:
    """The audit entries written during the test (logging the admin client in writes one before it)."""
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return lambda: AuditEntry.objects.filter(id__gt=last).order_by("id")


def admin_url(label: str, view: str, *args: Any) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


def make_user(email: str, role: str | None = None, *bodies: Any) -> Any:
    user = User.objects.create_user(username=email, email=email, password="correct horse battery")
    if role:
        UserRole.objects.create(user=user, role=role)
    for body in bodies:
        Membership.objects.create(user=user, body=body)
    return user


def build_data(n: int) -> None:
    """``n`` of everything the new changelists show, with relations that would expose an N+1."""
    bodies = BodyFactory.create_batch(3)
    observation = ObservationFactory.create()
    for i in range(n):
        user = make_user(f"user{i}@example.org", Role.REPORTER, bodies[i % 3], bodies[(i + 1) % 3])
        audit.record(actor=user, action=f"test.action{i % 4}", obj=user)
        ReportingAssignment.objects.create(indicator=IndicatorFactory.create(), body=bodies[i % 3])
        Evidence.objects.create(
            observation=observation,
            file=f"evidence/token{i}.pdf",
            original_name=f"report {i}.pdf",
            content_type="application/pdf",
            size=100,
            sha256="0" * 64,
            uploaded_by=user,
        )
        NotificationLog.objects.create(user=user, kind="reminder", key=f"key-{i}")


@pytest.mark.parametrize("n", [2, 25])
@pytest.mark.parametrize("label", list(CHANGELIST_QUERIES))
def test_changelists_answer_with_a_fixed_number_of_queries(admin_client, label, n, django_assert_num_queries):
    build_data(n)
    with django_assert_num_queries(CHANGELIST_QUERIES[label]):
        response = admin_client.get(admin_url(label, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= n


def change_form_data(response: Any) -> dict[str, Any]:
    """What the browser would post back from a change page left as it is (inlines included)."""
    data: dict[str, Any] = {"_save": "Save"}

    def add(form: Any) -> None:
        for name, field in form.fields.items():
            value = form[name].value()
            if field.disabled or value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


@pytest.fixture
def punjab_reporter() -> Any:
    punjab = BodyFactory.create(slug="punjab", short_name="Punjab")
    return make_user("staff@punjab.example.org", Role.REPORTER, punjab)


def user_change(admin_client: Any, user: Any) -> tuple[str, dict[str, Any]]:
    url = admin_url("auth.user", "change", user.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    return url, change_form_data(page)


def test_user_changelist_shows_role_and_bodies(admin_client, punjab_reporter):
    response = admin_client.get(admin_url("auth.user", "changelist"), {"nap_role__role__exact": "reporter"})
    assert response.context["cl"].result_count == 1
    content = response.content.decode()
    assert "staff@punjab.example.org" in content and "Reporter" in content and "Punjab" in content


def test_saving_an_unchanged_user_writes_no_audit_entry(new_entries, admin_client, punjab_reporter):
    url, data = user_change(admin_client, punjab_reporter)
    assert admin_client.post(url, data).status_code == 302
    assert not new_entries().exists()


def test_a_role_change_through_the_admin_writes_exactly_one_audit_entry(
    new_entries, admin_client, admin_user, punjab_reporter
):
    url, data = user_change(admin_client, punjab_reporter)
    data["nap_role-0-role"] = Role.REVIEWER
    data["memberships-0-DELETE"] = "on"

    assert admin_client.post(url, data).status_code == 302

    entry = new_entries().get()
    assert (entry.action, entry.actor, entry.object_id) == ("user.role_change", admin_user, str(punjab_reporter.pk))
    assert entry.before == {"role": "reporter", "bodies": ["punjab"]}
    assert entry.after == {"role": "reviewer", "bodies": []}
    assert UserRole.objects.get(user=punjab_reporter).role == Role.REVIEWER
    assert not Membership.objects.filter(user=punjab_reporter).exists()


def test_giving_a_role_to_a_user_without_one(new_entries, admin_client, admin_user):
    user = make_user("new@example.org")
    url, data = user_change(admin_client, user)
    data["nap_role-0-role"] = Role.ANALYST

    assert admin_client.post(url, data).status_code == 302

    entry = new_entries().get()
    assert entry.action == "user.role_change" and entry.after == {"role": "analyst", "bodies": []}


def test_adding_a_body_through_the_admin_writes_one_membership_entry(new_entries, admin_client, punjab_reporter):
    sindh = BodyFactory.create(slug="sindh")
    url, data = user_change(admin_client, punjab_reporter)
    data["memberships-TOTAL_FORMS"] = "2"
    data["memberships-1-body"] = sindh.pk
    data["memberships-1-user"] = punjab_reporter.pk

    assert admin_client.post(url, data).status_code == 302

    entry = new_entries().get()
    assert entry.action == "user.membership_add"
    assert entry.after == {"bodies": ["punjab", "sindh"]}


def test_deactivating_a_user_writes_one_update_entry(new_entries, admin_client, punjab_reporter):
    url, data = user_change(admin_client, punjab_reporter)
    del data["is_active"]

    assert admin_client.post(url, data).status_code == 302

    entry = new_entries().get()
    assert (entry.action, entry.before, entry.after) == ("user.update", {"is_active": True}, {"is_active": False})
    punjab_reporter.refresh_from_db()
    assert not punjab_reporter.is_active


def test_users_are_deactivated_not_deleted(admin_client, punjab_reporter):
    assert admin_client.post(admin_url("auth.user", "delete", punjab_reporter.pk), {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=punjab_reporter.pk).exists()


def test_setting_a_password_in_the_admin_is_audited_without_the_password(new_entries, admin_client, punjab_reporter):
    url = reverse("admin:auth_user_password_change", args=[punjab_reporter.pk])
    password = "a brand new passphrase 7"
    response = admin_client.post(url, {"password1": password, "password2": password, "usable_password": "true"})

    assert response.status_code == 302
    entry = new_entries().get()
    assert entry.action == "user.password_set" and entry.object_id == str(punjab_reporter.pk)
    assert password not in str(entry.before) + str(entry.after) + entry.reason
    punjab_reporter.refresh_from_db()
    assert punjab_reporter.check_password(password)


def test_memberships_are_added_and_removed_through_the_services(new_entries, admin_client, punjab_reporter):
    sindh = BodyFactory.create(slug="sindh")
    response = admin_client.post(
        admin_url("tracker.membership", "add"), {"user": punjab_reporter.pk, "body": sindh.pk, "_save": "Save"}
    )
    assert response.status_code == 302
    added = Membership.objects.get(user=punjab_reporter, body=sindh)
    assert new_entries().get().action == "user.membership_add"

    response = admin_client.post(admin_url("tracker.membership", "delete", added.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=added.pk).exists()
    assert list(new_entries().values_list("action", flat=True)) == [
        "user.membership_add",
        "user.membership_remove",
    ]


def test_a_membership_is_never_edited_in_place(admin_client, punjab_reporter):
    membership = Membership.objects.get(user=punjab_reporter)
    other = BodyFactory.create()
    url = admin_url("tracker.membership", "change", membership.pk)
    assert admin_client.post(url, {"user": punjab_reporter.pk, "body": other.pk}).status_code == 403
    membership.refresh_from_db()
    assert membership.body.slug == "punjab"


def test_the_audit_trail_is_read_only_in_the_admin(new_entries, admin_client, punjab_reporter):
    entry = audit.record(actor=punjab_reporter, action="user.login", obj=punjab_reporter, reason="original")
    change = admin_url("tracker.auditentry", "change", entry.pk)

    page = admin_client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client.get(admin_url("tracker.auditentry", "add")).status_code == 403
    assert admin_client.post(admin_url("tracker.auditentry", "add"), {"action": "forged"}).status_code == 403
    assert admin_client.post(change, {"action": "forged", "reason": "rewritten"}).status_code == 403
    assert admin_client.get(admin_url("tracker.auditentry", "delete", entry.pk)).status_code == 403
    assert admin_client.post(admin_url("tracker.auditentry", "delete", entry.pk), {"post": "yes"}).status_code == 403
    changelist = admin_client.get(admin_url("tracker.auditentry", "changelist"))
    assert "delete_selected" not in changelist.content.decode()
    bulk = admin_client.post(
        admin_url("tracker.auditentry", "changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    entry.refresh_from_db()
    assert (entry.action, entry.reason) == ("user.login", "original")
    assert new_entries().count() == 1


def test_the_audit_changelist_filters_by_action_actor_and_date_and_searches(admin_client, punjab_reporter):
    other = make_user("other@example.org")
    audit.record(actor=punjab_reporter, action="user.logout", obj=punjab_reporter)
    audit.record(actor=other, action="user.logout", obj=other, reason="from the field office")
    audit.record(actor=other, action="observation.submit", object_type="tracker.observation", object_id="7")
    AuditEntry.objects.create(at=datetime(2023, 5, 1, tzinfo=UTC), actor=other, action="user.logout")
    url = admin_url("tracker.auditentry", "changelist")
    cases = [
        ({"action": "user.logout"}, 3),
        ({"actor__id__exact": other.pk}, 3),
        ({"actor__id__exact": other.pk, "action": "user.logout"}, 2),
        ({"at__gte": "2023-01-01", "at__lt": "2024-01-01"}, 1),
        ({"at__gte": str(timezone.localdate())}, AuditEntry.objects.count() - 1),
        ({"q": "field office"}, 1),
        ({"q": "observation.submit"}, 1),
    ]
    for params, expected in cases:
        response = admin_client.get(url, params)
        assert response.status_code == 200, params
        assert response.context["cl"].result_count == expected, params


def test_reporting_assignments_are_written_through_the_services(new_entries, admin_client, admin_user):
    indicator, body = IndicatorFactory.create(), BodyFactory.create()
    response = admin_client.post(
        admin_url("tracker.reportingassignment", "add"),
        {"indicator": indicator.pk, "body": body.pk, "cadence": Cadence.MONTHLY, "due_day": 10, "active": "on"},
    )
    assert response.status_code == 302
    assignment = ReportingAssignment.objects.get()
    assert new_entries().get().action == "assignment.create"

    other = IndicatorFactory.create()
    change = admin_url("tracker.reportingassignment", "change", assignment.pk)
    response = admin_client.post(change, {"indicator": other.pk, "cadence": Cadence.ANNUAL, "due_day": 10})

    assert response.status_code == 302
    assignment.refresh_from_db()
    # Indicator and body are fixed once assigned; cadence and active are what changes.
    assert (assignment.indicator, assignment.cadence, assignment.active) == (indicator, Cadence.ANNUAL, False)
    entry = new_entries().get(action="assignment.update")
    assert entry.actor == admin_user and entry.after["cadence"] == "annual"
    assert new_entries().count() == 2
    assert admin_client.post(admin_url("tracker.reportingassignment", "delete", assignment.pk)).status_code == 403


def test_reporting_assignment_admin_refuses_a_due_day_outside_the_month(new_entries, admin_client):
    indicator, body = IndicatorFactory.create(), BodyFactory.create()
    response = admin_client.post(
        admin_url("tracker.reportingassignment", "add"),
        {"indicator": indicator.pk, "body": body.pk, "cadence": Cadence.MONTHLY, "due_day": 31},
    )
    assert response.status_code == 200
    assert "due_day" in response.context["adminform"].form.errors
    assert not ReportingAssignment.objects.exists() and not new_entries().exists()


def test_evidence_admin_shows_metadata_and_never_the_stored_file(admin_client, punjab_reporter):
    evidence = Evidence.objects.create(
        observation=ObservationFactory.create(),
        file="evidence/Zq3server-chosen.pdf",
        original_name="apex minutes.pdf",
        content_type="application/pdf",
        size=2048,
        sha256="a" * 64,
        uploaded_by=punjab_reporter,
    )
    change = admin_url("tracker.evidence", "change", evidence.pk)

    content = admin_client.get(change).content.decode()

    assert "apex minutes.pdf" in content and "a" * 64 in content
    assert "Zq3server-chosen" not in content  # neither the stored name nor a media URL
    assert reverse("tracker:evidence-download", args=[evidence.observation_id, evidence.pk]) in content
    assert admin_client.get(admin_url("tracker.evidence", "add")).status_code == 403
    assert admin_client.post(change, {"original_name": "renamed.pdf"}).status_code == 403
    assert admin_client.post(admin_url("tracker.evidence", "delete", evidence.pk), {"post": "yes"}).status_code == 403
    evidence.refresh_from_db()
    assert evidence.original_name == "apex minutes.pdf"


def test_notification_log_is_read_only(admin_client, punjab_reporter):
    log = NotificationLog.objects.create(user=punjab_reporter, kind="reminder", key="k1")
    assert admin_client.get(admin_url("tracker.notificationlog", "change", log.pk)).status_code == 200
    assert admin_client.get(admin_url("tracker.notificationlog", "add")).status_code == 403
    assert admin_client.post(admin_url("tracker.notificationlog", "delete", log.pk), {"post": "yes"}).status_code == 403
    assert NotificationLog.objects.filter(pk=log.pk).exists()
