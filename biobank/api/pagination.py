"""Cursor pagination: stable under inserts and no COUNT(*) on million-row tables.

A view chooses its order with ``cursor_ordering`` (a unique, unchanging field such as ``pk`` or a unique ``code``);
``?page_size=`` asks for up to ``max_page_size`` rows. The cursor of the ``next``/``previous`` links is written and
read by ``biobank.keyset`` (the one cursor encoding of the portal, shared with the web pages' keyset paging); a
cursor that was tampered with is a 400 naming ``/cursor``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import exceptions, pagination
from rest_framework.utils.urls import replace_query_param

from biobank import keyset


class CursorPagination(pagination.CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-pk"
    invalid_cursor_message = "Invalid cursor; use the 'next' or 'previous' link of an earlier page as it is."
    integer_position = False

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        ordering = getattr(view, "cursor_ordering", None) or self.ordering
        fields = (ordering,) if isinstance(ordering, str) else tuple(ordering)
        self.integer_position = _is_integer_field(queryset.model, fields[0].lstrip("-"))
        return fields

    def decode_cursor(self, request: Any) -> Any:
        token = request.query_params.get(self.cursor_query_param)
        if token is None:
            return None
        try:
            cursor = keyset.decode_cursor(
                token,
                name=self.cursor_query_param,
                integer_position=self.integer_position,
                max_offset=self.offset_cutoff,
            )
        except keyset.InvalidCursor as error:
            raise exceptions.ValidationError({error.name: [error.message]}) from None
        return pagination.Cursor._make((cursor.offset, cursor.reverse, cursor.position))

    def encode_cursor(self, cursor: Any) -> str:
        token = keyset.encode_cursor(
            keyset.Cursor(position=cursor.position, reverse=cursor.reverse, offset=cursor.offset)
        )
        return replace_query_param(self.base_url or "", self.cursor_query_param, token)

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list | None:
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, DjangoValidationError):
            # a well-formed cursor whose position does not fit a non-integer ordering field (e.g. text for a date)
            raise exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from None


def _is_integer_field(model: type[models.Model], name: str) -> bool:
    """A row-id ordering (``pk``, ``seq``): its cursor positions must be ASCII digits (``keyset.read_position``)."""
    try:
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return isinstance(field, models.IntegerField)


class KeysFirstListMixin:
    """A cursor-paginated list in two steps: the page's keys, then its rows.

    The page is chosen on ``get_queryset()`` narrowed to the primary key (``values("pk")``), which PostgreSQL answers
    from an index in the cursor order; the rows (with their ``select_related``) are then read by key. One query more
    than a plain ``ListAPIView``, and it stays one whatever the page size; what it saves is the plan where a wide row
    makes the planner walk the primary key backwards through every other biobank's rows to fill a page
    (docs/performance.md, "API throughput").
    """

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        view: Any = self
        keys = view.paginate_queryset(view.filter_queryset(view.get_queryset()).values("pk"))
        return view.get_paginated_response(self.page_rows([key["pk"] for key in keys]))

    def page_rows(self, keys: Sequence[Any]) -> Any:
        """The serialized rows of ``keys``, in that order (a view may read them more cheaply than this)."""
        view: Any = self
        rows = view.get_queryset().in_bulk(keys)
        return view.get_serializer([rows[key] for key in keys if key in rows], many=True).data
