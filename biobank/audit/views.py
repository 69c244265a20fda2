"""The auditor's pages: the filtered trail with the last verification, its export (CSV or XLSX, through the
portal's one export mechanism, ``biobank.web.export``), and an object's history.

Reads go through ``selectors``; a person without the auditor role in any biobank gets 403 (itself recorded as
``access.denied``); events of biobanks they do not audit are never shown.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import Count, F, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from biobank.web.export import Column, export_filters, export_format, export_response
from biobank.web.paging import before_position

from .canonical import format_timestamp
from .filtersets import AuditPageFilter
from .forms import zone_name
from .models import AUDIT_EVENT_COLUMNS, AuditEvent
from .selectors import audit_biobanks_of, audit_events_visible_to, can_read_audit, latest_verification, object_history
from .services import audit_export_record

PAGE_SIZE = 50
CSV_COLUMNS = (*AUDIT_EVENT_COLUMNS, "hash")
# The export's columns: the stored names (machines read them), the time in the chain's own UTC text.
EXPORT_COLUMNS = tuple(Column(name, itemgetter(index)) for index, name in enumerate(CSV_COLUMNS))


def _require_auditor(request: HttpRequest) -> None:
    if not can_read_audit(user=request.user):
        raise PermissionDenied(_("You hold the auditor role in no biobank."))


def _filtered(request: HttpRequest) -> AuditPageFilter:
    return AuditPageFilter(request.GET or None, queryset=audit_events_visible_to(user=request.user), request=request)


def _page_of(events: QuerySet[AuditEvent], request: HttpRequest) -> dict[str, Any]:
    """One page of the trail, newest first, by keyset: ``?before=<seq>`` (older) or ``?after=<seq>`` (newer).

    With the count of the events that match and the place of this page among them (one aggregate query).
    """
    before, after = before_position(request), before_position(request, "after")
    if before is not None and after is not None:
        raise BadRequest(gettext("Give “before” or “after”, not both."))
    if after is not None:
        page = list(events.filter(seq__gt=after).order_by("seq")[:PAGE_SIZE])[::-1]
        if len(page) < PAGE_SIZE:  # the newest events: the first page, full
            page = list(events[:PAGE_SIZE])
    else:
        page = list((events if before is None else events.filter(seq__lt=before))[:PAGE_SIZE])
    if not page:
        return {"events": [], "total": events.count(), "first": 0, "last": 0, "older": None, "newer": None}
    counts = events.aggregate(
        total=Count("seq"),
        newer=Count("seq", filter=Q(seq__gt=page[0].seq)),
        older=Count("seq", filter=Q(seq__lt=page[-1].seq)),
    )
    return {
        "events": page,
        "total": counts["total"],
        "first": counts["newer"] + 1,
        "last": counts["newer"] + len(page),
        "older": page[-1].seq if counts["older"] else None,
        "newer": page[0].seq if counts["newer"] else None,
    }


@require_GET
@login_required
def event_list(request: HttpRequest) -> HttpResponseBase:
    if export_format(request) is not None:  # ?format=csv|xlsx on the list itself, like every list page
        return event_export(request)
    _require_auditor(request)
    filterset = _filtered(request)
    valid = not filterset.is_bound or filterset.is_valid()
    events = filterset.qs if valid else filterset.queryset.none()
    paging = _page_of(events, request)
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    base = query.urlencode()
    return render(
        request,
        "audit/event_list.html",
        {
            "filter": filterset,
            "form": filterset.form,
            **paging,
            "range": _range(filterset) if valid else {},
            "newest_query": base,
            "older_query": _join(base, "before", paging["older"]),
            "newer_query": _join(base, "after", paging["newer"]),
            "export_query": base,
            "zone": zone_name(timezone.get_current_timezone()),
            "verification": latest_verification(),
        },
    )


def _join(query: str, key: str, position: int | None) -> str:
    if position is None:
        return ""
    return f"{query}&{key}={position}" if query else f"{key}={position}"


def _range(filterset: AuditPageFilter) -> dict[str, Any]:
    """The moments the filter's From and To were read as, shown back with their zone (a time can occur twice)."""
    if not filterset.is_bound:
        return {}
    data = filterset.form.cleaned_data
    return {key: data[key] for key in ("from", "to") if data.get(key)}


@require_GET
@login_required
def event_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered trail as CSV (or XLSX with ``?format=xlsx``), streamed straight from a server-side cursor; the
    export itself is audited."""
    _require_auditor(request)
    filterset = _filtered(request)
    if filterset.is_bound and not filterset.is_valid():
        return render(
            request,
            "audit/event_list.html",
            {
                "filter": filterset,
                "form": filterset.form,
                "events": [],
                "zone": zone_name(timezone.get_current_timezone()),
                "verification": latest_verification(),
            },
            status=400,
        )
    events = filterset.qs
    chosen = filterset.form.cleaned_data.get("biobank") if filterset.is_bound else None
    fmt = export_format(request) or "csv"
    audit_export_record(
        actor=request.user,
        filters=export_filters(request),
        biobanks=[chosen] if chosen else list(audit_biobanks_of(user=request.user)),
        export_format=fmt,
    )
    rows = (
        events.order_by("-seq")
        .annotate(
            biobank_code=F("biobank__code"),
            changes_text=Cast("changes", TextField()),
            details_text=Cast("details", TextField()),
        )
        .values_list(
            "seq",
            "occurred_at",
            "actor_type",
            "actor_id",
            "actor_label",
            "on_behalf_of",
            "action",
            "object_type",
            "object_id",
            "biobank_code",
            "changes_text",
            "details_text",
            "reason",
            "request_id",
            "client_ip",
            "user_agent",
            "hash",
        )
        .iterator(chunk_size=2000)
    )
    timed = ((row[0], format_timestamp(row[1]), *row[2:]) for row in rows)
    return export_response(items=timed, columns=EXPORT_COLUMNS, name="audit-trail", export_format=fmt)


@require_GET
@login_required
def history(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    """An object's timeline with diffs; HTMX requests (a History tab) get just the partial."""
    _require_auditor(request)
    context = {
        "events": object_history(user=request.user, object_type=object_type, object_id=object_id),
        "object_type": object_type,
        "object_id": object_id,
    }
    template = "audit/_history.html" if getattr(request, "htmx", False) else "audit/history.html"
    return render(request, template, context)
