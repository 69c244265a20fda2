"""Serializers of the consent API: templates, consents with their current per-policy states, gate answers."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Consent, Policy, Template

MAX_BULK = 1000


class PolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = Policy
        fields = ["code", "version", "name", "duo_terms", "action", "data_class", "purpose", "validity"]


class TemplateModuleSerializer(serializers.Serializer):
    code = serializers.CharField(source="module.code")
    version = serializers.IntegerField(source="module.version")
    parent = serializers.CharField(source="module.parent.code", allow_null=True, default=None)
    mandatory = serializers.BooleanField(source="module.mandatory")
    default_state = serializers.CharField(source="module.default_state")
    validity = serializers.CharField(source="module.validity")
    texts = serializers.JSONField(source="module.texts", help_text='{"en": {"title": ..., "text": ...}}')
    policies = PolicySerializer(source="module.policies", many=True)


class TemplateTextSerializer(serializers.Serializer):
    language = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()


class TemplateSerializer(serializers.ModelSerializer):
    biobank = serializers.CharField(source="biobank.code")
    derived_from = serializers.IntegerField(source="derived_from_id", allow_null=True)
    texts = TemplateTextSerializer(many=True)
    modules = TemplateModuleSerializer(source="template_modules", many=True)
    is_signed = serializers.BooleanField(help_text="Signed versions are immutable.")

    class Meta:
        model = Template
        fields = [
            "id",
            "biobank",
            "code",
            "number",
            "version_label",
            "type",
            "status",
            "derived_from",
            "valid_from",
            "valid_to",
            "consent_validity",
            "activated_at",
            "retired_at",
            "signed_at",
            "is_signed",
            "texts",
            "modules",
        ]


class ChoiceSerializer(serializers.Serializer):
    module = serializers.CharField(source="module.code")
    choice = serializers.CharField()


class ConsentSerializer(serializers.ModelSerializer):
    """A signed consent. Names and drawn signatures are identifying data: only the receipt (audited) has them."""

    biobank = serializers.CharField(source="biobank.code")
    donor = serializers.CharField(source="donor.pid")
    template = serializers.IntegerField(source="template_id")
    template_code = serializers.CharField(source="template.code")
    template_version = serializers.CharField(source="template.version_label")
    choices = ChoiceSerializer(many=True)
    signed_by_representative = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = [
            "id",
            "uid",
            "biobank",
            "donor",
            "template",
            "template_code",
            "template_version",
            "language",
            "source",
            "status",
            "signed_on",
            "recorded_at",
            "signed_by_representative",
            "countersigned_at",
            "receipt_sha256",
            "receipt_generated_at",
            "scan_sha256",
            "qc_at",
            "choices",
        ]

    def get_signed_by_representative(self, consent: Consent) -> bool:
        return bool(consent.representative_name)


class StateUsedSerializer(serializers.Serializer):
    consent = serializers.IntegerField(source="consent_id")
    policy = serializers.CharField(source="policy_code")
    policy_version = serializers.CharField()
    module = serializers.CharField(source="module_code")
    state = serializers.CharField(help_text="accepted, declined, unknown, withdrawn or expired")
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    recorded_at = serializers.DateTimeField()


class GateAnswerSerializer(serializers.Serializer):
    donor = serializers.CharField(help_text="The donor's current PID.")
    asked_pid = serializers.CharField(
        allow_null=True,
        help_text="Set when the PID asked with is an earlier PID of the donor (e.g. from a label printed before a "
        "key rotation): that PID, while `donor` is the donor's current PID. Null when the current PID was asked.",
    )
    purpose = serializers.CharField()
    at = serializers.DateField()
    as_known_at = serializers.DateTimeField()
    answer = serializers.ChoiceField(choices=["permitted", "denied", "unknown"])
    permitted = serializers.BooleanField(help_text="The answer with unknown counted as denied.")
    code = serializers.CharField(
        help_text="accepted, declined, withdrawn, expired, unknown, not_asked, no_consent, needs_committee, not_covered"
    )
    reason = serializers.CharField()
    conditions = serializers.ListField(child=serializers.CharField(), help_text="DUO modifiers a committee decides.")
    states = StateUsedSerializer(many=True)


class ItemErrorSerializer(serializers.Serializer):
    pointer = serializers.CharField()
    message = serializers.CharField()
    code = serializers.CharField()


class BulkItemSerializer(serializers.Serializer):
    donor = serializers.CharField(help_text="The donor's current PID (as sent, for an item with an error).")
    asked_pid = serializers.CharField(
        allow_null=True,
        required=False,
        help_text="Set when the PID asked with is an earlier PID of the donor (e.g. from a label printed before a "
        "key rotation): that PID, while `donor` is the donor's current PID. Null when the current PID was asked.",
    )
    answer = serializers.ChoiceField(choices=["permitted", "denied", "unknown"], required=False)
    permitted = serializers.BooleanField(required=False)
    code = serializers.CharField(required=False)
    reason = serializers.CharField(required=False)
    error = ItemErrorSerializer(required=False, help_text="Set instead of an answer when this PID was not usable.")


class BulkResultSerializer(serializers.Serializer):
    purpose = serializers.CharField()
    at = serializers.DateField()
    as_known_at = serializers.DateTimeField()
    results = BulkItemSerializer(many=True)


class CheckQuerySerializer(serializers.Serializer):
    donor = serializers.CharField(help_text="The donor's PID.")
    purpose = serializers.CharField(help_text="A policy code (e.g. `biomat-use`) or a DUO permission (`DUO:0000006`).")
    at = serializers.DateField(required=False, help_text="Date of the intended use; default today.")
    as_known_at = serializers.DateTimeField(required=False, help_text="Use what was known then; default now.")


class BulkCheckInputSerializer(serializers.Serializer):
    donors = serializers.ListField(
        child=serializers.CharField(), min_length=1, max_length=MAX_BULK, help_text=f"Up to {MAX_BULK} PIDs."
    )
    purpose = serializers.CharField()
    at = serializers.DateField(required=False)
    as_known_at = serializers.DateTimeField(required=False)
