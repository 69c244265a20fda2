"""``/api/v1/audit-events/``: the audit trail for auditors, read-only, newest first, cursor-paginated."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets

from biobank.api.schema import READ_PROBLEMS, problem_responses
from biobank.audit.filtersets import AuditEventFilter
from biobank.audit.models import AuditEvent
from biobank.audit.selectors import audit_events_visible_to

from .serializers import AuditEventSerializer

EVENT_EXAMPLE = {
    "seq": 1042,
    "occurred_at": "2025-01-31T12:00:00.123456Z",
    "actor_type": "user",
    "actor_id": "17",
    "actor_label": "data@example.org",
    "on_behalf_of": "",
    "action": "collection.update",
    "object_type": "catalog.collection",
    "object_id": "7",
    "biobank": "biobank-a",
    "changes": {"name": ["CRC cohort", "Colorectal cancer cohort 2024"]},
    "details": None,
    "reason": "",
    "request_id": "6f1c0c7e2b0f4c6b9d1d8f3e5a7b9c1d",
    "client_ip": "10.0.4.21",
    "user_agent": "Mozilla/5.0",
    "prev_hash": "5e0d…",
    "hash": "a91f…",
    "chained_at": "2025-01-31T12:00:01.002000Z",
}


@extend_schema_view(
    list=extend_schema(
        summary="List audit events",
        description=(
            "Events of the biobanks where you hold the auditor role (`view_audit`), newest first. Filter by object, "
            "actor (e-mail or `type:id`), action, biobank code and time range (`from` inclusive, `to` exclusive). "
            "API tokens cannot be granted `view_audit` and get an empty list."
        ),
        responses={200: AuditEventSerializer(many=True), **problem_responses(400, *READ_PROBLEMS)},
        examples=[OpenApiExample("An event", value=EVENT_EXAMPLE, response_only=True)],
        tags=["audit"],
    ),
    retrieve=extend_schema(
        summary="Read one audit event",
        description="One event by its sequence number; events of other biobanks are 404.",
        responses={200: AuditEventSerializer, **problem_responses(404, *READ_PROBLEMS)},
        examples=[OpenApiExample("An event", value=EVENT_EXAMPLE, response_only=True)],
        tags=["audit"],
    ),
)
class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    lookup_field = "seq"
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return audit_events_visible_to(user=self.request.user)
