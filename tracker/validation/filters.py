"""The findings' filters, shared by the validation page, its exports and the API. They narrow what the policy
already let the user see (``selectors.visible_findings``); they never decide who sees what."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tracker.choices import FindingState, Severity
from tracker.filters import DATE_INPUT
from tracker.models import Body, Finding, Framework, ValidationRule


class FindingFilter(django_filters.FilterSet):
    framework = django_filters.ModelChoiceFilter(
        label=_("Framework"),
        empty_label=_("All frameworks"),
        field_name="indicator__item__framework",
        to_field_name="slug",
        queryset=Framework.objects.order_by("adopted_on", "slug"),
    )
    as_of = django_filters.DateFilter(
        label=_("Periods up to"), field_name="period_end", lookup_expr="lte", widget=DATE_INPUT
    )
    body = django_filters.ModelChoiceFilter(
        label=_("Body"),
        empty_label=_("All bodies"),
        to_field_name="slug",
        queryset=Body.objects.order_by("name"),
        method="filter_body",
    )
    rule = django_filters.ModelChoiceFilter(
        label=_("Rule"),
        empty_label=_("All rules"),
        to_field_name="slug",
        queryset=ValidationRule.objects.order_by("name"),
    )
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Severity.choices, empty_label=_("Any severity"))
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=FindingState.choices, empty_label=_("Open or followed up"), method="filter_state"
    )

    class Meta:
        model = Finding
        fields = ["framework", "as_of", "body", "rule", "severity", "state"]

    def filter_body(self, queryset: QuerySet[Any], name: str, value: Body) -> QuerySet[Any]:
        # A parts-and-whole finding concerns the whole's body and every part that reported.
        return queryset.filter(Q(body=value) | Q(params__reported_body_ids__contains=[value.pk]))

    def filter_state(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(state=value)

    @property
    def qs(self) -> QuerySet[Any]:
        findings = super().qs
        # Resolved findings are history: shown when asked for, not by default.
        if not self.is_bound or not self.form.is_valid() or not self.form.cleaned_data.get("state"):
            findings = findings.exclude(state=FindingState.RESOLVED)
        return findings.order_by("-period_end", "rule__slug", "pk")

    @property
    def applied(self) -> list[tuple[str, str]]:
        """(label, value) of each filter in use, for the export's "Selection" sheet."""
        if not self.is_bound or not self.form.is_valid():
            return []
        return [
            (str(self.form.fields[name].label), str(value))
            for name, value in self.form.cleaned_data.items()
            if value not in (None, "")
        ]
