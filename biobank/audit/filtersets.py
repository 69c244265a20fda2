"""The filters of the audit trail, shared by the auditor pages and ``/api/v1/audit-events/``."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .choices import ActorType
from .forms import AuditFilterForm, DateTimeLocalInput
from .models import AuditEvent
from .selectors import audit_biobanks_of


def _biobanks(request: Any) -> QuerySet:
    return audit_biobanks_of(user=getattr(request, "user", None))


class AuditEventFilter(django_filters.FilterSet):
    object_type = django_filters.CharFilter(
        label=_("Object type"), max_length=64, help_text=_("e.g. catalog.collection, accounts.user")
    )
    object_id = django_filters.CharFilter(label=_("Object id"), max_length=64)
    actor = django_filters.CharFilter(
        method="filter_actor",
        label=_("Actor"),
        max_length=254,
        help_text=_("An e-mail address, or type:id such as token:12 or system:nightly-verify"),
    )
    action = django_filters.CharFilter(label=_("Action"), max_length=64, help_text=_("e.g. collection.update"))
    biobank = django_filters.ModelChoiceFilter(
        queryset=_biobanks, to_field_name="code", label=_("Biobank"), help_text=_("Code of the biobank")
    )
    from_ = django_filters.IsoDateTimeFilter(
        field_name="occurred_at",
        lookup_expr="gte",
        label=_("From"),
        help_text=_("Events at or after this time (ISO 8601)"),
        widget=DateTimeLocalInput(),
    )
    to = django_filters.IsoDateTimeFilter(
        field_name="occurred_at",
        lookup_expr="lt",
        label=_("To"),
        help_text=_("Events before this time (ISO 8601)"),
        widget=DateTimeLocalInput(),
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []
        form = AuditFilterForm

    def filter_actor(self, queryset: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        value = value.strip()
        kind, sep, ident = value.partition(":")
        if sep and kind in ActorType.values:
            return queryset.filter(actor_type=kind, actor_id=ident)
        return queryset.filter(actor_label=value.lower() if "@" in value else value)


# "from" is a Python keyword: declared as from_, published as ?from=
AuditEventFilter.base_filters["from"] = AuditEventFilter.base_filters.pop("from_")
AuditEventFilter.base_filters = {
    key: AuditEventFilter.base_filters[key]
    for key in ("object_type", "object_id", "actor", "action", "biobank", "from", "to")
}
