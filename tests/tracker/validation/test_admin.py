"""Rules are reference data edited in the admin, audited like the rest; findings and runs are read-only there."""

import pytest
from django.urls import reverse

from tracker.models import AuditEntry, ValidationRule

pytestmark = pytest.mark.django_db


def rule_form(**overrides):
    data = {
        "slug": "convictions-within-cases",
        "name": "Convictions within cases registered",
        "description": "",
        "kind": "relation",
        "severity": "warning",
        "active": "on",
        "framework": "",
        "indicator": "",
        "whole_body": "",
        "tolerance_percent": "0",
        "min_value": "",
        "max_value": "",
        "mad_k": "",
        "history": "8",
        "expression": "convictions <= cases-registered",
        "lookback": "4",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def test_a_rule_is_added_in_the_admin_with_an_audit_entry(admin_client):
    url = reverse("admin:tracker_validationrule_add")
    refused = admin_client.post(url, rule_form(expression="__import__('os').system('x') <= 1"))
    assert refused.status_code == 200 and not ValidationRule.objects.exists()
    assert "expression" in refused.context["adminform"].form.errors
    assert admin_client.post(url, rule_form()).status_code == 302
    rule = ValidationRule.objects.get()
    entry = AuditEntry.objects.get(action="validationrule.create")
    assert entry.object_id == str(rule.pk) and (entry.after or {})["expression"] == "convictions <= cases-registered"


def test_findings_and_runs_are_read_only_in_the_admin(admin_client):
    for model in ("finding", "validationrun"):
        assert admin_client.get(reverse(f"admin:tracker_{model}_changelist")).status_code == 200
        assert admin_client.get(reverse(f"admin:tracker_{model}_add")).status_code == 403
