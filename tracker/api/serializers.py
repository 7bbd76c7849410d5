"""Thin serializers: what the API shows, and the inputs it accepts. Writes go through ``tracker.services``.

Inputs never carry the state, version bumps, approver or audit fields: those belong to the workflow.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tracker.api.fields import (
    DecimalStringField,
    EntryDateField,
    StrictCharField,
    StrictIntegerField,
    StrictPrimaryKeyRelatedField,
    StrictSlugRelatedField,
)
from tracker.choices import OUTSIDE_PUBLISHER_KINDS, BodyKind, DatePrecision, Rating, ValueQualifier
from tracker.models import (
    AgendaItem,
    Assessment,
    Body,
    CrosswalkLink,
    Framework,
    Indicator,
    Observation,
    ObservationComment,
    Responsibility,
    Source,
)
from tracker.services import ObservationInput
from tracker.services.observations import INPUT_FIELD_SPECS, INPUT_FIELDS
from tracker.services.sources import SourceInput


class FrameworkSerializer(serializers.ModelSerializer[Framework]):
    supersedes: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Framework
        fields = [
            "slug",
            "title",
            "short_title",
            "description",
            "adopted_on",
            "adopted_precision",
            "supersedes",
            "item_count",
        ]


class ResponsibilitySerializer(serializers.ModelSerializer[Responsibility]):
    body: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Responsibility
        fields = ["body", "role", "is_editorial"]


class AgendaItemSerializer(serializers.ModelSerializer[AgendaItem]):
    framework: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    responsibilities = ResponsibilitySerializer(many=True, read_only=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "framework",
            "number",
            "title",
            "description",
            "category",
            "category_is_editorial",
            "responsibilities",
        ]


class ItemRefSerializer(serializers.ModelSerializer[AgendaItem]):
    framework: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "framework", "number", "title"]


class CrosswalkLinkSerializer(serializers.ModelSerializer[CrosswalkLink]):
    from_item = ItemRefSerializer(read_only=True)
    to_item = ItemRefSerializer(read_only=True)

    class Meta:
        model = CrosswalkLink
        fields = ["id", "from_item", "to_item", "note", "is_editorial"]


class BodySerializer(serializers.ModelSerializer[Body]):
    parent: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = Body
        fields = ["slug", "name", "short_name", "kind", "parent"]


class IndicatorSerializer(serializers.ModelSerializer[Indicator]):
    framework: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        source="item.framework", slug_field="slug", read_only=True
    )
    continues: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "description",
            "item",
            "framework",
            "position",
            "unit",
            "scale",
            "direction",
            "accumulation",
            "status_template",
            "target_value",
            "target_date",
            "continues",
        ]


class SourceSerializer(serializers.ModelSerializer[Source]):
    publisher: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    publisher_name = serializers.CharField(source="publisher.name", read_only=True)
    publisher_kind = serializers.CharField(source="publisher.kind", read_only=True)
    url = serializers.CharField(read_only=True, help_text="Web address; empty when the reference says where to look.")

    class Meta:
        model = Source
        fields = [
            "slug",
            "publisher",
            "publisher_name",
            "publisher_kind",
            "title",
            "published_on",
            "date_precision",
            "url",
            "reference",
            "needs_review",
        ]
        read_only_fields = fields


class ObservationSerializer(serializers.ModelSerializer[Observation]):
    """An observation as the API shows it. ``version`` is what an edit or transition must send back."""

    indicator: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    body: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    source: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[assignment]

    class Meta:
        model = Observation
        # The entered fields in the one list's order (``ObservationInput``), then what the workflow writes.
        fields = [
            "id",
            *INPUT_FIELDS,
            "editorial_note",
            "state",
            "version",
            "supersedes",
            "correction_reason",
            "return_reason",
            "created_at",
            "updated_at",
            "submitted_at",
            "approved_at",
        ]
        read_only_fields = fields


# A list of observations is read as plain values and each value rendered by the serializer's own field: model
# instances (with their indicator, body and source) and DRF's per-object field walk cost more than the page's
# query (a page of 50: 28 ms of CPU against a 3 ms query at 1M rows). Related objects are read by their slugs.
_OBSERVATION_RELATED_VALUES = {
    "indicator": "indicator__code",
    "body": "body__slug",
    "source": "source__slug",
    "supersedes": "supersedes_id",
}
OBSERVATION_VALUES = tuple(_OBSERVATION_RELATED_VALUES.get(name, name) for name in ObservationSerializer.Meta.fields)


@functools.cache
def _observation_plan() -> list[tuple[str, str, Callable[[Any], Any] | None]]:
    # Built once per process: the fields keep no state between values (a time is put in the current time zone
    # when rendered).
    fields = ObservationSerializer().fields
    return [
        (name, key, None if name in _OBSERVATION_RELATED_VALUES else fields[name].to_representation)
        for name, key in zip(ObservationSerializer.Meta.fields, OBSERVATION_VALUES, strict=True)
    ]


def observation_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of ``OBSERVATION_VALUES`` as ``ObservationSerializer`` renders the observations they were read from."""
    plan = _observation_plan()
    return [
        {
            name: None if row[key] is None else render(row[key]) if render is not None else row[key]
            for name, key, render in plan
        }
        for row in rows
    ]


