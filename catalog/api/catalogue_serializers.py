"""Shapes of the public catalogue API (``/api/v1/catalog/``): MIABIS descriptions with codes plus labels.

A coded attribute is ``{"code": "DNA", "label": "DNA"}`` (a list of those when multi-valued); diseases carry the
ICD-10 or Orphanet label; DUO terms their DUO label. Inputs take plain codes; the services check them all at once.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from biobank.api.serializers import InputSerializer, ModelSerializer

from .. import vocabularies as v
from ..models import BiobankProfile, Collection, CollectionFact, Network, Person, PublicationState
from ..schema import BIOBANK_CODES, COLLECTION_CODES, NETWORK_CODES
from ..services import COLLECTION_DESCRIPTION_FIELDS


class CodeLabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the output's name; shadows Field.label


def coded(vocabulary: str, value: Any) -> Any:
    if isinstance(value, list):
        return [coded(vocabulary, item) for item in value]
    if value in (None, ""):
        return None
    return {"code": value, "label": v.label(vocabulary, value)}


def diseases(codes: list[str]) -> list[dict[str, str]]:
    return [{"code": code, "label": v.disease_label(code)} for code in codes]


class PersonSerializer(ModelSerializer):
    id = serializers.CharField(source="bbmri_id")

    class Meta:
        model = Person
        fields = ["id", "title_before_name", "first_name", "last_name", "title_after_name", "email", "phone",
                  "city", "country", "role"]  # fmt: skip


@extend_schema_field(CodeLabelSerializer(allow_null=True))
class CodedField(serializers.Field):
    """A coded attribute as ``{code, label}`` (``None`` when empty): what the schema says and what is sent."""

    def __init__(self, vocabulary: str, **kwargs: Any) -> None:
        self.vocabulary = vocabulary
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Any) -> Any:
        return coded(self.vocabulary, value)


@extend_schema_field(CodeLabelSerializer(many=True))
class CodedListField(CodedField):
    """A multi-valued coded attribute as a list of ``{code, label}``."""

    def to_representation(self, value: Any) -> Any:
        return coded(self.vocabulary, list(value or []))


class CodedFieldsMixin(serializers.Serializer):
    """Renders the model's coded attributes (``codes``: attribute → vocabulary) as ``{code, label}`` (lists of them
    when multi-valued), declared as such in the OpenAPI schema."""

    codes: dict[str, str] = {}

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        model = getattr(getattr(self, "Meta", None), "model", None)
        for name, vocabulary in self.codes.items():
            if name not in fields or name in self._declared_fields:
                continue
            multi = model is not None and model._meta.get_field(name).get_internal_type() == "ArrayField"
            fields[name] = CodedListField(vocabulary) if multi else CodedField(vocabulary)
        return fields


class CollectionLinkSerializer(ModelSerializer):
    class Meta:
        model = Collection
        fields = ["id", "bbmri_id", "name"]


class BiobankProfileSerializer(CodedFieldsMixin, ModelSerializer):
    codes = BIOBANK_CODES
    id = serializers.CharField(source="bbmri_id", help_text="The BBMRI-ERIC ID.")
    code = serializers.CharField(source="biobank.code", help_text="The biobank's code in this installation.")
    name = serializers.CharField(source="biobank.name")
    country = serializers.CharField(source="biobank.country")
    contact = PersonSerializer(allow_null=True)
    head = PersonSerializer(allow_null=True)
    quality_standards = serializers.SerializerMethodField()
    collections = serializers.SerializerMethodField(help_text="The biobank's published collections.")

    class Meta:
        model = BiobankProfile
        fields = [
            "id", "code", "name", "acronym", "description", "url", "location", "latitude", "longitude", "country",
            "juristic_person", "contact", "head", "infrastructural_capabilities", "organisational_capabilities",
            "bioprocessing_capabilities", "quality_standards", "collaboration_commercial",
            "collaboration_non_for_profit", "withdrawn", "state", "collections", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(CollectionLinkSerializer(many=True))
    def get_collections(self, profile: BiobankProfile) -> list[dict[str, Any]]:
        shown = getattr(profile.biobank, "published_collections", None)
        if shown is None:
            shown = list(profile.biobank.collections.filter(state="published", bbmri_id__isnull=False).order_by("name"))
        return CollectionLinkSerializer(shown, many=True).data  # type: ignore[return-value]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_quality_standards(self, profile: BiobankProfile) -> list[dict[str, Any]]:
        return [
            {
                "standard": coded("Directory.QualityStandards", q.standard),
                "assessment_level": coded("Directory.AssessmentLevels", q.assessment_level),
            }
            for q in profile.quality_standards.all()
        ]


class BiobankProfileUpdateSerializer(InputSerializer):
    """A partial update of a biobank's MIABIS description; persons by their BBMRI-ERIC contact ID."""

    acronym = serializers.CharField(max_length=60, required=False, allow_blank=True)
    description = serializers.CharField(required=False)
    url = serializers.CharField(required=False, allow_blank=True)
    location = serializers.CharField(required=False, allow_blank=True, max_length=200)
    latitude = serializers.CharField(required=False, allow_blank=True, max_length=30)
    longitude = serializers.CharField(required=False, allow_blank=True, max_length=30)
    juristic_person = serializers.CharField(required=False, max_length=300)
    contact = serializers.SlugRelatedField(
        slug_field="bbmri_id", queryset=Person.objects.all(), required=False, allow_null=True
    )
    head = serializers.SlugRelatedField(
        slug_field="bbmri_id", queryset=Person.objects.all(), required=False, allow_null=True
    )
    infrastructural_capabilities = serializers.ListField(child=serializers.CharField(), required=False)
    organisational_capabilities = serializers.ListField(child=serializers.CharField(), required=False)
    bioprocessing_capabilities = serializers.ListField(child=serializers.CharField(), required=False)
    quality_standards = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        required=False,
        help_text='[{"standard": "ISO-20387-2018", "assessment_level": "accredited"}, …]',
    )
    collaboration_commercial = serializers.BooleanField(required=False, allow_null=True)
    collaboration_non_for_profit = serializers.BooleanField(required=False, allow_null=True)
    withdrawn = serializers.BooleanField(required=False)
    state = serializers.ChoiceField(choices=PublicationState.choices, required=False)

    def validate_quality_standards(self, value: list[dict[str, str]]) -> list[tuple[str, str]]:
        pairs = []
        for item in value:
            if set(item) != {"standard", "assessment_level"}:
                raise serializers.ValidationError(_("Each entry needs exactly 'standard' and 'assessment_level'."))
            pairs.append((item["standard"], item["assessment_level"]))
        return pairs

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError(
                _("Nothing to change; send at least one of: %(fields)s.") % {"fields": ", ".join(self.fields)},
                code="required",
            )
        return attrs


