"""Admin: editions and their files are read-only (immutable records); subscriptions are editable.

The monthly schedules are django-celery-beat's periodic tasks, edited under "Periodic tasks".
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from reporting.models import EditionFile, ReportEdition, ReportSubscription


class EditionFileInline(admin.TabularInline):
    model = EditionFile
    extra = 0
    can_delete = False
    fields = ["format", "path", "size", "sha256"]
    readonly_fields = ["format", "path", "size", "sha256"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReportEdition)
class ReportEditionAdmin(admin.ModelAdmin):
    list_display = ["pk", "framework", "as_of", "scope", "status", "requested_by", "schedule_name", "published_at"]
    list_filter = ["status", "framework", "scope"]
    search_fields = ["schedule_name", "requested_by__username", "data_fingerprint"]
    date_hierarchy = "created_at"
    inlines = [EditionFileInline]
    list_select_related = ["framework", "requested_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in ReportEdition._meta.get_fields() if f.concrete]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # editions come from "Generate now", the schedule or the command

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "framework", "created_at"]
    list_filter = ["framework"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "framework"]