class RefuseUnknownFields(serializers.Serializer):
    """Input naming a field the operation does not take is refused, not silently dropped: a client that sends
    ``state`` or ``approved_by`` learns that the workflow sets those."""

    WORKFLOW_FIELDS = frozenset(
        {"state", "approved_by", "approved_at", "submitted_at", "created_by", "created_at", "supersedes", "id"}
    )

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            errors = {
                name: [
                    _("Set by the workflow; clients cannot set it.")
                    if name in self.WORKFLOW_FIELDS
                    else _("Unknown field for this operation.")
                ]
                for name in data
                if name not in self.fields
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def _input_serializer_field(name: str, meta: Any) -> serializers.Field:
    """An API field for one entered field of ``ObservationInput``. Lengths and ranges are the one validation's
    rules (same message as the form and the import), so the fields here only read the JSON types."""
    required = bool(meta["required"])
    help_text = str(meta["help_text"]) or None
    builders: dict[str, Any] = {
        "indicator": lambda: StrictSlugRelatedField(slug_field="code", queryset=Indicator.objects.all()),
        "body": lambda: StrictSlugRelatedField(slug_field="slug", queryset=Body.objects.all(), allow_null=True),
        "period_start": lambda: EntryDateField(required=False, allow_null=True),
        "period_end": lambda: EntryDateField(),
        "date_precision": lambda: serializers.ChoiceField(choices=DatePrecision.choices, default=DatePrecision.DAY),
        "value": lambda: DecimalStringField(required=False, allow_null=True, help_text=help_text),
        "value_qualifier": lambda: serializers.ChoiceField(
            choices=ValueQualifier.choices, default=ValueQualifier.EXACT
        ),
        "source": lambda: StrictSlugRelatedField(slug_field="slug", queryset=Source.objects.all()),
    }
    if name in builders:
        return builders[name]()
    return StrictCharField(required=required, allow_blank=True, default="", help_text=help_text, trim_whitespace=True)


# The entered fields, built from the one field list (``ObservationInput``).
ObservationInputFields = type(
    "ObservationInputFields",
    (RefuseUnknownFields,),
    {name: _input_serializer_field(name, meta) for name, meta in INPUT_FIELD_SPECS},
)


class ObservationInputSerializer(ObservationInputFields):  # type: ignore[valid-type,misc]
    """The values a reporter enters. ``body`` empty = a national figure (NACTA M&E only)."""

    def to_input(self) -> ObservationInput:
        data: dict[str, Any] = dict(self.validated_data)
        return ObservationInput(**{name: data[name] for name in INPUT_FIELDS if name in data})


class ObservationUpdateSerializer(ObservationInputSerializer):
    version = StrictIntegerField(min_value=1, help_text="The version you read; a stale one answers 409.")


class ObservationCorrectSerializer(ObservationInputSerializer):
    reason = StrictCharField(help_text="Why the approved figure needs a correction.")


class VersionSerializer(RefuseUnknownFields):
    version = StrictIntegerField(min_value=1, help_text="The version you read; a stale one answers 409.")


class ReturnSerializer(VersionSerializer):
    reason = StrictCharField(help_text="Why it goes back: the reporter sees this.")


class AssessmentSerializer(serializers.ModelSerializer[Assessment]):
    source: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )  # type: ignore[assignment]

    class Meta:
        model = Assessment
        fields = [
            "id",
            "item",
            "as_of",
            "date_precision",
            "rating",
            "narrative",
            "source",
            "quote",
            "editorial_note",
            "created_at",
        ]
        read_only_fields = fields


class AssessmentInputSerializer(RefuseUnknownFields):
    item = StrictPrimaryKeyRelatedField(queryset=AgendaItem.objects.all())
    as_of = serializers.DateField()
    date_precision = serializers.ChoiceField(choices=DatePrecision.choices, default=DatePrecision.DAY)
    rating = serializers.ChoiceField(choices=Rating.choices)
    narrative = StrictCharField(required=False, allow_blank=True, default="", max_length=10000)


class SourceInputSerializer(RefuseUnknownFields):
    """A source to cite: ``publisher`` (a body's slug) or ``publisher_name`` (a newspaper, wire service or
    journal, found by name or added), title, date and its precision, URL or reference. An existing source with
    the same URL, or the same publisher, title and date, is returned instead of a new one."""

    publisher = StrictSlugRelatedField(
        slug_field="slug", queryset=Body.objects.all(), required=False, allow_null=True, default=None
    )
    publisher_name = StrictCharField(required=False, allow_blank=True, default="")
    publisher_kind = serializers.ChoiceField(
        choices=[(k.value, k.label) for k in BodyKind if k in OUTSIDE_PUBLISHER_KINDS],
        default=BodyKind.NEWSPAPER,
        help_text="The kind of a publisher named by `publisher_name` when the portal does not know it yet.",
    )
    title = StrictCharField()
    published_on = EntryDateField()
    date_precision = serializers.ChoiceField(choices=DatePrecision.choices, default=DatePrecision.DAY)
    url = StrictCharField(required=False, allow_blank=True, default="")
    reference = StrictCharField(required=False, allow_blank=True, default="")

    def to_input(self) -> SourceInput:
        return SourceInput(**self.validated_data)


class CommentEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="original_name", read_only=True)
    size = serializers.IntegerField(read_only=True, help_text="Bytes.")


class CommentSerializer(serializers.ModelSerializer[ObservationComment]):
    """One entry of an observation's review conversation."""

    author: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="email", read_only=True, help_text="The author's email address."
    )
    evidence = CommentEvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ObservationComment
        fields = ["id", "author", "kind", "text", "created_at", "evidence"]
        read_only_fields = fields


class CommentInputSerializer(RefuseUnknownFields):
    text = StrictCharField(max_length=5000, help_text="The reply or answer; the thread's readers see it.")
