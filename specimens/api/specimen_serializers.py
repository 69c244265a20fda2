"""Input and output shapes of the specimens API (lists stay lean; the detail adds facts, decoded SPREC, lineage)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from biobank.accounts.choices import Perm
from biobank.api.fields import BiobankCodeField
from biobank.api.serializers import InputSerializer, ModelSerializer
from biobank.api.utc import UtcDateTimeField
from biobank.errors import DomainError
from catalog.models import Collection
from consent.models import Donor
from consent.selectors import donors_with_pids, pid_canonical

from ..choices import ConcentrationUnit, QcMeasure, QuantityUnit
from ..models import Specimen, SpecimenEvent
from ..models.specimens import BARCODE_MAX_LENGTH, QUANTITY_DIGITS, QUANTITY_PLACES
from ..selectors import Lineage
from ..services.register import FACT_FIELDS
from ..sprec import SprecError, decode

# --- shared fields ------------------------------------------------------------------------------------------------


def quantity_field(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES, **kwargs)


def barcode_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=BARCODE_MAX_LENGTH, **kwargs)


def unit_field(**kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=QuantityUnit.choices, **kwargs)


def specimen_url(specimen: Specimen, request: Any) -> str:
    return barcode_url(specimen.barcode, request)


def barcode_url(barcode: str, request: Any) -> str:
    """The API URL of the specimen with ``barcode`` (absolute when there is a request)."""
    path = reverse("api-specimen-detail", kwargs={"barcode": barcode})
    return request.build_absolute_uri(path) if request is not None else path


class FactsSerializer(InputSerializer, ModelSerializer):
    """The recorded pre-analytical facts (the SPREC code is derived from them); every one optional."""

    class Meta:
        model = Specimen
        fields = list(FACT_FIELDS)


# --- output -------------------------------------------------------------------------------------------------------


class PositionSerializer(serializers.Serializer):
    box = serializers.CharField(help_text="Code of the box.")
    box_id = serializers.IntegerField()
    row = serializers.IntegerField()
    column = serializers.IntegerField()
    # DRF takes declared fields off the class, so the name does not clash with Field.label at run time.
    label = serializers.CharField(help_text="Row letter and column, e.g. `B7`.")  # type: ignore[assignment]


class SpecimenSerializer(ModelSerializer):
    """One row of the list: what a partner system needs to match its records, without the facts.

    The list view has PostgreSQL write its pages' rows (``specimen_list_rows``, byte for byte what this class gives);
    this class defines the row and documents it.
    """

    url = serializers.SerializerMethodField(help_text="This specimen in the API.")
    biobank = serializers.CharField(source="biobank.code", read_only=True)
    collection = serializers.CharField(source="collection.code", read_only=True, help_text="Code of the collection.")
    donor = serializers.CharField(source="donor.pid_display", read_only=True, help_text="The donor's PID.")
    # Declared fields leave the class (DRF), so the name does not clash with Field.parent at run time.
    parent = serializers.SerializerMethodField(help_text="Barcode of the parent (aliquots and derivatives).")  # type: ignore[assignment]
    position = serializers.SerializerMethodField(help_text="Where it is stored; null when not placed.")

    class Meta:
        model = Specimen
        fields = [
            "url",
            "barcode",
            "biobank",
            "collection",
            "donor",
            "sample_type",
            "material_type",
            "sprec_code",
            "lineage",
            "parent",
            "status",
            "quantity",
            "unit",
            "concentration",
            "concentration_unit",
            "freeze_thaw_count",
            "position",
            "collected_at",
            "received_at",
            "created_at",
            "updated_at",
        ]

    def get_url(self, specimen: Specimen) -> str:
        return specimen_url(specimen, self.context.get("request"))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_parent(self, specimen: Specimen) -> str | None:
        return specimen.parent.barcode if specimen.parent_id is not None and specimen.parent else None

    @extend_schema_field(PositionSerializer(allow_null=True))
    def get_position(self, specimen: Specimen) -> dict[str, Any] | None:
        if specimen.box is None or specimen.box_row is None or specimen.box_column is None:
            return None
        return {
            "box": specimen.box.code,
            "box_id": specimen.box_id,
            "row": specimen.box_row,
            "column": specimen.box_column,
            "label": specimen.position,
        }


class SpecimenSprecElementSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    element = serializers.CharField()
    letter = serializers.CharField()
    meaning = serializers.CharField()
    status = serializers.CharField(allow_null=True, help_text="`v3-added`, `unverified` or `conflict`; null if plain.")


class SprecSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.CharField(help_text="`fluid` or `solid`.")
    entered = serializers.BooleanField(help_text="Entered directly (facts unknown) rather than derived from the facts.")
    elements = SpecimenSprecElementSerializer(many=True)


class ParentSerializer(serializers.Serializer):
    barcode = serializers.CharField()
    used = serializers.CharField(help_text="What this specimen took from the parent, in the parent's unit.")
    url = serializers.CharField()


class LineageSummarySerializer(serializers.Serializer):
    parents = ParentSerializer(many=True, help_text="One for an aliquot or derivative, several for a pool.")
    children = serializers.IntegerField(help_text="Aliquots and derivatives made from it.")
    pools = serializers.IntegerField(help_text="Pools it went into.")


DIAGNOSIS_HELP = "Optional: one ICD-10 (WHO 2019) code such as `C18.7` or an Orphanet code `ORPHA:558`."


class SpecimenDetailSerializer(SpecimenSerializer):
    """One specimen: the list's fields, the recorded facts, the SPREC code decoded and the lineage in numbers."""

    facts = FactsSerializer(source="*", read_only=True)
    sprec = serializers.SerializerMethodField()
    lineage_summary = serializers.SerializerMethodField()

    class Meta(SpecimenSerializer.Meta):
        fields = [
            *SpecimenSerializer.Meta.fields,
            "initial_quantity",
            "notes",
            "diagnosis",
            "facts",
            "sprec",
            "lineage_summary",
        ]

    @extend_schema_field(SprecSerializer(allow_null=True))
    def get_sprec(self, specimen: Specimen) -> dict[str, Any] | None:
        if not specimen.sprec_code:
            return None
        try:
            decoded = decode(specimen.sprec_code, specimen.sprec_kind or None)  # type: ignore[arg-type]  # "" or a Kind
        except SprecError:
            return None
        return {
            "code": decoded.code,
            "kind": decoded.kind,
            "entered": specimen.sprec_entered,
            "elements": [element.as_dict() for element in decoded.elements],
        }

    @extend_schema_field(LineageSummarySerializer(allow_null=True))
    def get_lineage_summary(self, specimen: Specimen) -> dict[str, Any] | None:
        lineage: Lineage | None = self.context.get("lineage")
        if lineage is None:
            return None
        request = self.context.get("request")
        return {
            "parents": [
                {"barcode": p.barcode, "used": lineage.used.get(p.pk, ""), "url": specimen_url(p, request)}
                for p in lineage.parents
            ],
            "children": len(lineage.children),
            "pools": len(lineage.pools),
        }


