"""API v1 views. Reference data is declarative (read-only viewsets); observation writes call one service each.

Every observation queryset starts from ``Observation.objects.restrict(user, "view")``, so an object outside the user's
scope answers 404 on every route; services then ask the policy for the action (403) and the version (409).
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import page_cache, permissions, selectors, services
from tracker.api import examples as ex
from tracker.api import filters, idempotency
from tracker.api import serializers as s
from tracker.api.errors import NON_FIELD
from tracker.api.pagination import ObservationCursorPagination
from tracker.choices import OUTSIDE_PUBLISHER_KINDS
from tracker.models import AgendaItem, Assessment, CrosswalkLink, Indicator, Observation, Responsibility, Source
from tracker.models.querysets import ASSESSMENT_NEWEST_FIRST
from tracker.selectors import workflow as workflow_selectors
from tracker.services.observations import INPUT_FIELDS

# Any path segment reaches the view, which answers a malformed id or slug with the API's own 404.
ANY_SEGMENT = "[^/]+"


@extend_schema_view(
    list=extend_schema(summary="List frameworks", examples=[ex.FRAMEWORK]),
    retrieve=extend_schema(summary="One framework", examples=[ex.FRAMEWORK]),
)
class FrameworkViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ANY_SEGMENT
    serializer_class = s.FrameworkSerializer
    lookup_field = "slug"
    queryset = selectors.framework_list().order_by("adopted_on", "slug")


@extend_schema_view(
    list=extend_schema(summary="List agenda items", examples=[ex.AGENDA_ITEM]),
    retrieve=extend_schema(summary="One agenda item", examples=[ex.AGENDA_ITEM]),
)
class AgendaItemViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ANY_SEGMENT
    serializer_class = s.AgendaItemSerializer
    filterset_class = filters.AgendaItemFilter
    queryset = (
        AgendaItem.objects.select_related("framework")
        .prefetch_related(Prefetch("responsibilities", queryset=Responsibility.objects.select_related("body")))
        .order_by("framework__adopted_on", "framework__slug", "number")
    )


@extend_schema_view(
    list=extend_schema(summary="List crosswalk links between the 2014 and 2021 items", examples=[ex.CROSSWALK]),
    retrieve=extend_schema(summary="One crosswalk link", examples=[ex.CROSSWALK]),
)
class CrosswalkViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ANY_SEGMENT
    serializer_class = s.CrosswalkLinkSerializer
    filterset_class = filters.CrosswalkFilter
    queryset = CrosswalkLink.objects.select_related("from_item__framework", "to_item__framework").order_by(
        "from_item__framework__slug", "from_item__number", "to_item__number", "id"
    )


@extend_schema_view(
    list=extend_schema(summary="List responsible bodies", examples=[ex.BODY]),
    retrieve=extend_schema(summary="One body", examples=[ex.BODY]),
)
class BodyViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ANY_SEGMENT
    serializer_class = s.BodySerializer
    filterset_class = filters.BodyFilter
    lookup_field = "slug"

    def get_queryset(self) -> Any:
        # Reporting bodies only: newspapers and other outside publishers appear as a source's publisher.
        bodies = permissions.visible_bodies(self.request.user).exclude(kind__in=OUTSIDE_PUBLISHER_KINDS)
        return bodies.select_related("parent").order_by("name", "slug")


@extend_schema_view(
    list=extend_schema(summary="List indicators", examples=[ex.INDICATOR]),
    retrieve=extend_schema(summary="One indicator", examples=[ex.INDICATOR]),
)
class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ANY_SEGMENT
    serializer_class = s.IndicatorSerializer
    filterset_class = filters.IndicatorFilter
    lookup_field = "code"
    queryset = Indicator.objects.select_related("item__framework", "continues").order_by(
        "item__framework__slug", "item__number", "position", "code"
    )


@extend_schema_view(
    list=extend_schema(summary="List sources", examples=[ex.SOURCE]),
    retrieve=extend_schema(summary="One source", examples=[ex.SOURCE]),
    create=extend_schema(
        summary="Cite a source (reporters and reviewers)",
        description="Finds the source by URL, or by publisher, title and date, and answers it with 200; otherwise "
        "adds it, marked for the reviewer, and answers 201.",
        request=s.SourceInputSerializer,
        responses={200: s.SourceSerializer, 201: s.SourceSerializer},
    ),
)
class SourceViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ANY_SEGMENT
    serializer_class = s.SourceSerializer
    filterset_class = filters.SourceFilter
    lookup_field = "slug"
    queryset = Source.objects.select_related("publisher").order_by("-published_on", "title", "slug")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(s.SourceInputSerializer, request.data)
        source, created = services.source_find_or_create(
            actor=permissions.signed_in(request.user), data=data.to_input()
        )
        return Response(
            s.SourceSerializer(source).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


# How the API names a related object in an input: the same slugs the input serializer reads.
_INPUT_KEYS = {"indicator": "code", "body": "slug", "source": "slug"}


def _current_input(obs: Observation) -> dict[str, Any]:
    """The observation's values as an input, so a PATCH changes only what it names."""
    values: dict[str, Any] = {}
    for name in INPUT_FIELDS:
        value = getattr(obs, name)
        if name in _INPUT_KEYS:
            value = None if value is None else getattr(value, _INPUT_KEYS[name])
        elif isinstance(value, Decimal):
            value = str(value)
        values[name] = value
    return values


