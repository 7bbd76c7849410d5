from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse


def test_editions_are_read_only_in_the_admin_and_schedules_are_editable(db, media_root):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 16)
    client = Client()
    client.force_login(admin)
    assert client.get(reverse("admin:reporting_reportedition_changelist")).status_code == 200
    assert client.get(reverse("admin:reporting_reportedition_add")).status_code == 403
    assert client.get(reverse("admin:reporting_reportsubscription_changelist")).status_code == 200
    schedules = client.get(reverse("admin:django_celery_beat_periodictask_changelist")).content.decode()
    assert "Monthly status report — nap-2014" in schedules