class EventSerializer(ModelSerializer):
    class Meta:
        model = SpecimenEvent
        fields = ["id", "type", "occurred_at", "recorded_at", "actor_label", "details", "note"]


class AliquotsCreatedSerializer(serializers.Serializer):
    parent = SpecimenSerializer()
    aliquots = SpecimenSerializer(many=True)


# --- input --------------------------------------------------------------------------------------------------------


class AliquotPlanSerializer(InputSerializer):
    count = serializers.IntegerField(min_value=1, max_value=1000)
    quantity = quantity_field(help_text="Of each aliquot.")
    unit = unit_field(help_text="Of the same kind as the parent's (volume, mass, cells or count).")
    barcodes = serializers.ListField(
        child=barcode_field(), required=False, max_length=1000, help_text="Scanned barcodes; generated if left out."
    )


class SpecimenCreateInputSerializer(InputSerializer):
    """A primary specimen of a donor in a collection (optionally with its aliquots in the same step)."""

    biobank = BiobankCodeField(perm=Perm.CHANGE_SPECIMENS, action="register specimens")
    collection = serializers.CharField(max_length=40, help_text="Code of a collection of the biobank.")
    donor = serializers.CharField(max_length=20, help_text="The donor's PID (hyphens optional).")
    sample_type = serializers.CharField(max_length=3, help_text="SPREC type of sample, e.g. `SER`, `BLD`, `TIS`.")
    kind = serializers.ChoiceField(choices=["fluid", "solid"], required=False, allow_blank=True, default="")
    material_type = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    barcode = barcode_field(required=False, allow_blank=True, default="", help_text="Scanned; generated if empty.")
    quantity = quantity_field()
    unit = unit_field()
    concentration = quantity_field(required=False, allow_null=True, default=None)
    concentration_unit = serializers.ChoiceField(
        choices=ConcentrationUnit.choices, required=False, allow_blank=True, default=""
    )
    sprec_code = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default="", help_text="Only where the facts are unknown."
    )
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    diagnosis = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text=DIAGNOSIS_HELP
    )
    facts = FactsSerializer(required=False)
    aliquots = AliquotPlanSerializer(required=False, help_text='e.g. `{"count": 10, "quantity": "0.5", "unit": "mL"}`')

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        biobank = attrs["biobank"]
        collection = Collection.objects.filter(biobank=biobank, code=attrs["collection"]).first()
        if collection is None:
            raise serializers.ValidationError(
                {"collection": [f"No collection with this code in {biobank.code}."]}, code="does_not_exist"
            )
        try:
            canonical = pid_canonical(attrs["donor"])
        except DomainError as error:
            raise serializers.ValidationError({"donor": [error.message]}, code=error.code) from None
        donor = donors_with_pids(Donor.objects.filter(biobank=biobank), [canonical]).first()
        if donor is None:
            raise serializers.ValidationError(
                {"donor": [f"No donor with this PID in {biobank.code}."]}, code="does_not_exist"
            )
        return {**attrs, "collection": collection, "donor": donor}


