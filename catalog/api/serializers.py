"""Input and output shapes of the collections API."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.api.fields import BiobankCodeField
from biobank.api.serializers import InputSerializer, ModelSerializer
from catalog.models import Collection


class CollectionSerializer(ModelSerializer):
    biobank: serializers.SlugRelatedField[Biobank] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The biobank's code."
    )

    class Meta:
        model = Collection
        fields = ["id", "biobank", "code", "name", "description", "created_at", "updated_at"]


class CollectionCreateInputSerializer(InputSerializer):
    biobank = BiobankCodeField(perm=Perm.MANAGE_CATALOG, action="manage the catalogue")
    code = serializers.CharField(max_length=40, help_text="Unique within the biobank; lowercase, digits, hyphens.")
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class CollectionUpdateInputSerializer(InputSerializer):
    """A partial update: send only the fields to change."""

    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError(
                _("Nothing to change; send at least one of: %(fields)s.") % {"fields": ", ".join(self.fields)},
                code="required",
            )
        return attrs
