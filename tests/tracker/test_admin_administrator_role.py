"""The administrator role is the admin job, without being a superuser: a Django group (migration tracker 0005)
holds exactly the model permissions the job needs, and giving or taking the role through the account services
adds or removes the group and staff status. Tested through the admin with an invited, non-superuser account."""

from decimal import Decimal
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from tests.factories import AssessmentFactory, BodyFactory, ObservationFactory
from tests.tracker.workflow.conftest import enrol_totp
from tracker import audit, permissions, services
from tracker.choices import ObservationState, Role
from tracker.models import AuditEntry, Body, Observation

pytestmark = pytest.mark.django_db

REFERENCE = [
    "framework",
    "agendaitem",
    "crosswalklink",
    "body",
    "responsibility",
    "source",
    "indicator",
    "validationrule",
]
EXPECTED_PERMISSIONS = {
    "auth.add_user",
    "auth.change_user",
    "auth.view_user",
    "tracker.add_userrole",
    "tracker.change_userrole",
    "tracker.view_userrole",
    "tracker.add_membership",
    "tracker.delete_membership",
    "tracker.view_membership",
    *(f"tracker.{verb}_{model}" for model in REFERENCE for verb in ("add", "change", "delete", "view")),
    "tracker.add_reportingassignment",
    "tracker.change_reportingassignment",
    "tracker.view_reportingassignment",
    *(f"tracker.view_{model}" for model in ("observation", "assessment", "auditentry", "evidence", "notificationlog")),
    "tracker.view_finding",
    "tracker.view_validationrun",
    "tracker.view_indicatorproposal",  # proposals are decided on the portal's pages, shown here
    "reporting.view_reportedition",
    "reporting.view_reportsubscription",
    "apikeys.view_apitoken",
}


@pytest.fixture
def administrator():
    user = services.user_create(
        actor=None, email="admin@nacta.example.org", role=Role.ADMINISTRATOR, password="correct horse battery"
    )
    enrol_totp(user)
    return user


@pytest.fixture
def admin_as(administrator) -> Client:
    client = Client()
    client.force_login(administrator)
    return client


def url(model: Any, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_the_group_holds_exactly_the_permissions_the_job_needs():
    group = Group.objects.get(name=permissions.ADMINISTRATOR_GROUP)
    held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
    assert held == EXPECTED_PERMISSIONS
    assert not any(codename.endswith("_group") or codename.endswith("_permission") for codename in held)


def test_the_role_gives_and_takes_the_group_and_staff_status(administrator):
    group = Group.objects.get(name=permissions.ADMINISTRATOR_GROUP)
    assert administrator.is_staff and not administrator.is_superuser
    assert group in administrator.groups.all()
    assert administrator.has_perm("tracker.change_body")

    services.user_set_role(actor=None, user=administrator, role=Role.ANALYST, bodies=[])
    administrator.refresh_from_db()
    assert not administrator.is_staff
    assert group not in administrator.groups.all()
    assert not administrator.has_perm("tracker.change_body")

    services.user_set_role(actor=None, user=administrator, role=Role.ADMINISTRATOR, bodies=[])
    administrator.refresh_from_db()
    assert administrator.is_staff and group in administrator.groups.all()


def test_other_roles_get_neither():
    reviewer = services.user_create(actor=None, email="rev@nacta.example.org", role=Role.REVIEWER, password="x" * 12)
    assert not reviewer.is_staff and not reviewer.groups.exists()


def test_every_changelist_answers_the_administrator_as_the_group_allows(admin_as, administrator):
    ObservationFactory.create()
    AssessmentFactory.create()
    for model in admin.site._registry:
        label = f"{model._meta.app_label}.view_{model._meta.model_name}"
        response = admin_as.get(url(model, "changelist"))
        assert response.status_code == (200 if label in EXPECTED_PERMISSIONS else 403), model
    assert admin_as.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_the_administrator_edits_reference_data_through_the_admin_and_it_is_audited(admin_as, administrator):
    data = {"slug": "ctd-ict", "name": "CTD Islamabad", "short_name": "CTD ICT", "kind": "provincial_department"}
    assert admin_as.post(url(Body, "add"), data).status_code == 302
    body = Body.objects.get(slug="ctd-ict")
    response = admin_as.post(url(Body, "change", body.pk), {**data, "name": "CTD Islamabad Capital Territory"})
    assert response.status_code == 302
    body.refresh_from_db()
    assert body.name == "CTD Islamabad Capital Territory"
    actions = list(AuditEntry.objects.filter(actor=administrator).values_list("action", flat=True).order_by("id"))
    assert actions[-2:] == ["body.create", "body.change"]


@pytest.mark.parametrize("state", list(ObservationState))
def test_the_administrator_reads_observations_but_cannot_edit_them(admin_as, state):
    observation = ObservationFactory.create(value=Decimal("484"), state=state, body=BodyFactory.create())
    page = admin_as.get(url(Observation, "change", observation.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_as.post(url(Observation, "change", observation.pk), {"value": "1", "_save": "Save"}).status_code == 403
    assert admin_as.post(url(Observation, "delete", observation.pk), {"post": "yes"}).status_code == 403
    assert admin_as.get(url(Observation, "add")).status_code == 403
    observation.refresh_from_db()
    assert (observation.value, observation.state, observation.version) == (Decimal("484"), state, 1)


READ_ONLY = {
    "assessment": lambda: AssessmentFactory.create(),
    "audit entry": lambda: audit.record(actor=None, action="body.change", obj=BodyFactory.create(), after={"x": 1}),
}


@pytest.mark.parametrize("kind", list(READ_ONLY))
def test_the_administrator_reads_assessments_and_the_audit_trail_but_cannot_change_them(admin_as, kind):
    """Like observations: written by the portal's services (which audit them), only shown in the admin."""
    record = READ_ONLY[kind]()
    model, before = type(record), model_to_dict(record)
    page = admin_as.get(url(model, "change", record.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_as.post(url(model, "change", record.pk), {"_save": "Save"}).status_code == 403
    assert admin_as.post(url(model, "delete", record.pk), {"post": "yes"}).status_code == 403
    assert admin_as.get(url(model, "add")).status_code == 403
    assert model_to_dict(model._default_manager.get(pk=record.pk)) == before


def test_the_administrator_cannot_make_anyone_a_superuser(admin_as, administrator):
    analyst = services.user_create(actor=None, email="an@example.org", role=Role.ANALYST, password="x" * 12)
    page = admin_as.get(url(type(analyst), "change", analyst.pk))
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    with pytest.raises(services.accounts.PermissionDenied):
        services.user_update(actor=administrator, user=analyst, fields={"is_superuser": True})
    analyst.refresh_from_db()
    assert not analyst.is_superuser


@pytest.mark.django_db(transaction=True)
def test_the_administrators_group_survives_a_flush_with_exactly_its_permissions():
    # A transactional test (the browser tests) flushes every table, the data migrations' group included.
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    group = Group.objects.get(name=permissions.ADMINISTRATOR_GROUP)
    granted = set(group.permissions.values_list("content_type__app_label", "content_type__model", "codename"))
    wanted = {
        (app, model, f"{verb}_{model}")
        for (app, model), verbs in permissions.ADMINISTRATOR_GROUP_PERMISSIONS.items()
        for verb in verbs
    }
    assert granted == wanted
