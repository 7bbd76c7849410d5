"""API view of the status as of a date: the latest approved figure of every indicator, as the report reads it.

The rows come from ``Observation.objects.latest_per_series`` (through ``selectors.status_as_of``), the method
the status report is built from, so the API and the report never disagree. Only approved, current figures are shown, so
every signed-in role sees the same answer.
"""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker import selectors
from tracker.api import examples as ex
from tracker.api.fields import DecimalStringField, StrictSlugRelatedField
from tracker.choices import DatePrecision, Unit, ValueQualifier
from tracker.formatting import format_figure, format_period_label, observation_figure
from tracker.models import Body, Framework
from tracker.selectors import StatusRow


class StatusQuerySerializer(serializers.Serializer):
    framework = StrictSlugRelatedField(
        slug_field="slug", queryset=Framework.objects.all(), help_text="Framework slug: nap-2014 or nap-2021."
    )
    as_of = serializers.DateField(help_text="The date of the status (YYYY-MM-DD): figures dated after it are left out.")
    body = StrictSlugRelatedField(
        slug_field="slug",
        queryset=Body.objects.reporting(),
        required=False,
        help_text="Only this body's figures. Leave out for every figure, national and per body.",
    )


class StatusItemSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()


class StatusIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.ChoiceField(choices=Unit.choices)


class StatusSourceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    publisher = serializers.CharField(source="publisher.slug")
    title = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)


class StatusRowSerializer(serializers.Serializer):
    item = StatusItemSerializer(source="series_indicator.item")
    indicator = StatusIndicatorSerializer(source="series_indicator")
    observed_indicator = serializers.CharField(
        source="observation.indicator.code",
        help_text="The indicator the figure was recorded for (another framework's if carried).",
    )
    via_crosswalk = serializers.BooleanField(
        help_text="True for a figure of the other framework, linked by the crosswalk."
    )
    body = serializers.CharField(
        source="observation.body.slug", allow_null=True, help_text="Reporting body; null = national."
    )
    observation = serializers.IntegerField(source="observation.pk")
    value = DecimalStringField(
        source="observation.value", allow_null=True, help_text="The full figure as a decimal string; null for text."
    )
    value_qualifier = serializers.ChoiceField(source="observation.value_qualifier", choices=ValueQualifier.choices)
    text_value = serializers.CharField(source="observation.text_value", allow_blank=True)
    figure = serializers.SerializerMethodField(help_text='The figure as a person reads it: "about 30,000", "↓91%".')
    period_start = serializers.DateField(source="observation.period_start", allow_null=True)
    period_end = serializers.DateField(source="observation.period_end")
    date_precision = serializers.ChoiceField(source="observation.date_precision", choices=DatePrecision.choices)
    period = serializers.SerializerMethodField(help_text='The period as its source gives it: "2024", "1 Oct 2017".')
    source = StatusSourceSerializer(source="observation.source")  # type: ignore[assignment]

    def get_figure(self, row: StatusRow) -> str:
        return format_figure(observation_figure(row.observation))

    def get_period(self, row: StatusRow) -> str:
        obs = row.observation
        return format_period_label(obs.period_start, obs.period_end, obs.date_precision)


class StatusSerializer(serializers.Serializer):
    framework = serializers.CharField()
    as_of = serializers.DateField()
    body = serializers.CharField(allow_null=True)
    count = serializers.IntegerField()
    results = StatusRowSerializer(many=True)


def _single_values(request: Request) -> dict[str, str]:
    """The query string as plain values; a parameter given twice is refused rather than guessed at."""
    repeated = {
        name: [_("Give this parameter once.")] for name, values in request.query_params.lists() if len(values) > 1
    }
    if repeated:
        raise serializers.ValidationError(repeated)
    return {name: values[0] for name, values in request.query_params.lists()}


class StatusView(APIView):
    extra_error_codes = {"get": ("400",)}

    @extend_schema(
        summary="The latest approved figure of every indicator as of a date",
        description="What the status report shows for the framework on the date: for each indicator series the "
        "latest approved, current figure dated on or before `as_of`, one row per reporting body (and one for "
        "the national figure). Figures of the other framework carried over the crosswalk say so. Not paginated: "
        "one row per indicator and body.",
        parameters=[StatusQuerySerializer],
        responses={200: StatusSerializer},
        examples=[ex.STATUS],
    )
    def get(self, request: Request) -> Response:
        query = StatusQuerySerializer(data=_single_values(request))
        query.is_valid(raise_exception=True)
        framework: Framework = query.validated_data["framework"]
        as_of = query.validated_data["as_of"]
        body: Body | None = query.validated_data.get("body")
        rows = selectors.status_as_of(framework=framework, as_of=as_of, body=body)
        data: dict[str, Any] = {
            "framework": framework.slug,
            "as_of": as_of,
            "body": body.slug if body else None,
            "count": len(rows),
            "results": rows,
        }
        return Response(StatusSerializer(data).data)
