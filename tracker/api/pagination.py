"""Pagination with a stable order: pages of reference data, and cursors for observations (which grow)."""

from rest_framework.pagination import CursorPagination, PageNumberPagination


class PortalPageNumberPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ObservationCursorPagination(CursorPagination):
    # The primary key is unique and never changes, so a cursor never skips nor repeats a row while data arrives.
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
