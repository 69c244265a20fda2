"""Query filters of ``GET /api/v1/specimens/``.

``?barcode=&donor=&collection=&sample_type=&material_type=&status=&lineage=&location=&collected_after=…``: every
filter narrows the permission-scoped list (``specimens_visible_to``), so no filter reaches a foreign specimen. A
malformed value is a 400 problem naming the parameter, never a 500. The time bounds are UTC unless they carry an offset
(``biobank.api.utc``; an offset beyond ±15:59, which PostgreSQL refuses, is compared in UTC too).
"""

from __future__ import annotations

import re

import django_filters
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError

from biobank.api.utc import UtcDateTimeFilter
from biobank.errors import DomainError
from consent.models import Donor
from consent.selectors import donors_with_pids, pid_canonical

from ..choices import LineageKind, SpecimenStatus
from ..models import Specimen, StorageUnit

ROW_ID = re.compile(r"[0-9]{1,18}")


class SpecimenFilterSet(django_filters.FilterSet):
    barcode = django_filters.CharFilter(max_length=64, help_text="The exact barcode.")
    donor = django_filters.CharFilter(
        method="filter_donor",
        max_length=20,
        help_text="The donor's PID, display (`ABCDE-FGHJK-M`) or canonical form; an earlier PID finds it too.",
    )
    collection = django_filters.CharFilter(
        field_name="collection__code", max_length=40, help_text="Code of the collection."
    )
    sample_type = django_filters.CharFilter(max_length=3, help_text="SPREC type of sample, e.g. `SER`, `BLD`.")
    material_type = django_filters.CharFilter(max_length=60, help_text="MIABIS material type, e.g. `Serum`.")
    status = django_filters.ChoiceFilter(choices=SpecimenStatus.choices)
    lineage = django_filters.ChoiceFilter(choices=LineageKind.choices)
    location = django_filters.CharFilter(
        method="filter_location",
        max_length=18,
        help_text="A storage unit id: specimens in that box, or anywhere under that freezer, rack or shelf.",
    )
    collected_after = UtcDateTimeFilter(
        field_name="collected_at",
        lookup_expr="gte",
        help_text="Collected at or after (ISO 8601; without an offset UTC).",
    )
    collected_before = UtcDateTimeFilter(
        field_name="collected_at", lookup_expr="lt", help_text="Collected before (ISO 8601; without an offset UTC)."
    )
    created_after = UtcDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        help_text="Registered at or after (ISO 8601; without an offset UTC).",
    )
    created_before = UtcDateTimeFilter(
        field_name="created_at", lookup_expr="lt", help_text="Registered before (ISO 8601; without an offset UTC)."
    )

    class Meta:
        model = Specimen
        fields: list[str] = []

    def filter_donor(self, queryset: QuerySet[Specimen], name: str, value: str) -> QuerySet[Specimen]:
        try:
            canonical = pid_canonical(value)
        except DomainError as error:
            raise ValidationError({"donor": [error.message]}, code=error.code) from None
        return queryset.filter(donor__in=donors_with_pids(Donor.objects.all(), [canonical]))

    def filter_location(self, queryset: QuerySet[Specimen], name: str, value: str) -> QuerySet[Specimen]:
        if not ROW_ID.fullmatch(value):
            raise ValidationError({"location": ["A storage unit id: 1 to 18 digits 0-9."]}, code="invalid")
        # The unit's materialised path: a box is itself, a freezer every box under it (one indexed prefix match).
        path = StorageUnit.objects.filter(pk=int(value)).values_list("path", flat=True).first()
        if not path:
            return queryset.none()
        return queryset.filter(box__path__startswith=path)
