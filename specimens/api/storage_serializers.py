"""Input and output shapes of the storage API: units, box maps, free cells and placements."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.api.fields import BiobankCodeField
from biobank.api.serializers import InputSerializer, ModelSerializer

from ..choices import MAX_BOX_SIDE, StorageKind
from ..models import StorageUnit
from ..models.specimens import BARCODE_MAX_LENGTH
from ..services.storage import MAX_BULK

POSITION_HELP = "A row letter and a column number inside the box, e.g. `A1` or `H12` (case-insensitive)."


class StorageUnitSerializer(ModelSerializer):
    biobank: serializers.SlugRelatedField[Biobank] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The biobank's code."
    )
    # DRF takes declared fields off the class, so the name does not clash with Field.parent at run time.
    parent: Any = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The unit it sits in; null for a site."
    )
    path = serializers.CharField(read_only=True, help_text="Ids from the site down to this unit, e.g. `/3/17/42/`.")

    class Meta:
        model = StorageUnit
        fields = [
            "id",
            "biobank",
            "parent",
            "kind",
            "name",
            "code",
            "temperature_c",
            "rows",
            "columns",
            "path",
            "created_at",
            "updated_at",
        ]


def _grid(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=MAX_BOX_SIDE, allow_null=True, help_text="Boxes only (1-48).", **kwargs
    )


class StorageUnitCreateInputSerializer(InputSerializer):
    biobank = BiobankCodeField(perm=Perm.CHANGE_SPECIMENS, action="manage storage")
    parent: Any = serializers.IntegerField(  # a declared field, see above
        required=False, allow_null=True, default=None, help_text="Id of the unit it sits in; none for a site."
    )
    kind = serializers.ChoiceField(choices=StorageKind.choices)
    name = serializers.CharField(max_length=100)
    code = serializers.CharField(max_length=40, help_text="Scannable code, unique in the biobank.")
    temperature_c = serializers.IntegerField(min_value=-273, max_value=100, required=False, allow_null=True)
    rows = _grid(required=False, default=None)
    columns = _grid(required=False, default=None)


class StorageUnitUpdateInputSerializer(InputSerializer):
    """A partial update: send only the fields to change."""

    name = serializers.CharField(max_length=100, required=False)
    code = serializers.CharField(max_length=40, required=False)
    temperature_c = serializers.IntegerField(min_value=-273, max_value=100, required=False, allow_null=True)
    rows = _grid(required=False)
    columns = _grid(required=False)

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError(
                _("Nothing to change; send at least one of: %(fields)s.") % {"fields": ", ".join(self.fields)},
                code="required",
            )
        return attrs


class CellSpecimenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    barcode = serializers.CharField()
    status = serializers.CharField()
    sample_type = serializers.CharField()


class BoxCellSerializer(serializers.Serializer):
    position = serializers.CharField(source="label", help_text="e.g. `B3`.")
    row = serializers.IntegerField()
    column = serializers.IntegerField()
    specimen = serializers.SerializerMethodField(help_text="The specimen in the cell; null for an empty cell.")

    @extend_schema_field(CellSpecimenSerializer(allow_null=True))
    def get_specimen(self, cell: Any) -> dict[str, Any] | None:
        if not cell.occupied:
            return None
        return {"id": cell.specimen_id, "barcode": cell.barcode, "status": cell.status, "sample_type": cell.sample_type}


class BoxMapSerializer(serializers.Serializer):
    """The whole box, cell by cell (row by row), read in one query."""

    box = serializers.IntegerField(source="box.pk")
    code = serializers.CharField(source="box.code")
    rows = serializers.IntegerField(source="box.rows")
    columns = serializers.IntegerField(source="box.columns")
    capacity = serializers.IntegerField()
    occupied = serializers.IntegerField()
    cells = BoxCellSerializer(many=True, source="all_cells")


class FreePositionsSerializer(serializers.Serializer):
    box = serializers.IntegerField()
    positions = serializers.ListField(child=serializers.CharField(), help_text="Free cells, row by row.")


class PlaceInputSerializer(InputSerializer):
    barcode = serializers.CharField(max_length=BARCODE_MAX_LENGTH, help_text="The specimen's barcode.")
    box = serializers.IntegerField(help_text="Id of the box (a storage unit of kind `box`).")
    position = serializers.CharField(max_length=8, help_text=POSITION_HELP)


class UnplaceInputSerializer(InputSerializer):
    barcode = serializers.CharField(max_length=BARCODE_MAX_LENGTH)
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="Why, e.g. thawed for use.")


class PlacementSerializer(serializers.Serializer):
    """Where a specimen is now (``box`` and ``position`` null once taken out)."""

    specimen = serializers.IntegerField(source="pk")
    barcode = serializers.CharField()
    box = serializers.IntegerField(source="box_id", allow_null=True)
    box_code = serializers.SerializerMethodField()
    position = serializers.CharField(allow_null=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_box_code(self, specimen: Any) -> str | None:
        return specimen.box.code if specimen.box_id else None


class BulkLineSerializer(serializers.Serializer):
    barcode = serializers.CharField(max_length=BARCODE_MAX_LENGTH)
    position = serializers.CharField(
        max_length=8,
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text=POSITION_HELP + " Leave out for the next free cell, row by row.",
    )


class BulkPlaceInputSerializer(InputSerializer):
    # max_length is a ListSerializer argument (DRF 3.14+) the stubs do not know yet
    placements = BulkLineSerializer(many=True, allow_empty=False, max_length=MAX_BULK)  # type: ignore[call-arg]


class BulkPlacedSerializer(serializers.Serializer):
    barcode = serializers.CharField(source="specimen.barcode")
    specimen = serializers.IntegerField(source="specimen.pk")
    position = serializers.CharField()
    moved_from = serializers.CharField(help_text="Where a moved tube was (e.g. `BOX-3 A1`); empty for a placed one.")


class BulkPlaceResultSerializer(serializers.Serializer):
    box = serializers.IntegerField()
    placed = BulkPlacedSerializer(many=True)
