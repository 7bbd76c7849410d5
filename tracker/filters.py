"""django-filter sets shared by HTML lists, exports and the API.

A filter set narrows a queryset the permission policy has already scoped: it never decides who sees what.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import django_filters
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from tracker import permissions
from tracker.choices import ItemCategory, ObservationState
from tracker.models import AgendaItem, AuditEntry, Body, Framework, Indicator, Observation
from tracker.models.querysets import ObservationQuerySet


def _audit_action_choices() -> list[tuple[Any, Any]]:
    from tracker.selectors.audit import ACTION_GROUPS

    return [(group, list(options)) for group, options in ACTION_GROUPS]


class _PlainChoices(django_filters.fields.ModelChoiceIterator):
    """A model's choices read in one ordinary query. Django reads them with ``iterator()``, which on PostgreSQL
    opens a server-side cursor (DECLARE, FETCH and CLOSE: three round trips) for a few dozen rows."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.queryset:
            yield self.choice(obj)


class CompactSelect(forms.Select):
    """A select whose options are joined in Python: Django renders every option through a template of its own,
    and the explorer's form has about 150. The same markup (a test compares them), without the templates."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts: list[SafeString] = []
        for group, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((option["value"], SELECTED if option["selected"] else "", option["label"]) for option in options),
            )
            parts.append(format_html('<optgroup label="{}">{}</optgroup>', group, rendered) if group else rendered)
        options_html = format_html_join("", "{}", ((part,) for part in parts))  # already escaped: kept as is
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(widget["attrs"]), options_html)


SELECTED = mark_safe(" selected")


class _ModelChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _PlainChoices
    widget = CompactSelect


class _ItemChoiceField(_ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.framework.short_title} {obj.number}. {obj.title}"


class _IndicatorChoiceField(_ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.item.framework.short_title} {obj.item.number} · {obj.name}"


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _ModelChoiceField


class ItemFilter(django_filters.ModelChoiceFilter):
    field_class = _ItemChoiceField


class IndicatorFilter(django_filters.ModelChoiceFilter):
    field_class = _IndicatorChoiceField


class StableOrderingFilter(django_filters.OrderingFilter):
    """Sorts by the chosen column, then newest period and id, so pages never repeat or skip a row.

    A descending sort is the exact reverse of the ascending one (tie-breaks reversed too), so one partial
    index per column (``obs_approved_*_idx``: column, newest period, id) serves both directions, read
    forwards or backwards, instead of sorting every approved row.
    """

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        ordering = [self.get_ordering_value(param) for param in value or [] if param]
        if not ordering:
            return qs
        tie_break = ("period_end", "-pk") if ordering[0].startswith("-") else ("-period_end", "pk")
        return qs.order_by(*ordering, *tie_break)


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# States each role can see at all; analysts see approved figures only (the policy enforces it, this list
# just keeps the form from offering choices that can only come back empty).
ALL_STATES = list(ObservationState.choices)
APPROVED_ONLY = [(ObservationState.APPROVED.value, ObservationState.APPROVED.label)]


class ObservationFilter(django_filters.FilterSet):
    """The analyst explorer's filters; the URL holds them, so a view can be shared."""

    framework = ModelChoiceFilter(
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
    body = ModelChoiceFilter(
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
        widget=CompactSelect,
    )
    period_from = django_filters.DateFilter(
        field_name="period_end", lookup_expr="gte", label=_("Period ending from"), widget=DATE_INPUT
    )
    period_to = django_filters.DateFilter(
        field_name="period_end", lookup_expr="lte", label=_("Period ending until"), widget=DATE_INPUT
    )
    state = django_filters.ChoiceFilter(
        choices=ALL_STATES, label=_("Status"), empty_label=_("Any status"), widget=CompactSelect
    )
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
    """The audit page's filters: a person's name or email, an action in words, dates from a calendar."""

    actor = django_filters.CharFilter(
        field_name="actor_label", lookup_expr="icontains", label=_("Who"), help_text=_("Part of an email address")
    )
    action = django_filters.ChoiceFilter(
        method="filter_action", choices=_audit_action_choices, label=_("Action"), empty_label=_("Any action")
    )
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From"), widget=DATE_INPUT)
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("Until"), widget=DATE_INPUT)
    object_type = django_filters.CharFilter(widget=forms.HiddenInput)
    object_id = django_filters.CharFilter(label=_("Object number"))
    request_id = django_filters.CharFilter(label=_("Request id"))

    class Meta:
        model = AuditEntry
        fields = ["actor", "action", "since", "until", "object_type", "object_id", "request_id"]

    def filter_action(self, queryset: QuerySet[AuditEntry], name: str, value: str) -> QuerySet[AuditEntry]:
        # "observation." stands for every action on figures; a full code for that one action.
        if value.endswith("."):
            return queryset.filter(action__startswith=value)
        return queryset.filter(action=value)


class ReviewQueueFilter(django_filters.FilterSet):
    """The review queue's filters: who reported, which framework and item, how long it has waited, flags."""

    body = django_filters.ModelChoiceFilter(
        field_name="body",
        queryset=Body.objects.order_by("name"),
        label=_("Body"),
        empty_label=_("All bodies and national"),
        null_label=_("National figures"),
        null_value="national",
    )
    framework = django_filters.ModelChoiceFilter(
        field_name="indicator__item__framework",
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
    age = django_filters.ChoiceFilter(
        method="filter_age",
        label=_("Waiting"),
        empty_label=_("Any time"),
        choices=[("7", _("more than a week")), ("30", _("more than a month")), ("90", _("more than 3 months"))],
    )
    flag = django_filters.ChoiceFilter(
        method="filter_flag",
        label=_("Flag"),
        empty_label=_("Any"),
        choices=[
            ("resubmitted", _("Resubmitted after a return")),
            ("duplicate", _("Possible duplicate")),
            ("no_evidence", _("No evidence")),
            ("findings", _("Data-quality findings")),
            ("needs_another_reviewer", _("Needs another reviewer (yours)")),
        ],
    )

    class Meta:
        model = Observation
        fields: list[str] = []

    def filter_age(self, queryset: QuerySet[Observation], name: str, value: str) -> QuerySet[Observation]:
        from tracker.selectors.review import filter_age

        return filter_age(queryset, int(value))

    def filter_flag(self, queryset: QuerySet[Observation], name: str, value: str) -> QuerySet[Observation]:
        from tracker.selectors.review import filter_flag

        return filter_flag(queryset, value, user=self.request.user if self.request else AnonymousUser())
