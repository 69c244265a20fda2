"""Serializers of the consent API: templates, consents with their current per-policy states, gate answers."""

from __future__ import annotations

from datetime import datetime

from rest_framework import serializers

from biobank.api.serializers import ModelSerializer
from biobank.api.utc import UtcDateTimeField
from biobank.errors import DomainError

from ..choices import PolicyAction
from ..diseases import disease_normalise
from ..gate import DATA_CLASSES
from ..models import Consent, Policy, Template

MAX_BULK = 1000


class PolicySerializer(ModelSerializer):
    class Meta:
        model = Policy
        fields = [
            "code",
            "version",
            "name",
            "duo_terms",
            "duo_disease",
            "action",
            "data_class",
            "purpose",
            "validity",
            "coding_system",
            "coding_code",
        ]
        extra_kwargs = {
            "duo_disease": {"help_text": "The disease of a DS policy: ICD-10 (E11.9) or Orphanet (ORPHA:558)."},
            "coding_system": {"help_text": "FHIR Consent.provision.code system, e.g. the MII consent policy OID."},
            "coding_code": {"help_text": "The code in that system, e.g. 2.16.840.1.113883.3.1937.777.24.5.3.8."},
        }


class TemplateModuleSerializer(serializers.Serializer):
    code = serializers.CharField(source="module.code")
    version = serializers.IntegerField(source="module.version")
    # DRF takes declared fields off the class, so the name does not clash with Field.parent at run time.
    parent = serializers.CharField(source="module.parent.code", allow_null=True, default=None)  # type: ignore[assignment]
    mandatory = serializers.BooleanField(source="module.mandatory")
    default_state = serializers.CharField(source="module.default_state")
    validity = serializers.CharField(source="module.validity")
    texts = serializers.JSONField(source="module.texts", help_text='{"en": {"title": ..., "text": ...}}')
    policies = PolicySerializer(source="module.policies", many=True)


class TemplateTextSerializer(serializers.Serializer):
    language = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()


class TemplateSerializer(ModelSerializer):
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
            "policy_uri",
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


class ConsentSerializer(ModelSerializer):
    """A signed consent. Names and drawn signatures are in the vault and never in the API: only the receipt has them
    (encrypted at rest; consent officers and stewards with a reason, audited)."""

    biobank = serializers.CharField(source="biobank.code")
    donor = serializers.CharField(source="donor.pid")
    template = serializers.IntegerField(source="template_id")
    template_code = serializers.CharField(source="template.code")
    template_version = serializers.CharField(source="template.version_label")
    choices = ChoiceSerializer(many=True)
    signed_by_representative = serializers.SerializerMethodField()
    witnessed_by = serializers.EmailField(
        source="countersigned_by.email", allow_null=True, default=None, help_text="Staff member who saw the signing."
    )
    informed_by = serializers.EmailField(
        source="informed_by.email", allow_null=True, default=None, help_text="Staff member who informed the donor."
    )

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
            "representative_legal_basis",
            "witnessed_by",
            "informed_by",
            "informed_place",
            "countersigned_at",
            "receipt_sha256",
            "receipt_generated_at",
            "scan_sha256",
            "qc_at",
            "choices",
        ]

    def get_signed_by_representative(self, consent: Consent) -> bool:
        return bool(consent.representative_relation)


class StateUsedSerializer(serializers.Serializer):
    consent = serializers.IntegerField(source="consent_id", allow_null=True, help_text="null: donor-level withdrawal")
    policy = serializers.CharField(source="policy_code")
    policy_version = serializers.CharField()
    module = serializers.CharField(source="module_code", help_text="empty for a donor-level withdrawal")
    origin = serializers.CharField(help_text="signature (a signed form) or withdrawal (recorded by staff)")
    state = serializers.CharField(help_text="accepted, declined, refused, unknown, withdrawn or expired")
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    recorded_at = UtcDateTimeField()


