"""The administrator role's Django group: exactly the model permissions the admin job needs.

An administrator manages accounts (through the audited account services behind the user admin), reference
data (audited saves), reporting assignments; and reads the records the services write (observations,
assessments, the audit trail, evidence, notifications, report editions, API tokens). Groups themselves, and
per-user permissions, are not among them: the role decides who is in this group (tracker.services.accounts).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "NAP administrators"
EVERYTHING = ("add", "change", "delete", "view")
PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    # Accounts: "add" leads to the invitation page; the role and bodies are edited in the user's inlines.
    ("auth", "user"): ("add", "change", "view"),
    ("tracker", "userrole"): ("add", "change", "view"),
    ("tracker", "membership"): ("add", "delete", "view"),
    # Reference data, edited here and audited.
    ("tracker", "framework"): EVERYTHING,
    ("tracker", "agendaitem"): EVERYTHING,
    ("tracker", "crosswalklink"): EVERYTHING,
    ("tracker", "body"): EVERYTHING,
    ("tracker", "responsibility"): EVERYTHING,
    ("tracker", "source"): EVERYTHING,
    ("tracker", "indicator"): EVERYTHING,
    # Assignments are made inactive, never deleted (reminders refer to them).
    ("tracker", "reportingassignment"): ("add", "change", "view"),
    # Written by the portal's services only.
    ("tracker", "observation"): ("view",),
    ("tracker", "assessment"): ("view",),
    ("tracker", "auditentry"): ("view",),
    ("tracker", "evidence"): ("view",),
    ("tracker", "notificationlog"): ("view",),
    ("reporting", "reportedition"): ("view",),
    ("reporting", "reportsubscription"): ("view",),
    ("apikeys", "apitoken"): ("view",),
}


def create_group(apps, schema_editor):
    # Permissions are normally created after the last migration; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    User = apps.get_model("auth", "User")
    group, _ = Group.objects.get_or_create(name=GROUP)
    wanted = [
        Permission.objects.get(content_type__app_label=app, content_type__model=model, codename=f"{verb}_{model}")
        for (app, model), verbs in PERMISSIONS.items()
        for verb in verbs
    ]
    group.permissions.set(wanted)
    # Administrators already invited join it now, as the accounts services do from here on.
    administrators = User.objects.filter(nap_role__role="administrator")
    group.user_set.add(*administrators)
    administrators.update(is_staff=True)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0004_evidence_cadence_notifications"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reporting", "0002_default_schedules"),
        ("apikeys", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
