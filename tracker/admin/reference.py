"""Admin for reference data: frameworks, items, crosswalk, bodies, sources, indicators; and, to read only,
observations and assessments.

Every save and delete of reference data here, inline rows included, writes its audit entry
(``AuditedModelAdmin``). Validation lives in the models' ``clean()``; the admin's model forms call it, so the
admin refuses what the loader refuses, with the message on the field concerned. Observations and assessments
are written only through the portal's services (workflow, version, audit): the admin shows them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tracker.admin.audited import AuditedModelAdmin, ReadOnlyAdmin
from tracker.formatting import format_date, format_figure, format_period, observation_figure
from tracker.models import (
    AgendaItem,
    Assessment,
    Body,
    CrosswalkLink,
    Framework,
    Indicator,
    Observation,
    Responsibility,
    Source,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class SourceListFilter(admin.RelatedOnlyFieldListFilter):
    """Sources used by the listed rows; a source reads "publisher: title", so the publisher is joined here
    rather than fetched once per choice."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list[tuple[str, str | StrPromise]]:
        used = model_admin.get_queryset(request).values(f"{self.field_path}__pk")
        sources = Source.objects.filter(pk__in=used).select_related("publisher").order_by("-published_on", "title")
        return [(str(source.pk), str(source)) for source in sources]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ("number", "title", "category", "category_is_editorial")
    extra = 0
    show_change_link = True


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ("position", "code", "name", "unit", "scale", "accumulation", "direction")
    extra = 0
    show_change_link = True


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    fields = ("body", "role", "is_editorial")
    autocomplete_fields = ("body",)
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(AuditedModelAdmin):
    list_display = ("short_title", "title", "slug", "adopted_on", "supersedes")
    list_select_related = ("supersedes",)
    search_fields = ("slug", "title", "short_title")
    autocomplete_fields = ("source",)
    inlines = (AgendaItemInline,)


@admin.register(AgendaItem)
class AgendaItemAdmin(AuditedModelAdmin):
    list_display = ("number", "title", "framework", "category", "category_is_editorial")
    list_display_links = ("number", "title")
    list_filter = ("framework", "category", "category_is_editorial")
    list_select_related = ("framework",)
    search_fields = ("title", "description")
    ordering = ("framework__adopted_on", "framework__slug", "number")
    inlines = (IndicatorInline, ResponsibilityInline)


@admin.register(CrosswalkLink)
class CrosswalkLinkAdmin(AuditedModelAdmin):
    list_display = ("from_item", "to_item", "is_editorial", "note")
    list_filter = (("from_framework", admin.RelatedOnlyFieldListFilter), "is_editorial")
    list_select_related = ("from_item__framework", "to_item__framework")
    search_fields = ("from_item__title", "to_item__title", "note")
    autocomplete_fields = ("from_item", "to_item")


@admin.register(Body)
class BodyAdmin(AuditedModelAdmin):
    list_display = ("name", "short_name", "slug", "kind", "parent")
    list_filter = ("kind", ("parent", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("parent",)
    search_fields = ("name", "short_name", "slug")
    autocomplete_fields = ("parent",)


@admin.register(Responsibility)
class ResponsibilityAdmin(AuditedModelAdmin):
    list_display = ("item", "body", "role", "is_editorial")
    list_filter = ("role", "is_editorial", "item__framework")
    list_select_related = ("item__framework", "body")
    search_fields = ("item__title", "body__name", "body__short_name")
    autocomplete_fields = ("item", "body")


@admin.register(Source)
class SourceAdmin(AuditedModelAdmin):
    list_display = ("title", "publisher", "published", "url", "needs_review")
    list_filter = ("needs_review", ("publisher", admin.RelatedOnlyFieldListFilter), "date_precision")
    list_select_related = ("publisher",)
    readonly_fields = ("created_by", "created_at")
    search_fields = ("title", "slug", "reference", "publisher__name", "publisher__short_name")
    autocomplete_fields = ("publisher",)

    @admin.display(description=_("published"), ordering="published_on")
    def published(self, obj: Source) -> str:
        return format_date(obj.published_on, obj.date_precision) if obj.published_on else ""


@admin.register(Indicator)
class IndicatorAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "item", "unit", "scale", "accumulation")
    list_filter = ("unit", "item__framework", "accumulation", "direction")
    list_select_related = ("item__framework",)
    search_fields = ("code", "name")
    autocomplete_fields = ("item", "continues")


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    """Observations, to read. They are written only through the portal's pages and API, whose services keep
    the workflow (draft, submitted, approved; corrections supersede), the version and the audit trail."""

    list_display = ("indicator", "figure", "period", "reported_for", "source", "state")
    list_filter = (
        "state",
        "indicator__item__framework",
        ("body", admin.RelatedOnlyFieldListFilter),
        ("source", SourceListFilter),
    )
    list_select_related = ("indicator", "body", "source__publisher")
    search_fields = ("indicator__code", "indicator__name", "text_value", "quote", "note", "source__title")
    fieldsets = (
        (None, {"fields": ("indicator", "body")}),
        (_("Date or period"), {"fields": ("period_start", "period_end", "date_precision")}),
        (_("Figure"), {"fields": ("value", "value_qualifier", "text_value")}),
        (_("Source"), {"fields": ("source", "quote", "note", "editorial_note")}),
        (_("Correction"), {"fields": ("supersedes", "correction_reason")}),
        (
            _("Workflow"),
            {
                "fields": (
                    "state",
                    "version",
                    "created_by",
                    "created_at",
                    "updated_at",
                    "submitted_at",
                    "approved_by",
                    "approved_at",
                    "return_reason",
                )
            },
        ),
    )

    @admin.display(description=_("figure"), ordering="value")
    def figure(self, obj: Observation) -> str:
        return format_figure(observation_figure(obj))

    @admin.display(description=_("period"), ordering="period_end")
    def period(self, obj: Observation) -> str:
        return format_period(obj.period_start, obj.period_end, obj.date_precision)

    @admin.display(description=_("reported for"), ordering="body__name")
    def reported_for(self, obj: Observation) -> str:
        return obj.body.name if obj.body else str(_("National"))


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    """Assessments, to read: M&E rates items through the portal (``assessment_create``, audited)."""

    list_display = ("item", "as_of", "rating", "source")
    list_filter = ("rating", "item__framework", ("source", SourceListFilter))
    list_select_related = ("item__framework", "source__publisher")
    search_fields = ("item__title", "narrative", "quote")
