"""The API's filter backend: django-filter's, skipped when a request names none of the view's filters.

Building a FilterSet deep-copies every declared filter and binds a form, about 1.5 ms of a list request that only
pages (``?cursor=…&page_size=…``) — a tenth of the specimen list's time (docs/performance.md, "Fourth pass"). A
filterset given no values filters nothing, so the answer is the same; a query parameter that could belong to a
filter (its name, or its name with a widget's suffix such as ``_min``) still goes through it, and so through its
validation.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.request import Request


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        filters = filterset_class.base_filters
        names = tuple(filters)
        required = any(f.extra.get("required") for f in filters.values())  # its absence is a 400: let it say so
        if not required and not any(key.startswith(names) for key in request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)
