"""API v1 of the report editions: list, one edition, request a new one, download its files.

Every signed-in user reads editions (they hold approved figures only); requesting one is the policy's
``generate_report``. The download serves the same file as the portal, found through the same selector.
"""

import base64
from typing import Any

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from reporting import services
from reporting.api import examples as ex
from reporting.api import serializers as s
from reporting.api.filters import ReportEditionFilter
from reporting.models import ReportEdition, ReportFormat
from reporting.selectors import edition_file_on_disk
from tracker import permissions
from tracker.api.errors import NON_FIELD
from tracker.api.views import ANY_SEGMENT

CONTENT_TYPES = {
    ReportFormat.HTML: "text/html",
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.CSV: "text/csv",
}
EDITION = s.ReportEditionSerializer


@extend_schema_view(
    list=extend_schema(
        summary="List report editions, newest first",
        description="Every edition in any status (queued, being built, published, failed); files are listed "
        "for published editions only.",
        examples=[ex.EDITION],
    ),
    retrieve=extend_schema(summary="One report edition", examples=[ex.EDITION]),
    create=extend_schema(
        summary="Request a new edition of the status report (reviewers, administrators)",
        description="Answers 202 with the edition and builds it in the background: poll it until `status` is "
        "`published` (or `failed`). Asking again for the same parameters while the data are unchanged returns "
        "the same edition.",
        request=s.EditionRequestSerializer,
        responses={202: EDITION},
        examples=[ex.EDITION_REQUEST, ex.EDITION],
    ),
)
class ReportEditionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = ANY_SEGMENT
    serializer_class = EDITION
    filterset_class = ReportEditionFilter
    queryset = (
        ReportEdition.objects.select_related("framework").prefetch_related("files").order_by("-created_at", "-pk")
    )

    def create(self, request: Request) -> Response:
        if not permissions.can(request.user, "generate_report"):
            raise exceptions.PermissionDenied
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({NON_FIELD: [_("Send a JSON object.")]})
        data = s.EditionRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.to_params()
        edition = services.edition_request(params=params, requested_by=request.user)  # type: ignore[arg-type]  # signed in
        edition = self.get_queryset().get(pk=edition.pk)  # as it is now: an eager build may have published it
        headers = {"Location": request.build_absolute_uri(f"{edition.pk}/")}
        return Response(
            EDITION(edition, context=self.get_serializer_context()).data, status.HTTP_202_ACCEPTED, headers=headers
        )

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # A download is a file whatever the client accepts; only its errors are rendered (as JSON).
        return super().perform_content_negotiation(request, force=force or self.action == "file")

    @extend_schema(
        summary="Download a file of a published edition",
        description="The file the portal serves, as an attachment. `X-Checksum-SHA256` (hex) and `Digest` "
        "(`sha-256=` base64) carry its SHA-256, the same as `sha256` in the edition. 404 unless the edition is "
        "published.",
        parameters=[
            OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=list(CONTENT_TYPES), description="File format.")
        ],
        responses={
            (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description=f"The {fmt.upper()} file")
            for fmt, content_type in CONTENT_TYPES.items()
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"files/(?P<fmt>[^/]+)",
        url_name="file",
        filterset_class=None,
        pagination_class=None,
    )
    def file(self, request: Request, pk: str, fmt: str) -> Any:
        edition = self.get_object()
        found = edition_file_on_disk(edition=edition, fmt=fmt)
        if found is None:
            raise Http404
        file, path = found
        response = FileResponse(
            path.open("rb"), as_attachment=True, filename=path.name, content_type=CONTENT_TYPES[ReportFormat(fmt)]
        )
        response["X-Checksum-SHA256"] = file.sha256
        response["Digest"] = "sha-256=" + base64.b64encode(bytes.fromhex(file.sha256)).decode()
        response["X-Content-Type-Options"] = "nosniff"
        return response
