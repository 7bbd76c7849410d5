"""Admin for what supports the workflow: reporting assignments (edited through the audited services), and
evidence files and sent notifications (read-only records)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from tracker import permissions, services
from tracker.admin.audited import ReadOnlyAdmin
from tracker.models import Evidence, IndicatorProposal, NotificationLog, ReportingAssignment


@admin.register(ReportingAssignment)
class ReportingAssignmentAdmin(admin.ModelAdmin):
    list_display = ("indicator", "body", "cadence", "due_day", "active")
    list_filter = ("cadence", ("body", admin.RelatedOnlyFieldListFilter), "active")
    list_select_related = ("indicator", "body")
    search_fields = ("indicator__code", "indicator__name", "body__name", "body__short_name", "body__slug")
    autocomplete_fields = ("indicator", "body")

    def get_readonly_fields(self, request: HttpRequest, obj: ReportingAssignment | None = None) -> tuple[str, ...]:
        # Another indicator or body is another assignment: add it, and make this one inactive.
        return ("indicator", "body") if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: ReportingAssignment | None = None) -> bool:
        return False  # make it inactive: the reminders already sent refer to it

    def save_model(self, request: HttpRequest, obj: ReportingAssignment, form: ModelForm[Any], change: bool) -> None:
        if change:
            services.assignment_update(
                actor=permissions.signed_in(request.user),
                assignment_id=obj.pk,
                cadence=obj.cadence,
                due_day=obj.due_day,
                active=obj.active,
            )
            return
        saved = services.assignment_create(
            actor=permissions.signed_in(request.user),
            indicator=obj.indicator,
            body=obj.body,
            cadence=obj.cadence,
            due_day=obj.due_day,
            active=obj.active,
        )
        obj.pk = saved.pk


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    """The files' metadata only. The file itself is served by the portal's download view, which asks the
    permission policy; the admin never links to the stored file."""

    list_display = ("original_name", "observation", "content_type", "size", "uploaded_by", "uploaded_at")
    list_filter = ("content_type", ("uploaded_at", admin.DateFieldListFilter))
    list_select_related = ("observation__indicator", "uploaded_by")
    search_fields = ("original_name", "sha256", "observation__indicator__code", "observation__indicator__name")
    fields = (
        "observation",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "download",
    )
    readonly_fields = fields

    @admin.display(description=_("download"))
    def download(self, obj: Evidence) -> SafeString:
        url = reverse("tracker:evidence-download", args=[obj.observation_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download through the portal (permission checked)"))


@admin.register(IndicatorProposal)
class IndicatorProposalAdmin(ReadOnlyAdmin):
    """Proposals are made and decided on the portal's pages (audited there); the admin shows them."""

    list_display = ("name", "body", "item", "unit", "state", "proposed_by", "proposed_at", "decided_by")
    list_filter = ("state", "unit", "body")
    list_select_related = ("body", "item__framework", "proposed_by", "decided_by")
    search_fields = ("name", "why", "decision_reason")
    fields = (
        "name",
        "unit",
        "item",
        "body",
        "why",
        "state",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "decided_at",
        "decision_reason",
        "indicator",
    )
    readonly_fields = fields


@admin.register(NotificationLog)
class NotificationLogAdmin(ReadOnlyAdmin):
    list_display = ("sent_at", "user", "kind", "key")
    list_filter = ("kind", ("sent_at", admin.DateFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("user__email", "kind", "key")
    fields = ("user", "kind", "key", "sent_at")
    readonly_fields = fields
