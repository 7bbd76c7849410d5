"""What the API shows of report editions, and the parameters it accepts to request one."""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reporting.definitions import NATIONAL, ReportParams, ReportParamsError
from reporting.models import EditionFile, EditionStatus, ReportEdition, ReportFormat
from tracker.api.fields import StrictBooleanField, StrictCharField, StrictSlugRelatedField
from tracker.formatting import NUMBER_STYLES, default_number_style
from tracker.models import Body, Framework


class ReportParamsSerializer(serializers.Serializer):
    framework = serializers.CharField()
    as_of = serializers.DateField()
    compare = serializers.DateField(allow_null=True)
    scope = serializers.CharField(help_text='"national", or the slug of the body the report is about.')
    number_style = serializers.ChoiceField(choices=NUMBER_STYLES)
    language = serializers.ChoiceField(choices=[code for code, _name in settings.LANGUAGES])
    known_on = serializers.DateField(
        allow_null=True, required=False, help_text="Figures whose source was published by then; null: hindsight."
    )
    hindsight = serializers.BooleanField(required=False, help_text="True: every figure known when generated.")


class EditionFileSerializer(serializers.ModelSerializer[EditionFile]):
    format = serializers.ChoiceField(choices=ReportFormat.choices)
    size = serializers.IntegerField(help_text="Size in bytes.")
    sha256 = serializers.CharField(help_text="SHA-256 of the file, hex; the download repeats it in a header.")
    url = serializers.SerializerMethodField(help_text="Where the API serves the file.")

    class Meta:
        model = EditionFile
        fields = ["format", "size", "sha256", "url"]

    def get_url(self, file: EditionFile) -> str:
        path = reverse("reporting-api:report-edition-file", args=[file.edition_id, file.format])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ReportEditionSerializer(serializers.ModelSerializer[ReportEdition]):
    framework: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    parameters = ReportParamsSerializer(read_only=True)
    status = serializers.ChoiceField(choices=EditionStatus.choices, read_only=True)
    schedule_name = serializers.CharField(read_only=True, help_text="The schedule that asked for it, if one did.")
    files = serializers.SerializerMethodField(help_text="The files of a published edition; empty until then.")

    class Meta:
        model = ReportEdition
        fields = [
            "id",
            "framework",
            "as_of",
            "known_on",
            "scope",
            "parameters",
            "status",
            "failure_reason",
            "attempts",
            "schedule_name",
            "created_at",
            "started_at",
            "published_at",
            "files",
        ]
        read_only_fields = fields

    @extend_schema_field(EditionFileSerializer(many=True))
    def get_files(self, edition: ReportEdition) -> list[dict[str, Any]]:
        # Files exist only for a published edition; nothing else is ever listed (as on the portal).
        if edition.status != EditionStatus.PUBLISHED:
            return []
        return EditionFileSerializer(edition.files.all(), many=True, context=self.context).data  # type: ignore[return-value]


class EditionRequestSerializer(serializers.Serializer):
    """The parameters of the report to generate; the same parameters and data give the same edition."""

    framework = StrictSlugRelatedField(slug_field="slug", queryset=Framework.objects.all())
    as_of = serializers.DateField()
    compare = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Optional: show the change since this date."
    )
    scope = StrictCharField(
        required=False, default=NATIONAL, max_length=60, help_text='"national" (the default) or a body\'s slug.'
    )
    number_style = serializers.ChoiceField(choices=NUMBER_STYLES, required=False)
    language = serializers.ChoiceField(choices=[code for code, _name in settings.LANGUAGES], required=False)
    known_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Use only figures whose source was published on or before this date. Default: the as-of date.",
    )
    hindsight = StrictBooleanField(
        required=False, default=False, help_text="True: every figure known when the edition is generated."
    )

    def validate_scope(self, value: str) -> str:
        if value != NATIONAL and not Body.objects.reporting().filter(slug=value).exists():
            raise serializers.ValidationError(_("Unknown body “%(slug)s”.") % {"slug": value})
        return value

    def to_params(self) -> ReportParams:
        data = self.validated_data
        try:
            return ReportParams(
                framework=data["framework"].slug,
                as_of=data["as_of"],
                compare=data["compare"],
                scope=data["scope"],
                number_style=data.get("number_style") or default_number_style(),
                language=data.get("language") or settings.LANGUAGE_CODE,
                known_on=data["known_on"],
                hindsight=data["hindsight"],
            )
        except ReportParamsError as error:
            raise serializers.ValidationError({"non_field_errors": [str(error)]}) from None