def _valid(serializer_class: type[serializers.Serializer], data: Any) -> Any:
    if not isinstance(data, dict):
        raise serializers.ValidationError({NON_FIELD: [_("Send a JSON object.")]})
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer


OBS = s.ObservationSerializer
WRITE_ERRORS = {"post": ("409",), "put": ("409",), "patch": ("409",)}


@extend_schema_view(
    list=extend_schema(
        summary="List observations you may see",
        description="Reporters see their bodies' observations in every state and approved ones everywhere; "
        "reviewers see everything; analysts see approved observations. Cursor-paginated, newest first.",
        examples=[ex.OBSERVATION],
    ),
    retrieve=extend_schema(summary="One observation", examples=[ex.OBSERVATION]),
    create=extend_schema(
        summary="Create a draft",
        description="A draft for one of your bodies (M&E may leave `body` empty for a national figure). "
        "A second open figure for the same indicator, body and period is refused (400, with a link to the first); "
        "send an `Idempotency-Key` header to retry safely.",
        request=s.ObservationInputSerializer,
        parameters=[idempotency.PARAMETER],
        responses={201: OBS, 422: OpenApiTypes.OBJECT},
        examples=[ex.OBSERVATION_INPUT, ex.OBSERVATION],
    ),
    update=extend_schema(
        summary="Edit a draft or returned observation",
        request=s.ObservationUpdateSerializer,
        responses={200: OBS},
        examples=[ex.OBSERVATION_UPDATE, ex.OBSERVATION, ex.STALE],
    ),
    partial_update=extend_schema(
        summary="Edit some values of a draft or returned observation",
        request=s.ObservationUpdateSerializer(partial=True),
        responses={200: OBS},
        examples=[ex.VERSION, ex.OBSERVATION, ex.STALE],
    ),
)
class ObservationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = ANY_SEGMENT
    serializer_class = OBS
    filterset_class = filters.ObservationFilter
    pagination_class = ObservationCursorPagination
    extra_error_codes = WRITE_ERRORS

    def get_queryset(self) -> Any:
        qs = Observation.objects.select_related("indicator", "body", "source")
        return qs.restrict(self.request.user, "view").order_by("-id")

    def list(self, request: Request) -> Response:
        def page() -> Any:
            # Plain values, rendered by the serializer's fields (``s.observation_rows``): the same answer for a
            # third of the CPU.
            rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()).values(*s.OBSERVATION_VALUES))
            return self.get_paginated_response(s.observation_rows(rows or [])).data

        if not permissions.reads_published_only(request.user):
            # Drafts and submissions change without a new data version: read each time.
            return Response(page())
        # Approved figures only: the same page for everyone of the reader's audience and request (its links
        # carry the host and the cursor).
        return Response(
            page_cache.published_cached(
                "api-observations",
                audience=permissions.published_audience(request.user),
                parts=[request.build_absolute_uri()],
                build=page,
            )
        )

    def _transition(self, request: Request, service: Callable[..., Observation]) -> Response:
        """A workflow step that takes only the version the client read (submit, approve)."""
        obs = self._locked_scope()
        version = _valid(s.VersionSerializer, request.data).validated_data["version"]
        return Response(
            OBS(service(actor=permissions.signed_in(request.user), observation_id=obs.pk, version=version)).data
        )

    def _locked_scope(self) -> Observation:
        """The observation if the user may see it (404 otherwise); the services re-check under a row lock."""
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def create(self, request: Request) -> Response:
        def write() -> Response:
            data = _valid(s.ObservationInputSerializer, request.data)
            obs = services.observation_create_draft(actor=permissions.signed_in(request.user), data=data.to_input())
            return Response(OBS(obs).data, status=status.HTTP_201_CREATED)

        return idempotency.idempotent(request, route="observations.create", write=write)

    def update(self, request: Request, pk: str) -> Response:
        obs = self._locked_scope()
        data = _valid(s.ObservationUpdateSerializer, request.data)
        obs = services.observation_update(
            actor=permissions.signed_in(request.user),
            observation_id=obs.pk,
            version=data.validated_data["version"],
            data=data.to_input(),
        )
        return Response(OBS(obs).data)

    def partial_update(self, request: Request, pk: str) -> Response:
        obs = self._locked_scope()
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({NON_FIELD: [_("Send a JSON object.")]})
        data = _valid(s.ObservationUpdateSerializer, {**_current_input(obs), **request.data})
        obs = services.observation_update(
            actor=permissions.signed_in(request.user),
            observation_id=obs.pk,
            version=data.validated_data["version"],
            data=data.to_input(),
        )
        return Response(OBS(obs).data)

    @extend_schema(
        summary="Submit for review",
        request=s.VersionSerializer,
        responses={200: OBS},
        examples=[ex.VERSION, ex.OBSERVATION, ex.STALE],
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        return self._transition(request, services.observation_submit)

    @extend_schema(
        summary="Approve a submission (reviewers; never your own entry)",
        request=s.VersionSerializer,
        responses={200: OBS},
        examples=[ex.VERSION, ex.OBSERVATION, ex.STALE],
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._transition(request, services.observation_approve)

    @extend_schema(
        summary="Verify a submission for NACTA M&E (provincial verifiers of bodies that verify first)",
        request=s.VersionSerializer,
        responses={200: OBS},
        examples=[ex.VERSION, ex.OBSERVATION, ex.STALE],
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str) -> Response:
        return self._transition(request, services.observation_verify)

    @extend_schema(
        summary="Return a submission to its reporter with a reason",
        request=s.ReturnSerializer,
        responses={200: OBS},
        examples=[ex.RETURN, ex.OBSERVATION, ex.STALE],
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str) -> Response:
        obs = self._locked_scope()
        data = _valid(s.ReturnSerializer, request.data).validated_data
        result = services.observation_return(
            actor=permissions.signed_in(request.user),
            observation_id=obs.pk,
            version=data["version"],
            reason=data["reason"],
        )
        return Response(OBS(result).data)

    @extend_schema(
        methods=["GET"],
        summary="The review conversation of an observation",
        description="Return reasons, replies and answers, oldest first. Only those who may see the figure's "
        "drafts read it (its bodies' reporters, NACTA M&E); others get 403, or 404 outside their scope.",
        request=None,
        responses={200: s.CommentSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Reply or answer on the review conversation",
        description="Open figures only (not approved). The other side is notified.",
        request=s.CommentInputSerializer,
        responses={201: s.CommentSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def comments(self, request: Request, pk: str) -> Response:
        obs = self._locked_scope()
        if request.method == "POST":
            text = _valid(s.CommentInputSerializer, request.data).validated_data["text"]
            comment = services.comment_create(
                actor=permissions.signed_in(request.user), observation_id=obs.pk, text=text
            )
            return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        permissions.require(request.user, "view_comments", obs)
        thread = workflow_selectors.comment_thread(user=request.user, observation=obs) or []
        return Response(s.CommentSerializer(thread, many=True).data)

    @extend_schema(
        summary="Start a correction of an approved figure",
        description="Creates a draft that supersedes the approved observation once approved; both stay in history.",
        request=s.ObservationCorrectSerializer,
        responses={201: OBS},
        examples=[ex.OBSERVATION_CORRECT, ex.OBSERVATION],
    )
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: str) -> Response:
        obs = self._locked_scope()
        data = _valid(s.ObservationCorrectSerializer, request.data)
        result = services.observation_correct(
            actor=permissions.signed_in(request.user),
            observation_id=obs.pk,
            data=data.to_input(),
            reason=data.validated_data["reason"],
        )
        return Response(OBS(result).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="List assessments of agenda items", examples=[ex.ASSESSMENT]),
    create=extend_schema(
        summary="Assess an agenda item (reviewers)",
        request=s.AssessmentInputSerializer,
        responses={201: s.AssessmentSerializer},
        examples=[ex.ASSESSMENT_INPUT, ex.ASSESSMENT],
    ),
)
class AssessmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.AssessmentSerializer
    filterset_class = filters.AssessmentFilter
    queryset = Assessment.objects.select_related("source").order_by(*ASSESSMENT_NEWEST_FIRST)

    def create(self, request: Request) -> Response:
        data = _valid(s.AssessmentInputSerializer, request.data).validated_data
        assessment = services.assessment_create(actor=permissions.signed_in(request.user), **data)
        return Response(s.AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)
