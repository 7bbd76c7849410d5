"""``GET /api/v1/validation/``: data-quality findings over the figures the caller may see, filtered by
framework, date, body, rule, severity and state, paginated. Read-only; follow-up happens on the pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from tracker import permissions
from tracker.api.filters import StrictFilterSet
from tracker.choices import FindingState, RuleKind, Severity
from tracker.models import Finding
from tracker.validation import selectors
from tracker.validation.filters import FindingFilter
from tracker.validation.messages import finding_figures, finding_message


class FindingApiFilter(StrictFilterSet, FindingFilter):
    """The page's filters, strict as every API filter is: a parameter sent empty or twice is an error."""

    class Meta(FindingFilter.Meta):
        pass


class MayViewValidation(BasePermission):
    """The one policy decides: reviewers, administrators and analysts read findings."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return permissions.can(request.user, "view_validation")


class FindingSerializer(serializers.ModelSerializer):
    rule = serializers.CharField(source="rule.slug", help_text="The rule's slug.")
    rule_name = serializers.CharField(source="rule.name")
    kind = serializers.ChoiceField(source="rule.kind", choices=RuleKind.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    state = serializers.ChoiceField(choices=FindingState.choices)
    indicator = serializers.CharField(source="indicator.code", allow_null=True, default=None)
    body = serializers.CharField(source="body.slug", allow_null=True, default=None, help_text="null = national.")
    observation = serializers.IntegerField(
        source="observation_id", allow_null=True, help_text="The figure concerned; null for a missing return."
    )
    figures = serializers.SerializerMethodField(help_text="The figures behind the finding, as people read them.")
    message = serializers.SerializerMethodField(help_text="The finding in words a reviewer can act on.")
    details = serializers.JSONField(source="params", help_text="The numbers behind the message.")

    class Meta:
        model = Finding
        fields = [
            "id",
            "rule",
            "rule_name",
            "kind",
            "severity",
            "state",
            "indicator",
            "body",
            "period_start",
            "period_end",
            "observation",
            "on_submission",
            "figures",
            "message",
            "details",
            "comment",
            "reason",
            "first_seen",
            "last_changed",
            "resolved_at",
        ]

    def get_figures(self, finding: Finding) -> str:
        return finding_figures(finding.rule.kind, finding.params)

    def get_message(self, finding: Finding) -> str:
        return finding_message(finding.rule.kind, finding.params)


@extend_schema(
    summary="Data-quality findings",
    description=(
        "Findings of the validation rules (parts and whole, range, running totals, relations, completeness) over "
        "the figures you may see. Open and followed-up findings unless `state` asks for resolved ones; "
        "`as_of` keeps findings about periods ending on or before that date."
    ),
)
class ValidationListView(generics.ListAPIView):
    serializer_class = FindingSerializer
    filterset_class = FindingApiFilter
    permission_classes = [MayViewValidation]

    def get_queryset(self) -> Any:
        return selectors.visible_findings(self.request.user).select_related("rule", "body", "indicator")
