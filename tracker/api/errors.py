"""One error shape for the whole API: ``{"status": 400, "message": "…", "errors": {"field": ["…"]}}``.

DRF's own errors, Django's (``Http404``, ``PermissionDenied``, model ``ValidationError``) and the workflow's
refusals all end here, so a client parses one format whatever went wrong. A stale edit (409) also says which
fields changed since the version the client saw.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from tracker.exceptions import StaleVersion, WorkflowError

NON_FIELD = "non_field_errors"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The request conflicts with the current state of the object.")
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    extra: dict[str, Any] = {}
    if isinstance(exc, StaleVersion):
        extra = {
            "current_version": exc.current_version,
            "changes": {name: {"yours": seen, "now": now} for name, (seen, now) in sorted(exc.changes.items())},
        }
        exc = Conflict(exc.message)
    elif isinstance(exc, WorkflowError):
        exc = Conflict(exc.message)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found, or not yours to see."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500 handling logs it
    message, errors = _message_and_errors(response.data)
    response.data = {"status": response.status_code, "message": message, "errors": errors, **extra}
    return response


def _message_and_errors(data: Any) -> tuple[str, dict[str, list[str]]]:
    if isinstance(data, dict) and set(data) == {"detail"}:
        return str(data["detail"]), {}
    if isinstance(data, list):
        data = {NON_FIELD: data}
    errors = {str(field): _flatten(value) for field, value in data.items()}
    general = errors.pop(NON_FIELD, []) + errors.pop("__all__", [])
    if general:
        errors[NON_FIELD] = general
    message = general[0] if general else _("Some values are not valid: see the errors for each field.")
    return message, errors


def _flatten(value: Any, prefix: str = "") -> list[str]:
    """Nested serializer errors become readable strings: ``"item 2: Enter a number."``."""
    if isinstance(value, dict):
        out: list[str] = []
        for key, inner in value.items():
            out += _flatten(inner, f"{prefix}{key}: ")
        return out
    if isinstance(value, list):
        out = []
        for inner in value:
            out += _flatten(inner, prefix)
        return out
    return [f"{prefix}{value}"]
