"""API view of the status as of a date: the latest approved figure of every indicator, as the report reads it.

The rows come from ``Observation.objects.latest_per_series`` (through ``selectors.status_as_of``), the method
the status report is built from, so the API and the report never disagree. Only approved, current figures are
shown, so every user of one ``permissions.published_audience`` class sees the same answer.

Whole answers are cached (Django's cache, Redis) as rendered JSON, keyed by the query, the reader's audience
class, language and number style, and the data version (``DataVersion``): every write that can change a
published figure replaces the version in its own transaction, so a cached answer is never stale. A hit costs
the sign-in's queries and one read of the version.
"""

from datetime import date
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from tracker import page_cache, permissions, selectors
from tracker.api import examples as ex
from tracker.api.fields import DecimalStringField, StrictBooleanField, StrictSlugRelatedField
from tracker.choices import DatePrecision, Unit, ValueQualifier
from tracker.formatting import figure_formatter, format_period_label
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
    known_on = serializers.DateField(
        required=False,
        help_text="Use only figures whose source was published on or before this date (YYYY-MM-DD). "
        "Default: the as-of date, so the answer is what could be known then.",
    )
    hindsight = StrictBooleanField(
        in_query=True,
        required=False,
        default=False,
        help_text="True: use every figure known today, whenever its source was published. Not with known_on.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("hindsight") and attrs.get("known_on"):
            raise serializers.ValidationError({"known_on": [_("Give either known_on or hindsight, not both.")]})
        if attrs.get("known_on") and attrs["known_on"] < attrs["as_of"]:
            raise serializers.ValidationError({"known_on": [_("The knowledge date cannot be before the as-of date.")]})
        return attrs


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
    date_precision = serializers.ChoiceField(choices=DatePrecision.choices, help_text="How precise published_on is.")
    url = serializers.CharField(allow_blank=True, help_text="Where the source can be read; empty if not online.")
    reference = serializers.CharField(allow_blank=True, help_text="The originating document, where to find it.")


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
    body_name = serializers.CharField(
        source="observation.body.short_name",
        allow_null=True,
        help_text="The reporting body's short name; null = national.",
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

    # The serializers document the answer (the schema); ``_status_rows`` builds it from plain values.
    def get_figure(self, row: dict[str, Any]) -> str:
        return str(row["figure"])

    def get_period(self, row: dict[str, Any]) -> str:
        return str(row["period"])


class StatusSerializer(serializers.Serializer):
    framework = serializers.CharField()
    as_of = serializers.DateField()
    known_on = serializers.DateField(
        allow_null=True, help_text="Figures published on or before this date only; null: with hindsight."
    )
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
        "latest approved, current figure dated on or before `as_of` whose source was published by `known_on` "
        "(default: `as_of`; `hindsight=true` for everything known today), one row per reporting body (and one "
        "for the national figure). Figures of the other framework carried over the crosswalk say so. Not paginated: "
        "one row per indicator and body.",
        parameters=[StatusQuerySerializer],
        responses={200: StatusSerializer},
        examples=[ex.STATUS],
    )
    def get(self, request: Request) -> HttpResponse:
        params = _single_values(request)
        # What decides the answer beside the data, the reader's audience, language and number style: the query as
        # given (only a valid one is cached: a refused query raises before anything is kept).
        content = page_cache.published_cached(
            "api-status",
            audience=permissions.published_audience(request.user),
            parts=[f"{name}={value}" for name, value in sorted(params.items())],
            build=lambda: _render_status(params),
        )
        return HttpResponse(content, content_type="application/json")


def _render_status(params: dict[str, str]) -> bytes:
    query = StatusQuerySerializer(data=params)
    query.is_valid(raise_exception=True)
    framework: Framework = query.validated_data["framework"]
    as_of = query.validated_data["as_of"]
    body: Body | None = query.validated_data.get("body")
    known_on = None if query.validated_data["hindsight"] else query.validated_data.get("known_on") or as_of
    rows = _status_rows(selectors.status_as_of(framework=framework, as_of=as_of, body=body, known_on=known_on))
    data: dict[str, Any] = {
        "framework": framework.slug,
        "as_of": as_of.isoformat(),
        "known_on": _iso(known_on),
        "body": body.slug if body else None,
        "count": len(rows),
        "results": rows,
    }
    return JSONRenderer().render(data)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _status_rows(rows: list[StatusRow]) -> list[dict[str, Any]]:
    """The rows as ``StatusRowSerializer`` describes them, built from plain values (no serializer per row)."""
    figure = figure_formatter()  # the language and number style are read once
    results = []
    for row in rows:
        f, ind = row.figure, row.series_indicator
        value = f["value"]
        results.append(
            {
                "item": {"number": ind["item__number"], "title": ind["item__title"]},
                "indicator": {"code": ind["code"], "name": ind["name"], "unit": ind["unit"]},
                "observed_indicator": f["indicator__code"],
                "via_crosswalk": bool(f["via_crosswalk"]),
                "body": f["body__slug"],
                "body_name": f["body__short_name"],
                "observation": f["pk"],
                "value": None if value is None else str(value),
                "value_qualifier": f["value_qualifier"],
                "text_value": f["text_value"],
                "figure": figure(
                    value, f["indicator__unit"], f["indicator__scale"], f["value_qualifier"], f["text_value"]
                ),
                "period_start": _iso(f["period_start"]),
                "period_end": _iso(f["period_end"]),
                "date_precision": f["date_precision"],
                "period": format_period_label(f["period_start"], f["period_end"], f["date_precision"]),
                "source": {
                    "slug": f["source__slug"],
                    "publisher": f["source__publisher__slug"],
                    "title": f["source__title"],
                    "published_on": _iso(f["source__published_on"]),
                    "date_precision": f["source__date_precision"],
                    "url": f["source__url"],
                    "reference": f["source__reference"],
                },
            }
        )
    return results
