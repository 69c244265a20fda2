"""Output of the read-only audit API (there is no input: the trail is written only by services)."""

from __future__ import annotations

from datetime import UTC

from rest_framework import serializers

from biobank.accounts.models import Biobank
from biobank.audit.models import AUDIT_EVENT_COLUMNS, AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    biobank: serializers.SlugRelatedField[Biobank] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="Code of the biobank, if any."
    )
    # The API answers in UTC, like the CSV export (docs/ui.md, "Time, dates and language").
    occurred_at = serializers.DateTimeField(read_only=True, default_timezone=UTC)
    chained_at = serializers.DateTimeField(read_only=True, default_timezone=UTC)
    changes = serializers.JSONField(read_only=True, help_text="{field: [old, new]}; identifying values masked.")
    details = serializers.JSONField(read_only=True, help_text="Context of reads and denials (path, filters …).")

    class Meta:
        model = AuditEvent
        fields = [*AUDIT_EVENT_COLUMNS, "prev_hash", "hash", "chained_at"]
        read_only_fields = fields
