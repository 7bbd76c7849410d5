"""API views of the bulk import: the per-body template, and the upload with its dry run and commit."""

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker import imports, permissions
from tracker.api import examples as ex
from tracker.choices import Severity
from tracker.models import Body
from tracker.validation.entry import import_findings


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The filled-in template, CSV (UTF-8) or XLSX.")
    dry_run = serializers.BooleanField(default=True, help_text="Check only (the default); false = import.")
    submit = serializers.BooleanField(default=False, help_text="Import as submitted for review instead of drafts.")


class ImportLineSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Row number in the file (the header is row 1).")
    outcome = serializers.ChoiceField(choices=imports.OUTCOMES)
    column = serializers.CharField(allow_blank=True)
    message = serializers.CharField(allow_blank=True)
    observation = serializers.IntegerField(allow_null=True, help_text="The existing observation of an unchanged row.")


class ImportCountsSerializer(serializers.Serializer):
    create = serializers.IntegerField()  # type: ignore[assignment]
    unchanged = serializers.IntegerField()
    error = serializers.IntegerField()
    empty = serializers.IntegerField()


class ImportFindingSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    rule = serializers.CharField()
    severity = serializers.ChoiceField(choices=Severity.choices)
    message = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    committed = serializers.BooleanField()
    counts = ImportCountsSerializer()
    new_sources = serializers.IntegerField(help_text="Sources given in place that the import adds (for review).")
    rows = ImportLineSerializer(many=True)
    findings = ImportFindingSerializer(
        many=True, help_text="Data-quality warnings about the rows to create (dry run only); they do not block."
    )


def import_report(check: imports.ImportCheck, *, dry_run: bool, committed: bool) -> dict[str, Any]:
    findings = [vars(f) for f in import_findings(check)] if dry_run else []
    return {
        "dry_run": dry_run,
        "committed": committed,
        "counts": check.counts(),
        "new_sources": check.new_sources,
        "rows": check.lines(),
        "findings": findings,
    }


class ImportView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Import observations from the template (dry run first)",
        description="With `dry_run` (the default) nothing is written: the answer lists each row's outcome. "
        "With `dry_run=false` every row is imported in one transaction, or none if any row has an error "
        "(400, with the rows' errors). Re-importing the same file creates nothing new.",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={200: ImportReportSerializer, 201: ImportReportSerializer},
        examples=[ex.IMPORT_REPORT],
    )
    def post(self, request: Request) -> Response:
        permissions.require(request.user, "import_upload")
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        dry_run = upload.validated_data["dry_run"]
        try:
            imports.refuse_oversized(file.size or 0)  # before reading a byte of it
            budget = imports.ImportBudget()  # one time budget for reading and checking the file
            # Read at most one byte past the limit: enough for read_upload to refuse an oversized file.
            content = file.read(settings.NAP_IMPORT_MAX_BYTES + 1)
            rows = imports.read_upload(name=file.name or "", content=content, budget=budget)
            if dry_run:
                check = imports.check_rows(actor=request.user, rows=rows, budget=budget)
            else:
                submit = upload.validated_data["submit"]
                check = imports.import_commit(actor=request.user, rows=rows, submit=submit, budget=budget)
        except imports.ImportRefused as exc:
            raise serializers.ValidationError({"file": [exc.message]}) from None
        if dry_run:
            return Response(import_report(check, dry_run=True, committed=False))
        if check.has_errors:
            errors: dict[str, list[str]] = {}
            for line in check.lines():
                if line["outcome"] == imports.ERROR:
                    errors.setdefault(f"row {line['row']}", []).append(
                        f"{line['column']}: {line['message']}" if line["column"] else line["message"]
                    )
            return Response(
                {
                    "status": 400,
                    "message": _("Nothing was imported: %(n)s row(s) have errors.") % {"n": len(errors)},
                    "errors": errors,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(import_report(check, dry_run=False, committed=True), status=status.HTTP_201_CREATED)


class ImportTemplateView(APIView):
    extra_error_codes = {"get": ("400",)}

    @extend_schema(
        summary="Download the import template of one of your bodies",
        parameters=[
            OpenApiParameter("body", str, required=True, description="Slug of a body you report for."),
            OpenApiParameter("format", str, enum=["csv", "xlsx"], default="xlsx"),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The CSV template"),
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiResponse(OpenApiTypes.BINARY, description="The XLSX template"),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        fmt = request.query_params.get("format", "xlsx")
        if fmt not in ("csv", "xlsx"):
            raise serializers.ValidationError({"format": [_("Choose csv or xlsx.")]})
        slug = request.query_params.get("body", "")
        body = Body.objects.filter(slug=slug).first()
        if body is None:
            raise serializers.ValidationError({"body": [_("Unknown body “%(slug)s”.") % {"slug": slug}]})
        permissions.require(request.user, "report_for", body)
        if fmt == "csv":
            response = HttpResponse(imports.template_csv(body=body), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(imports.template_xlsx(body=body), content_type=imports.reading.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="nap-import-{body.slug}.{fmt}"'
        return response