class CollectionDescriptionSerializer(CodedFieldsMixin, ModelSerializer):
    codes = {**COLLECTION_CODES, "data_use": "DUO"}
    biobank = serializers.CharField(source="biobank.code", help_text="The biobank's code.")
    biobank_id = serializers.CharField(source="biobank.profile.bbmri_id", default=None)
    parent = CollectionLinkSerializer(allow_null=True)
    sub_collections = serializers.SerializerMethodField()
    contact = PersonSerializer(allow_null=True)
    head = PersonSerializer(allow_null=True)
    diseases = serializers.SerializerMethodField()
    networks: serializers.SlugRelatedField[Network] = serializers.SlugRelatedField(
        slug_field="bbmri_id", many=True, read_only=True
    )

    class Meta:
        model = Collection
        fields = [
            "id", "bbmri_id", "biobank", "biobank_id", "code", "name", "acronym", "description", "url", "parent",
            "sub_collections", "contact", "head", "country", "sample_source", "sex", "age_low", "age_high",
            "age_unit", "dataset_types", "materials", "storage_temperatures", "diseases", "collection_settings",
            "collection_designs", "use_access_conditions", "data_use", "status", "number_of_subjects",
            "inclusion_criteria", "publications", "collection_types", "data_categories", "access_fee",
            "access_joint_project", "access_description", "access_uri", "sops", "collaboration_commercial",
            "collaboration_non_for_profit", "networks", "withdrawn", "state", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(CodeLabelSerializer(many=True))
    def get_diseases(self, collection: Collection) -> list[dict[str, str]]:
        return diseases(collection.diseases)

    @extend_schema_field(CollectionLinkSerializer(many=True))
    def get_sub_collections(self, collection: Collection) -> list[dict[str, Any]]:
        shown = self.context.get("shown_children")
        children = shown if shown is not None else list(collection.children.all())
        return CollectionLinkSerializer(children, many=True).data  # type: ignore[return-value]


class CollectionDescribeInputSerializer(InputSerializer):
    """A partial update of a collection's MIABIS description: codes as stored (``DNA``, ``DUO:0000042``, ``C18``);
    ``contact``/``head`` by BBMRI-ERIC contact ID, ``parent`` by collection number (``null`` detaches)."""

    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    bbmri_id = serializers.CharField(required=False, allow_blank=True, max_length=250)
    acronym = serializers.CharField(required=False, allow_blank=True, max_length=60)
    url = serializers.CharField(required=False, allow_blank=True)
    access_uri = serializers.CharField(required=False, allow_blank=True)
    access_description = serializers.CharField(required=False, allow_blank=True)
    country = serializers.CharField(required=False, allow_blank=True)
    sample_source = serializers.CharField(required=False, allow_blank=True)
    status = serializers.CharField(required=False, allow_blank=True)
    age_unit = serializers.CharField(required=False, allow_blank=True)
    age_low = serializers.IntegerField(required=False, allow_null=True)
    age_high = serializers.IntegerField(required=False, allow_null=True)
    number_of_subjects = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    collaboration_commercial = serializers.BooleanField(required=False, allow_null=True)
    collaboration_non_for_profit = serializers.BooleanField(required=False, allow_null=True)
    withdrawn = serializers.BooleanField(required=False)
    contact = serializers.SlugRelatedField(
        slug_field="bbmri_id", queryset=Person.objects.all(), required=False, allow_null=True
    )
    head = serializers.SlugRelatedField(
        slug_field="bbmri_id", queryset=Person.objects.all(), required=False, allow_null=True
    )
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]  # the attribute's name
        queryset=Collection.objects.all(), required=False, allow_null=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in COLLECTION_DESCRIPTION_FIELDS:  # the multi-valued attributes: lists of codes
            if name not in self.fields:
                self.fields[name] = serializers.ListField(child=serializers.CharField(), required=False)

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError(
                _("Nothing to change; send at least one of: %(fields)s.") % {"fields": ", ".join(self.fields)},
                code="required",
            )
        return attrs


