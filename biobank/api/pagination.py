"""Cursor pagination: stable under inserts and no COUNT(*) on million-row tables.

A view chooses its order with ``cursor_ordering`` (a unique, unchanging field such as ``pk`` or a unique ``code``);
``?page_size=`` asks for up to ``max_page_size`` rows. A cursor that was tampered with is a 400 naming ``/cursor``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, pagination


class CursorPagination(pagination.CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-pk"
    invalid_cursor_message = "Invalid cursor; use the 'next' or 'previous' link of an earlier page as it is."

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        ordering = getattr(view, "cursor_ordering", None) or self.ordering
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)

    def decode_cursor(self, request: Any) -> Any:
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from None

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list | None:
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, DjangoValidationError):
            # a well-formed cursor whose position does not fit the ordering field (e.g. text for an integer key)
            raise exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from None
