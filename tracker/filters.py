"""django-filter sets shared by HTML lists, exports and the API.

A filter set narrows a queryset the permission policy has already scoped: it never decides who sees what.
"""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tracker import permissions
from tracker.choices import ItemCategory, ObservationState
from tracker.models import AgendaItem, AuditEntry, Body, Framework, Indicator, Observation
from tracker.models.querysets import ObservationQuerySet


class _ItemChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.framework.short_title} {obj.number}. {obj.title}"


class _IndicatorChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.item.framework.short_title} {obj.item.number} · {obj.name}"


class ItemFilter(django_filters.ModelChoiceFilter):
    field_class = _ItemChoiceField


class IndicatorFilter(django_filters.ModelChoiceFilter):
    field_class = _IndicatorChoiceField


class StableOrderingFilter(django_filters.OrderingFilter):
    """Sorts by the chosen column, then newest period and id, so pages never repeat or skip a row."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        ordering = [self.get_ordering_value(param) for param in value or [] if param]
        return qs.order_by(*ordering, "-period_end", "pk") if ordering else qs


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# States each role can see at all; analysts see approved figures only (the policy enforces it, this list
# just keeps the form from offering choices that can only come back empty).
ALL_STATES = list(ObservationState.choices)
APPROVED_ONLY = [(ObservationState.APPROVED.value, ObservationState.APPROVED.label)]


class ObservationFilter(django_filters.FilterSet):
    """The analyst explorer's filters; the URL holds them, so a view can be shared."""

    framework = django_filters.ModelChoiceFilter(
        field_name="indicator__item__framework",
        to_field_name="slug",
        queryset=Framework.objects.order_by("adopted_on", "slug"),
        label=_("Framework"),
        empty_label=_("All frameworks"),
    )
    item = ItemFilter(
        field_name="indicator__item",
        queryset=AgendaItem.objects.select_related("framework").order_by("framework__adopted_on", "number"),
        label=_("Agenda item"),
        empty_label=_("All items"),
    )
    indicator = IndicatorFilter(
        field_name="indicator",
        to_field_name="code",
        queryset=Indicator.objects.select_related("item__framework").order_by(
            "item__framework__adopted_on", "item__number", "position", "code"
        ),
        label=_("Indicator"),
        empty_label=_("All indicators"),
    )
    body = django_filters.ModelChoiceFilter(
        field_name="body",
        to_field_name="slug",
        queryset=Body.objects.reporting().order_by("name"),
        label=_("Reported for"),
        empty_label=_("All bodies and national"),
        null_label=_("National figures"),
        null_value="national",
    )
    category = django_filters.ChoiceFilter(
        field_name="indicator__item__category",
        choices=ItemCategory.choices,
        label=_("Category"),
        empty_label=_("Kinetic and non-kinetic"),
    )
    period_from = django_filters.DateFilter(
        field_name="period_end", lookup_expr="gte", label=_("Period ending from"), widget=DATE_INPUT
    )
    period_to = django_filters.DateFilter(
        field_name="period_end", lookup_expr="lte", label=_("Period ending until"), widget=DATE_INPUT
    )
    state = django_filters.ChoiceFilter(choices=ALL_STATES, label=_("Status"), empty_label=_("Any status"))
    current = django_filters.BooleanFilter(
        method="filter_current", label=_("Current figures only"), widget=forms.CheckboxInput
    )
    sort = StableOrderingFilter(
        fields=(
            ("period_end", "period"),
            ("indicator__code", "indicator"),
            ("body__name", "body"),
            ("value", "value"),
            ("state", "state"),
            ("approved_at", "approved"),
        ),
        field_labels={
            "period_end": _("Period"),
            "indicator__code": _("Indicator"),
            "body__name": _("Reported for"),
            "value": _("Value"),
            "state": _("Status"),
            "approved_at": _("Approved"),
        },
        label=_("Sort by"),
        empty_label=_("Newest period first"),
    )

    class Meta:
        model = Observation
        fields: list[str] = []

    def __init__(self, *args: Any, user: permissions.UserLike, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not permissions.can(user, "see_unapproved"):
            self.filters["state"].extra["choices"] = APPROVED_ONLY

    def filter_current(self, queryset: QuerySet[Observation], name: str, value: bool) -> QuerySet[Observation]:
        if not value:
            return queryset
        return cast(ObservationQuerySet, queryset).published()

    @property
    def applied(self) -> list[tuple[str, str]]:
        """The filters in force, as (label, value) for people: the export says what it contains."""
        if not self.is_bound or not self.form.is_valid():
            return []
        shown: list[tuple[str, str]] = []
        for name, value in self.form.cleaned_data.items():
            if value in (None, "", False) or name == "sort":
                continue
            field = self.form.fields[name]
            if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
                value = dict(list(field.choices)).get(value, value)  # type: ignore[arg-type]
            elif isinstance(field, django_filters.fields.ModelChoiceField) and hasattr(field, "label_from_instance"):
                value = field.label_from_instance(value) if not isinstance(value, str) else field.null_label
            shown.append((str(field.label), str(value)))
        return shown


class AuditEntryFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="icontains", label=_("Actor"))
    action = django_filters.CharFilter(lookup_expr="startswith", label=_("Action"))
    object_type = django_filters.CharFilter(label=_("Object type"))
    object_id = django_filters.CharFilter(label=_("Object id"))
    request_id = django_filters.CharFilter(label=_("Request id"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = AuditEntry
        fields = ["actor", "action", "object_type", "object_id", "request_id", "since", "until"]
