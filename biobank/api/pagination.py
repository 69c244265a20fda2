"""Cursor pagination: stable under inserts and no COUNT(*) on million-row tables."""

from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-pk"
