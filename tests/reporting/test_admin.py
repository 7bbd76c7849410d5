from django.urls import reverse


def test_editions_are_read_only_in_the_admin_and_schedules_are_editable(admin_client, media_root):
    client = admin_client
    assert client.get(reverse("admin:reporting_reportedition_changelist")).status_code == 200
    assert client.get(reverse("admin:reporting_reportedition_add")).status_code == 403
    assert client.get(reverse("admin:reporting_reportsubscription_changelist")).status_code == 200
    schedules = client.get(reverse("admin:django_celery_beat_periodictask_changelist")).content.decode()
    assert "Monthly status report — nap-2014" in schedules
