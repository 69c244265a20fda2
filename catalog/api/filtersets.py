"""Query filters of the collection list: ``?biobank=<code>&q=<part of the name>``."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from catalog.models import Collection


class CollectionFilterSet(django_filters.FilterSet):
    biobank = django_filters.CharFilter(field_name="biobank__code", help_text="Code of the biobank.")
    q = django_filters.CharFilter(method="filter_q", max_length=200, help_text="Part of the name, case-insensitive.")

    class Meta:
        model = Collection
        fields = ["biobank", "q"]

    def filter_q(self, queryset: QuerySet[Collection], name: str, value: str) -> QuerySet[Collection]:
        return queryset.filter(name__icontains=value.strip())
