"""The default schedule: the status report of each framework as of the 1st of every month, 06:00 PKT.

The rows are ordinary django-celery-beat tasks, editable (or disabled) in the admin; reversing this
migration removes only the rows it created.
"""

import json

from django.db import migrations

SCHEDULES = [
    ("Monthly status report — nap-2014", "nap-2014"),
    ("Monthly status report — nap-2021", "nap-2021"),
]
CRONTAB = {"minute": "0", "hour": "6", "day_of_week": "*", "day_of_month": "1", "month_of_year": "*"}


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(timezone="Asia/Karachi", **CRONTAB)
    for name, framework in SCHEDULES:
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": "reporting.scheduled_status_report",
                "crontab": crontab,
                "kwargs": json.dumps({"framework": framework, "scope": "national", "schedule": name}),
                "description": "NACTA annotated status report as of the day it runs; one edition per data change.",
                "enabled": True,
            },
        )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_editions_and_subscriptions"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
