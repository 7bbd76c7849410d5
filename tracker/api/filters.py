"""django-filter sets for the API.

The explorer's observation filter set lives on the dashboards branch (``tracker/filters.py``); this one keeps
the same parameter names so the two can be unified into one module.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as drf_filters

from tracker.choices import BodyKind, ItemCategory, ObservationState, Rating, Unit
from tracker.models import AgendaItem, Assessment, Body, CrosswalkLink, Framework, Indicator, Observation, Source

BOOLEANS = ("true", "false")


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class StrictFilterSet(drf_filters.FilterSet):
    """A filter set for the API: a parameter given empty, or twice, is an error rather than silently ignored."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.filters:
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data.get(name)]
            if len(values) > 1:
                self.form.add_error(name, _("Give this parameter once."))
                valid = False
            elif values and values[0] is not None and not str(values[0]).strip():
                self.form.add_error(name, _("Leave the parameter out rather than sending it empty."))
                valid = False
            elif values and isinstance(self.filters[name], django_filters.BooleanFilter) and values[0] not in BOOLEANS:
                self.form.add_error(name, _("Use true or false."))
                valid = False
        return valid


class FrameworkSlugFilter(django_filters.ModelChoiceFilter):
    def __init__(self, field_name: str, **kwargs: object) -> None:
        super().__init__(
            field_name=field_name,
            queryset=Framework.objects.all(),
            to_field_name="slug",
            label=_("Framework (slug)"),
            **kwargs,
        )


class AgendaItemFilter(StrictFilterSet):
    framework = FrameworkSlugFilter("framework")
    category = django_filters.ChoiceFilter(choices=ItemCategory.choices)
    number = IntegerFilter()

    class Meta:
        model = AgendaItem
        fields = ["framework", "category", "number"]


class CrosswalkFilter(StrictFilterSet):
    from_framework = FrameworkSlugFilter("from_framework")
    to_framework = FrameworkSlugFilter("to_framework")

    class Meta:
        model = CrosswalkLink
        fields = ["from_framework", "to_framework", "from_item", "to_item"]


class BodyFilter(StrictFilterSet):
    kind = django_filters.ChoiceFilter(choices=BodyKind.choices)

    class Meta:
        model = Body
        fields = ["kind"]


class IndicatorFilter(StrictFilterSet):
    framework = FrameworkSlugFilter("item__framework")
    unit = django_filters.ChoiceFilter(choices=Unit.choices)

    class Meta:
        model = Indicator
        fields = ["framework", "item", "unit"]


class SourceFilter(StrictFilterSet):
    publisher = django_filters.ModelChoiceFilter(queryset=Body.objects.all(), to_field_name="slug")

    class Meta:
        model = Source
        fields = ["publisher"]


class ObservationFilter(StrictFilterSet):
    """Same names as the explorer: framework, item, indicator, body, source, state, period_end range."""

    framework = FrameworkSlugFilter("indicator__item__framework")
    item = django_filters.ModelChoiceFilter(
        field_name="indicator__item", queryset=AgendaItem.objects.all(), label=_("Agenda item (id)")
    )
    indicator = django_filters.ModelChoiceFilter(queryset=Indicator.objects.all(), to_field_name="code")
    body = django_filters.ModelChoiceFilter(queryset=Body.objects.reporting(), to_field_name="slug")
    national = django_filters.BooleanFilter(field_name="body", lookup_expr="isnull", label=_("National figures only"))
    source = django_filters.ModelChoiceFilter(queryset=Source.objects.all(), to_field_name="slug")
    state = django_filters.ChoiceFilter(choices=ObservationState.choices)
    period_end_after = django_filters.DateFilter(field_name="period_end", lookup_expr="gte")
    period_end_before = django_filters.DateFilter(field_name="period_end", lookup_expr="lte")

    class Meta:
        model = Observation
        fields = ["framework", "item", "indicator", "body", "national", "source", "state"]


class AssessmentFilter(StrictFilterSet):
    framework = FrameworkSlugFilter("item__framework")
    rating = django_filters.ChoiceFilter(choices=Rating.choices)

    class Meta:
        model = Assessment
        fields = ["framework", "item", "rating"]
