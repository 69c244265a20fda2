"""Output of the read-only audit API (there is no input: the trail is written only by services)."""

from __future__ import annotations

from rest_framework import serializers

from biobank.accounts.models import Biobank
from biobank.api.serializers import ModelSerializer
from biobank.audit.models import AUDIT_EVENT_COLUMNS, AuditEvent


class AuditEventSerializer(ModelSerializer):
    biobank: serializers.SlugRelatedField[Biobank] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="Code of the biobank, if any."
    )
    changes = serializers.JSONField(read_only=True, help_text="{field: [old, new]}; identifying values masked.")
    details = serializers.JSONField(read_only=True, help_text="Context of reads and denials (path, filters …).")

    class Meta:
        model = AuditEvent
        fields = [*AUDIT_EVENT_COLUMNS, "prev_hash", "hash", "chained_at"]
        read_only_fields = fields
