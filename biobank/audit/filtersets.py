"""The filters of the audit trail: ``AuditEventFilter`` for ``/api/v1/audit-events/`` (times without an offset are
UTC, the time every API answer is in: ``biobank.api.utc``) and ``AuditPageFilter`` for the auditor's page (times
without an offset are the portal's local time, the time the page shows; docs/ui.md, "Time, dates and language")."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biobank.api.utc import UtcDateTimeFilter

from .choices import ActorType
from .forms import AuditFilterForm, DateTimeLocalInput, ZonedDateTimeField, zone_name
from .models import AuditEvent
from .selectors import audit_biobanks_of

ORDER = ("object_type", "object_id", "actor", "action", "biobank", "from", "to")


def _biobanks(request: Any) -> QuerySet:
    return audit_biobanks_of(user=getattr(request, "user", None))


class ZonedDateTimeFilter(django_filters.IsoDateTimeFilter):
    """A time typed on the page: one without an offset is the portal's local time (``ZonedDateTimeField``)."""

    field_class = ZonedDateTimeField


def _time_filter(*, start: bool, help_text: Any) -> ZonedDateTimeFilter:
    return ZonedDateTimeFilter(
        field_name="occurred_at",
        lookup_expr="gte" if start else "lt",
        label=_("From") if start else _("To"),
        help_text=help_text,
        widget=DateTimeLocalInput(),
        latest=not start,
    )


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
    from_ = UtcDateTimeFilter(
        field_name="occurred_at",
        lookup_expr="gte",
        label=_("From"),
        help_text=_("Events from this time on (ISO 8601, UTC by default)"),
    )
    to = UtcDateTimeFilter(
        field_name="occurred_at",
        lookup_expr="lt",
        label=_("To"),
        help_text=_("Events before this time (ISO 8601, UTC by default)"),
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


class AuditPageFilter(AuditEventFilter):
    """The page's filter: From and To are typed in the local time the page shows, and labelled with its zone."""

    from_ = _time_filter(start=True, help_text=_("Events at or after this time"))
    to = _time_filter(start=False, help_text=_("Events before this time"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = zone_name(timezone.get_current_timezone())
        self.form.fields["from"].label = _("From (%(zone)s time)") % {"zone": zone}
        self.form.fields["to"].label = _("To (%(zone)s time)") % {"zone": zone}


# "from" is a Python keyword: declared as from_, published as ?from=
for _filterset in (AuditEventFilter, AuditPageFilter):
    _filterset.base_filters["from"] = _filterset.base_filters.pop("from_")
    _filterset.base_filters = {key: _filterset.base_filters[key] for key in ORDER}
