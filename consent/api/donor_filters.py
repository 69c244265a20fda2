"""Query filters of the donor list: ``?biobank=<code>&pid=<PID>&status=<status>``."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError

from biobank.errors import DomainError
from consent.choices import DonorStatus
from consent.models import Donor
from consent.selectors import donors_with_pids, pid_canonical


class DonorFilterSet(django_filters.FilterSet):
    biobank = django_filters.CharFilter(field_name="biobank__code", help_text="Code of the biobank.")
    pid = django_filters.CharFilter(
        method="filter_pid",
        max_length=20,
        help_text="A PID (with or without hyphens); an earlier PID of a donor finds it too.",
    )
    status = django_filters.ChoiceFilter(choices=DonorStatus.choices)

    class Meta:
        model = Donor
        fields = ["biobank", "pid", "status"]

    def filter_pid(self, queryset: QuerySet[Donor], name: str, value: str) -> QuerySet[Donor]:
        try:
            return donors_with_pids(queryset, [pid_canonical(value)])  # earlier PIDs find the donor too
        except DomainError as error:
            raise ValidationError({"pid": [error.message]}, code=error.code) from None
