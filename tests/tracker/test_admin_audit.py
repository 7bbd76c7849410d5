"""Every write made in the admin leaves exactly one audit entry per object, in the same transaction."""

import pytest
from django.urls import reverse

from tests.factories import AgendaItemFactory, FrameworkFactory
from tracker.choices import ItemCategory
from tracker.models import AgendaItem, AuditEntry, Body, Framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries_after_login(admin_client):
    # Logging in writes its own entry; count only what the admin writes afterwards.
    return lambda: AuditEntry.objects.exclude(action__startswith="user.")


def test_creating_changing_and_deleting_a_body_writes_one_entry_each(admin_client, admin_user, entries_after_login):
    add = reverse("admin:tracker_body_add")
    response = admin_client.post(
        add, {"slug": "ctd-ict", "name": "CTD Islamabad", "short_name": "CTD ICT", "kind": "provincial_department"}
    )
    assert response.status_code == 302
    body = Body.objects.get(slug="ctd-ict")
    created = entries_after_login().get()
    assert (created.action, created.actor, created.object_id) == ("body.create", admin_user, str(body.pk))
    assert created.after["short_name"] == "CTD ICT"

    change = reverse("admin:tracker_body_change", args=[body.pk])
    admin_client.post(
        change,
        {
            "slug": "ctd-ict",
            "name": "CTD Islamabad Capital Territory",
            "short_name": "CTD ICT",
            "kind": "provincial_department",
        },
    )
    changed = entries_after_login().get(action="body.change")
    assert changed.before == {"name": "CTD Islamabad"}
    assert changed.after == {"name": "CTD Islamabad Capital Territory"}

    admin_client.post(reverse("admin:tracker_body_delete", args=[body.pk]), {"post": "yes"})
    assert not Body.objects.filter(pk=body.pk).exists()
    deleted = entries_after_login().get(action="body.delete")
    assert deleted.before["slug"] == "ctd-ict"
    assert entries_after_login().count() == 3


def test_an_unchanged_save_writes_nothing(admin_client, entries_after_login):
    framework = FrameworkFactory.create()
    change = reverse("admin:tracker_framework_change", args=[framework.pk])
    page = admin_client.get(change)
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    for prefix in ("items",):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = admin_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert not entries_after_login().exists()


def test_inline_rows_are_audited_with_their_parent(admin_client, entries_after_login):
    framework = Framework.objects.create(slug="nap-test", title="Test plan", short_title="Test")
    change = reverse("admin:tracker_framework_change", args=[framework.pk])
    response = admin_client.post(
        change,
        {
            "slug": "nap-test",
            "title": "Test plan",
            "short_title": "Test",
            "description": "",
            "adopted_on": "",
            "adopted_precision": "day",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-number": "1",
            "items-0-title": "Zero tolerance",
            "items-0-category": ItemCategory.KINETIC,
        },
    )
    assert response.status_code == 302, response.context["inline_admin_formsets"] if response.context else ""
    item = AgendaItem.objects.get(framework=framework)
    assert list(entries_after_login().values_list("action", "object_id")) == [("agendaitem.create", str(item.pk))]


def test_a_refused_save_writes_no_entry(admin_client, entries_after_login):
    item = AgendaItemFactory.create()
    response = admin_client.post(
        reverse("admin:tracker_agendaitem_add"),
        {"framework": item.framework_id, "number": item.number, "title": "Duplicate", "category": "kinetic"},
    )
    assert response.status_code == 200
    assert not entries_after_login().exists()
