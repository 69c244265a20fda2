"""Query filters of the biobank list: ``?network=<code>&country=DE``."""

from __future__ import annotations

import django_filters
from django.core.validators import RegexValidator
from django.db.models import QuerySet

from biobank.accounts.models import Biobank


class BiobankFilterSet(django_filters.FilterSet):
    network = django_filters.CharFilter(field_name="network__code", help_text="Code of the network, e.g. `bbmri-de`.")
    country = django_filters.CharFilter(
        method="filter_country",
        validators=[RegexValidator(r"^[A-Za-z]{2}$", "Use a two-letter ISO 3166-1 code such as DE.")],
        help_text="ISO 3166-1 alpha-2 country code, e.g. `DE` (case-insensitive).",
    )

    class Meta:
        model = Biobank
        fields = ["network", "country"]

    def filter_country(self, queryset: QuerySet[Biobank], name: str, value: str) -> QuerySet[Biobank]:
        return queryset.filter(country=value.upper())