class SpecimenUpdateInputSerializer(InputSerializer):
    """A correction: send only what changes. The SPREC code is derived again from the facts."""

    facts = FactsSerializer(required=False)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    diagnosis = serializers.CharField(max_length=40, required=False, allow_blank=True, help_text=DIAGNOSIS_HELP)
    concentration = quantity_field(required=False, allow_null=True)
    concentration_unit = serializers.ChoiceField(choices=ConcentrationUnit.choices, required=False, allow_blank=True)
    sprec_code = serializers.CharField(
        max_length=32, required=False, allow_blank=True, help_text="Only where the facts are unknown."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs or attrs == {"facts": {}}:
            raise serializers.ValidationError(
                _("Nothing to change; send at least one of: %(fields)s.") % {"fields": ", ".join(self.fields)},
                code="required",
            )
        return attrs


class DeriveInputSerializer(InputSerializer):
    sample_type = serializers.CharField(max_length=3, help_text="SPREC type of the derivative, e.g. `DNA`, `PL1`.")
    kind = serializers.ChoiceField(choices=["fluid", "solid"], required=False, allow_blank=True, default="")
    material_type = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    used_quantity = quantity_field(help_text="Taken from the parent.")
    used_unit = unit_field()
    quantity = quantity_field(help_text="Of the derivative.")
    unit = unit_field()
    barcode = barcode_field(required=False, allow_blank=True, default="")
    concentration = quantity_field(required=False, allow_null=True, default=None)
    concentration_unit = serializers.ChoiceField(
        choices=ConcentrationUnit.choices, required=False, allow_blank=True, default=""
    )
    sprec_code = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    facts = FactsSerializer(required=False)


class PoolPartSerializer(InputSerializer):
    barcode = barcode_field()
    quantity = quantity_field(help_text="Taken from this parent.")
    unit = unit_field()


class PoolInputSerializer(InputSerializer):
    parts = serializers.ListField(child=PoolPartSerializer(), min_length=2, max_length=100)
    quantity = quantity_field(required=False, allow_null=True, default=None, help_text="Default: the sum taken.")
    unit = unit_field(required=False, allow_blank=True, default="")
    barcode = barcode_field(required=False, allow_blank=True, default="")


class GateQuestionSerializer(InputSerializer):
    """The use the consent gate is asked about."""

    purpose = serializers.CharField(max_length=40, help_text="A DUO purpose, e.g. `GRU`, `HMB`, `DS`.")
    disease = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    commercial_use = serializers.BooleanField(required=False, default=False)
    for_profit_organisation = serializers.BooleanField(required=False, default=False)
    methods_development = serializers.BooleanField(required=False, default=False)


class ReserveInputSerializer(GateQuestionSerializer):
    reason = serializers.CharField(max_length=500, help_text="What it is reserved for (kept in the history).")


class ShipInputSerializer(GateQuestionSerializer):
    recipient = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReasonInputSerializer(InputSerializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RequiredReasonInputSerializer(InputSerializer):
    reason = serializers.CharField(max_length=500, help_text="Why (kept in the specimen's history).")


EVENT_TYPES = ("thawed", "qc_result", "received", "processed", "collected")


class EventInputSerializer(InputSerializer):
    """``thawed`` counts a freeze-thaw cycle; ``qc_result`` needs ``measure`` and ``value``; the others are steps."""

    type = serializers.ChoiceField(choices=EVENT_TYPES)
    occurred_at = UtcDateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    measure = serializers.ChoiceField(choices=QcMeasure.values, required=False)
    value = serializers.DecimalField(max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES, required=False)
    unit = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    passed = serializers.BooleanField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["type"] == "qc_result":
            missing = {name: ["Required for a QC result."] for name in ("measure", "value") if name not in attrs}
            if missing:
                raise serializers.ValidationError(missing, code="required")
        return attrs
