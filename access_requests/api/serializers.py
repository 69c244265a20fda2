"""Input and output shapes of the researcher's request API (explicit serializers for the workflow verbs)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from biobank.api.serializers import ModelSerializer

from ..choices import PurposeKind
from ..models import AccessRequest, RequestResource


class ResourceSerializer(ModelSerializer):
    biobank = serializers.CharField(source="biobank.code", read_only=True)
    biobank_name = serializers.CharField(source="biobank.name", read_only=True)
    collections: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = RequestResource
        fields = ["id", "biobank", "biobank_name", "collections", "status"]
        read_only_fields = fields


class AccessRequestSerializer(ModelSerializer):
    """A request as its researcher (or a reviewer) reads it."""

    resources = ResourceSerializer(many=True, read_only=True)
    researcher = serializers.EmailField(source="researcher.email", read_only=True)

    class Meta:
        model = AccessRequest
        fields = [
            "id", "number", "status", "researcher", "title", "lay_summary", "abstract", "purpose_kind", "disease",
            "methods_development", "commercial", "material", "donors_requested", "samples_requested", "criteria",
            "inclusion_criteria", "data_categories", "ethics_reference", "ethics_expiry", "funding",
            "duration_months", "search_description", "resources", "created_at", "updated_at", "submitted_at",
        ]  # fmt: skip
        read_only_fields = fields


class MaterialRowSerializer(serializers.Serializer):
    material_type = serializers.CharField(help_text="A Directory.MaterialTypes code, e.g. PLASMA.")
    amount = serializers.CharField()
    unit = serializers.CharField(help_text="mL, µL, mg, µg, ng, cells, slides or pieces.")
    samples = serializers.IntegerField(required=False, allow_null=True)


class CriteriaSerializer(serializers.Serializer):
    material_types = serializers.ListField(child=serializers.CharField(), required=False)
    sexes = serializers.ListField(child=serializers.CharField(), required=False)
    age_min = serializers.IntegerField(required=False, allow_null=True)
    age_max = serializers.IntegerField(required=False, allow_null=True)
    diagnoses = serializers.ListField(child=serializers.CharField(), required=False)


class RequestInputSerializer(serializers.Serializer):
    """The fields a researcher sets; every one optional on PATCH. The services check the rules."""

    title = serializers.CharField(required=False, allow_blank=True)
    lay_summary = serializers.CharField(required=False, allow_blank=True)
    abstract = serializers.CharField(required=False, allow_blank=True)
    purpose_kind = serializers.ChoiceField(choices=PurposeKind.choices, required=False)
    disease = serializers.CharField(required=False, allow_blank=True)
    methods_development = serializers.BooleanField(required=False)
    commercial = serializers.BooleanField(required=False)
    material = MaterialRowSerializer(many=True, required=False)
    donors_requested = serializers.IntegerField(required=False, allow_null=True)
    samples_requested = serializers.IntegerField(required=False, allow_null=True)
    criteria = CriteriaSerializer(required=False)
    inclusion_criteria = serializers.CharField(required=False, allow_blank=True)
    data_categories = serializers.ListField(child=serializers.CharField(), required=False)
    ethics_reference = serializers.CharField(required=False, allow_blank=True)
    ethics_expiry = serializers.DateField(required=False, allow_null=True)
    funding = serializers.CharField(required=False, allow_blank=True)
    duration_months = serializers.IntegerField(required=False, allow_null=True)
    collections = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Ids of published catalogue collections."
    )

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        if "collections" in data:
            data["collection_ids"] = data.pop("collections")
        if "material" in data:
            data["material"] = [dict(row) for row in data["material"]]
        if "criteria" in data:
            data["criteria"] = dict(data["criteria"])
        return data


class WithdrawInputSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the request is withdrawn (the committees read it).")


class FeasibilityRowSerializer(serializers.Serializer):
    biobank = serializers.IntegerField()
    biobank_name = serializers.CharField()
    collection = serializers.IntegerField()
    collection_name = serializers.CharField()
    donors = serializers.CharField(
        help_text='Exact for the biobank\'s committee; else rounded to tens, "< 10" for 1-9.'
    )
    specimens = serializers.CharField()
    exact = serializers.BooleanField()
    duo = serializers.CharField(help_text="approve, deny, abstain, or empty when the collection declares no terms.")
    needs_committee = serializers.BooleanField()
    note = serializers.CharField()