class GateAnswerSerializer(serializers.Serializer):
    donor = serializers.CharField(help_text="The donor's current PID.")
    asked_pid = serializers.CharField(
        allow_null=True,
        help_text="Set when the PID asked with is an earlier PID of the donor (e.g. from a label printed before a "
        "key rotation): that PID, while `donor` is the donor's current PID. Null when the current PID was asked.",
    )
    current_donor = serializers.CharField(
        help_text="The PID of the donor that stands for the person now (differs after a merge)."
    )
    purpose = serializers.CharField()
    at = serializers.DateField()
    as_known_at = UtcDateTimeField()
    answer = serializers.ChoiceField(choices=["permitted", "denied", "unknown"])
    permitted = serializers.BooleanField(help_text="The answer with unknown counted as denied.")
    code = serializers.CharField(
        help_text="accepted, declined, refused, withdrawn, expired, unknown, not_asked, no_consent, needs_committee, "
        "not_covered"
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
    current_donor = serializers.CharField(
        required=False, help_text="The PID of the donor that stands for the person now (differs after a merge)."
    )
    answer = serializers.ChoiceField(choices=["permitted", "denied", "unknown"], required=False)
    permitted = serializers.BooleanField(required=False)
    code = serializers.CharField(required=False)
    reason = serializers.CharField(required=False)
    conditions = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="DUO modifiers a committee decides."
    )
    error = ItemErrorSerializer(required=False, help_text="Set instead of an answer when this PID was not usable.")


class BulkResultSerializer(serializers.Serializer):
    purpose = serializers.CharField()
    at = serializers.DateField()
    as_known_at = UtcDateTimeField()
    results = BulkItemSerializer(many=True)


class SafeDateTimeField(UtcDateTimeField):
    """A date-time whose time-zone conversion cannot overflow (``0001-01-01T00:00`` is a 400, not a 500)."""

    def enforce_timezone(self, value: datetime) -> datetime:
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss][+HH:MM] between the years 1 and 9999")
            raise


class QuestionSerializer(serializers.Serializer):
    """What a DUO question says about the use (ignored for a named policy)."""

    purpose = serializers.CharField(help_text="A policy code (e.g. `biomat-use`) or a DUO permission (`DUO:0000006`).")
    data_class = serializers.ChoiceField(
        choices=list(DATA_CLASSES),
        required=False,
        error_messages={"invalid_choice": f'"{{input}}" is not a data class; use one of {", ".join(DATA_CLASSES)}.'},
        help_text="With a DUO purpose: what is used — `material` (biomaterial policies) or `data` (patient and "
        "insurance data policies), or one policy class. Left out (`any`): every class answers, and a denial of any "
        "covering policy denies.",
    )
    action = serializers.ChoiceField(
        choices=PolicyAction.values,
        required=False,
        default=PolicyAction.USE,
        help_text="use (default), transfer, …",
        error_messages={
            "invalid_choice": f'"{{input}}" is not an action; use one of {", ".join(PolicyAction.values)}.'
        },
    )
    disease = serializers.CharField(
        required=False, default="", help_text="For DS: the disease as ICD-10 (`E11.9`) or ORPHA (`ORPHA:558`)."
    )
    for_profit_organisation = serializers.BooleanField(required=False, default=False)
    commercial_use = serializers.BooleanField(required=False, default=False)
    methods_development = serializers.BooleanField(
        required=False, default=False, help_text="Methods development (denied on NMDS unless within its disease)."
    )
    at = serializers.DateField(required=False, help_text="Date of the intended use; default today.")
    as_known_at = SafeDateTimeField(required=False, help_text="Use what was known then; default now.")

    def validate_disease(self, value: str) -> str:
        if not value.strip():
            return ""
        try:
            return disease_normalise(value, field="disease")
        except DomainError as error:
            raise serializers.ValidationError(error.message) from None


class CheckQuerySerializer(QuestionSerializer):
    donor = serializers.CharField(help_text="The donor's PID.")


class BulkCheckInputSerializer(QuestionSerializer):
    donors = serializers.ListField(
        child=serializers.CharField(allow_blank=True),  # a blank PID is an item error, not a failed request
        min_length=1,
        max_length=MAX_BULK,
        help_text=f"Up to {MAX_BULK} PIDs.",
    )