class CollectionStateInputSerializer(InputSerializer):
    state = serializers.ChoiceField(choices=PublicationState.choices)


class CatalogNetworkSerializer(CodedFieldsMixin, ModelSerializer):
    codes = NETWORK_CODES
    id = serializers.CharField(source="bbmri_id")
    contact = PersonSerializer()
    members = serializers.SerializerMethodField()
    collections = serializers.SerializerMethodField()

    class Meta:
        model = Network
        fields = [
            "id", "name", "acronym", "description", "url", "location", "latitude", "longitude", "juristic_person",
            "countries", "contact", "status", "network_types", "common_network_elements", "collaboration_topics",
            "members", "collections", "withdrawn", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_members(self, network: Network) -> list[str]:
        """BBMRI-ERIC IDs of the member biobanks with a published profile."""
        return sorted(
            b.profile.bbmri_id
            for b in network.member_biobanks.all()
            if hasattr(b, "profile") and b.profile.state == "published"
        )

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_collections(self, network: Network) -> list[str]:
        return sorted(c.bbmri_id for c in network.collections.all() if c.state == "published" and c.bbmri_id)


class FactSerializer(ModelSerializer):
    collection = serializers.IntegerField(source="collection_id")
    sex = serializers.SerializerMethodField()
    age_range = serializers.SerializerMethodField()
    material_type = serializers.SerializerMethodField()
    disease = serializers.SerializerMethodField()
    number_of_samples = serializers.SerializerMethodField()
    number_of_donors = serializers.SerializerMethodField()
    exact = serializers.SerializerMethodField(help_text="true: exact counts (staff of the biobank); false: rounded.")

    class Meta:
        model = CollectionFact
        fields = ["collection", "sex", "age_range", "material_type", "disease", "number_of_samples",
                  "number_of_donors", "exact", "computed_at"]  # fmt: skip

    def _exact(self) -> bool:
        return bool(self.context.get("exact"))

    @extend_schema_field(CodeLabelSerializer)
    def get_sex(self, fact: CollectionFact) -> Any:
        return coded("Directory.SexTypes", fact.sex)

    @extend_schema_field(CodeLabelSerializer)
    def get_age_range(self, fact: CollectionFact) -> Any:
        return coded("Directory.AgeRanges", fact.age_range)

    @extend_schema_field(CodeLabelSerializer)
    def get_material_type(self, fact: CollectionFact) -> Any:
        return coded("Directory.MaterialTypes", fact.material_type)

    @extend_schema_field(CodeLabelSerializer(allow_null=True))
    def get_disease(self, fact: CollectionFact) -> Any:
        return {"code": fact.disease, "label": v.disease_label(fact.disease)} if fact.disease else None

    def get_number_of_samples(self, fact: CollectionFact) -> int:
        from ..facts.privacy import shown_count

        return shown_count(fact.number_of_samples, exact=self._exact())

    def get_number_of_donors(self, fact: CollectionFact) -> int:
        from ..facts.privacy import shown_count

        return shown_count(fact.number_of_donors, exact=self._exact())

    def get_exact(self, fact: CollectionFact) -> bool:
        return self._exact()


class VocabularySerializer(serializers.Serializer):
    name = serializers.CharField()
    terms = serializers.IntegerField(help_text="Number of codes.")


class TermSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the output's name; shadows Field.label
    parent = serializers.CharField()  # type: ignore[assignment]  # the output's name; shadows Field.parent
    kind = serializers.CharField()
