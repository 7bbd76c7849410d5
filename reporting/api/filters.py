"""Filters of the report editions list, with the API's strict parameter rules."""

import django_filters

from reporting.models import EditionStatus, ReportEdition
from tracker.api.filters import FrameworkSlugFilter, StrictFilterSet


class ReportEditionFilter(StrictFilterSet):
    framework = FrameworkSlugFilter("framework")
    status = django_filters.ChoiceFilter(choices=EditionStatus.choices)
    as_of = django_filters.DateFilter()

    class Meta:
        model = ReportEdition
        fields = ["framework", "status", "as_of"]
