"""Pagination with a stable order: pages of reference data, and cursors for observations (which grow).

A ``page_size`` that is not a whole number from 1 to the maximum is refused (400) rather than silently
replaced by the default, so a script learns of its mistake.
"""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.request import Request


def _strict_page_size(request: Request, *, param: str, default: int, maximum: int) -> int:
    raw = request.query_params.getlist(param)
    if not raw:
        return default
    if len(raw) > 1 or not raw[0].isascii() or not raw[0].isdigit() or not 1 <= int(raw[0]) <= maximum:
        raise ValidationError({param: [_("Give a whole number from 1 to %(max)s.") % {"max": maximum}]})
    return int(raw[0])


class PortalPageNumberPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        return _strict_page_size(request, param="page_size", default=self.page_size, maximum=self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params = super().get_schema_operation_parameters(view)
        for p in params:
            p["schema"] = {"type": "integer", "minimum": 1}
            if p["name"] == "page_size":
                p["schema"]["maximum"] = self.max_page_size
        return params


class ObservationCursorPagination(CursorPagination):
    # The primary key is unique and never changes, so a cursor never skips nor repeats a row while data arrives.
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int:
        return _strict_page_size(request, param="page_size", default=self.page_size, maximum=self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params = super().get_schema_operation_parameters(view)
        for p in params:
            if p["name"] == "page_size":
                p["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return params
