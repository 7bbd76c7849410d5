"""django-filter sets shared by HTML lists and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from tracker.models import AuditEntry


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
