"""Admin for data-quality rules (reference data, edited and audited here) and, read-only, their findings and
runs: findings change state only through the validation services, which audit each change."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tracker.admin.audited import AuditedModelAdmin, ReadOnlyAdmin
from tracker.models import Finding, ValidationRule, ValidationRun
from tracker.validation.messages import finding_message


@admin.register(ValidationRule)
class ValidationRuleAdmin(AuditedModelAdmin):
    list_display = ("name", "kind", "severity", "indicator", "active")
    list_filter = ("kind", "severity", "active", "framework")
    list_select_related = ("indicator",)
    search_fields = ("name", "slug", "description", "expression", "indicator__code")
    autocomplete_fields = ("indicator", "whole_body", "parts", "framework")
    fieldsets = (
        (None, {"fields": ("slug", "name", "description", "kind", "severity", "active", "framework", "indicator")}),
        (_("Parts and whole"), {"fields": ("whole_body", "parts", "tolerance_percent")}),
        (_("Range"), {"fields": ("min_value", "max_value", "mad_k", "history")}),
        (_("Relation"), {"fields": ("expression",)}),
        (_("Completeness"), {"fields": ("lookback",)}),
    )


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("rule", "severity", "state", "body", "period_end", "message")
    list_filter = ("severity", "state", "rule__kind", "on_submission")
    list_select_related = ("rule", "body")
    search_fields = ("rule__name", "key", "reason")

    @admin.display(description=_("message"))
    def message(self, obj: Finding) -> str:
        return finding_message(obj.rule.kind, obj.params)


@admin.register(ValidationRun)
class ValidationRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "finished_at", "framework", "as_of", "found", "new", "resolved")
