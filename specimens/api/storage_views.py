"""Storage API: units (list, create, read, change), box maps, free cells, and placements (place, move, take out,
bulk place).

Reads go through ``storage_units_visible_to`` (``view_specimens``): a unit of a biobank the caller cannot see is a
404. Writes need ``change_specimens`` on the unit's biobank: one the caller sees but may not change is a 403.
Placements name the specimen by barcode and the box by id in the body; a caller holding ``change_specimens`` in no
biobank is refused (403) before the body is read. Unit updates carry ``ETag``/``If-Match`` (``ETagMixin``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from biobank.accounts.choices import Perm
from biobank.accounts.principals import AuthenticatedRequest, Principal
from biobank.accounts.selectors import biobanks_with_perm, user_has_biobank_perm
from biobank.api.etags import ETagMixin
from biobank.api.fields import BiobankCodeField
from biobank.api.schema import (
    ETAG_RESPONSE_HEADER,
    IF_MATCH_PARAMETER,
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    problem_responses,
)

from .. import selectors
from ..models import Specimen, StorageUnit, position_label
from ..positions import position_parse
from ..services import storage as services
from .storage_serializers import (
    BoxMapSerializer,
    BulkPlaceInputSerializer,
    BulkPlaceResultSerializer,
    FreePositionsSerializer,
    PlaceInputSerializer,
    PlacementSerializer,
    StorageUnitCreateInputSerializer,
    StorageUnitSerializer,
    StorageUnitUpdateInputSerializer,
    UnplaceInputSerializer,
)

UNIT_EXAMPLE = {
    "id": 42,
    "biobank": "biobank-a",
    "parent": 17,
    "kind": "box",
    "name": "Serum box 7",
    "code": "BOX-0007",
    "temperature_c": None,
    "rows": 9,
    "columns": 9,
    "path": "/3/9/17/42/",
    "created_at": "2025-01-31T12:00:00Z",
    "updated_at": "2025-02-03T09:30:00Z",
}
PLACEMENT_EXAMPLE = {"specimen": 981, "barcode": "S-000981", "box": 42, "box_code": "BOX-0007", "position": "B3"}
KIND_PARAMETER = OpenApiParameter("kind", str, description="Only units of this kind, e.g. `box` or `freezer`.")
BIOBANK_PARAMETER = OpenApiParameter("biobank", str, description="Only units of the biobank with this code.")
PARENT_PARAMETER = OpenApiParameter("parent", int, description="Only the units directly inside this unit.")
N_PARAMETER = OpenApiParameter("n", int, description="How many free cells (1-2000, default 10).")
CHANGE = "manage storage"


def _visible(user: Principal, pk: int) -> StorageUnit:
    try:
        return selectors.storage_units_visible_to(user=user).get(pk=pk)
    except StorageUnit.DoesNotExist:
        raise exceptions.NotFound(f"No storage unit {pk} that you may see.") from None


def _box(user: Principal, pk: int) -> StorageUnit:
    unit = _visible(user, pk)
    if not unit.is_box:
        raise exceptions.NotFound(f"Storage unit {pk} is a {unit.kind}, not a box.")
    return unit


def _require_change(user: Principal, unit: StorageUnit) -> None:
    if not user_has_biobank_perm(user=user, biobank=unit.biobank, perm=Perm.CHANGE_SPECIMENS):
        raise exceptions.PermissionDenied(
            _("You may not %(change)s in %(code)s; this needs %(specimens)s.")
            % {"change": CHANGE, "code": unit.biobank.code, "specimens": Perm.CHANGE_SPECIMENS}
        )


def _require_change_somewhere(user: Principal) -> None:
    if not biobanks_with_perm(user=user, perm=Perm.CHANGE_SPECIMENS).exists():
        raise exceptions.PermissionDenied(
            _("You may not %(change)s: you hold %(specimens)s in no biobank.")
            % {"change": CHANGE, "specimens": Perm.CHANGE_SPECIMENS}
        )


def _specimen(user: Principal, barcode: str) -> Specimen:
    try:
        return selectors.specimen_for_storage(user=user, barcode=barcode)
    except Specimen.DoesNotExist:
        raise exceptions.NotFound(f"No specimen with the barcode {barcode!r} that you may see.") from None


class StorageUnitListView(generics.ListAPIView):
    request: AuthenticatedRequest
    serializer_class = StorageUnitSerializer
    cursor_ordering = "pk"

    def get_queryset(self) -> Any:
        units = selectors.storage_units_visible_to(user=self.request.user)
        params = self.request.query_params
        if params.get("biobank"):
            units = units.filter(biobank__code=params["biobank"])
        if params.get("kind"):
            units = units.filter(kind=params["kind"])
        if params.get("parent", "").isdigit():
            units = units.filter(parent_id=int(params["parent"]))
        return units

    @extend_schema(
        operation_id="storage_units_list",
        summary="Storage units you may see",
        description="Units of the biobanks where you may see specimens (sites, rooms, freezers, tanks, racks, "
        "shelves, boxes), oldest first, cursor-paginated.",
        parameters=[BIOBANK_PARAMETER, KIND_PARAMETER, PARENT_PARAMETER],
        responses={200: StorageUnitSerializer(many=True), **problem_responses(400, *READ_PROBLEMS)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="storage_units_create",
        summary="Create a storage unit",
        description="Needs `change_specimens` on the biobank named in the body. Which kind may sit inside which: "
        "site (top) → room → freezer/tank → rack/shelf → box; a box has `rows` and `columns`, other kinds none.",
        request=StorageUnitCreateInputSerializer,
        responses={201: StorageUnitSerializer, **problem_responses(403, 404, 409, *WRITE_PROBLEMS)},
        parameters=[ETAG_RESPONSE_HEADER],
        examples=[
            OpenApiExample(
                "New box",
                request_only=True,
                value={
                    "biobank": "biobank-a",
                    "parent": 17,
                    "kind": "box",
                    "name": "Serum box 7",
                    "code": "BOX-0007",
                    "rows": 9,
                    "columns": 9,
                },
            ),
            OpenApiExample("Created", response_only=True, status_codes=["201"], value=UNIT_EXAMPLE),
        ],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = StorageUnitCreateInputSerializer(data=request.data, context={"request": request})
        BiobankCodeField.of(serializer).require_somewhere(request.user)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        parent_id = data.pop("parent")
        parent = _visible(request.user, parent_id) if parent_id is not None else None
        unit = services.storage_unit_create(actor=request.user, parent=parent, **data)
        response = Response(StorageUnitSerializer(unit).data, status=status.HTTP_201_CREATED)
        response["Location"] = reverse("api-storage-unit-detail", kwargs={"pk": unit.pk}, request=request)
        return ETagMixin().with_etag(response, unit)


class StorageUnitDetailView(ETagMixin, APIView):
    @extend_schema(
        operation_id="storage_units_retrieve",
        summary="One storage unit",
        description="Send the ETag of your copy as `If-None-Match` to get 304 (no body) while it is current.",
        parameters=[ETAG_RESPONSE_HEADER],
        responses={
            200: StorageUnitSerializer,
            304: OpenApiResponse(description="Your copy (`If-None-Match`) is current."),
            **problem_responses(404, *READ_PROBLEMS),
        },
        examples=[OpenApiExample("Box", response_only=True, value=UNIT_EXAMPLE)],
    )
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        unit = _visible(request.user, pk)
        return self.etag_read(request, unit, StorageUnitSerializer(unit).data)

    @extend_schema(
        operation_id="storage_units_partial_update",
        summary="Change a storage unit",
        description="Send only the fields to change (`name`, `code`, `temperature_c`; `rows`, `columns` of a box). "
        "A box never shrinks below an occupied cell (409). Needs `change_specimens`; send the ETag of your last "
        "read as `If-Match`.",
        parameters=[IF_MATCH_PARAMETER, ETAG_RESPONSE_HEADER],
        request=StorageUnitUpdateInputSerializer,
        responses={200: StorageUnitSerializer, **problem_responses(403, 404, 409, 412, *WRITE_PROBLEMS)},
        examples=[OpenApiExample("Rename", request_only=True, value={"name": "Serum box 7 (2025)"})],
    )
    def patch(self, request: AuthenticatedRequest, pk: int) -> Response:
        with transaction.atomic():
            unit = _visible(request.user, pk)
            _require_change(request.user, unit)
            unit = StorageUnit.objects.select_for_update(of=("self",)).select_related("biobank").get(pk=pk)
            self.check_if_match(request, unit)
            serializer = StorageUnitUpdateInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            unit = services.storage_unit_update(actor=request.user, unit=unit, **serializer.validated_data)
        return self.with_etag(Response(StorageUnitSerializer(unit).data), unit)


class BoxMapView(APIView):
    @extend_schema(
        operation_id="storage_units_map",
        summary="The map of a box",
        description="Every cell of the box, row by row, with the specimen in it (or null); one query whatever the "
        "size of the box.",
        responses={200: BoxMapSerializer, **problem_responses(404, *READ_PROBLEMS)},
    )
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        return Response(BoxMapSerializer(selectors.box_map(_box(request.user, pk))).data)


class FreePositionsView(APIView):
    @extend_schema(
        operation_id="storage_units_free_positions",
        summary="Free cells of a box",
        description="The first `n` free cells, row by row (fewer if the box has fewer).",
        parameters=[N_PARAMETER],
        responses={200: FreePositionsSerializer, **problem_responses(400, 404, *READ_PROBLEMS)},
    )
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        box = _box(request.user, pk)
        raw = request.query_params.get("n", "10")
        if not raw.isdigit() or not 1 <= int(raw) <= services.MAX_BULK:
            raise exceptions.ValidationError({"n": [f"A whole number from 1 to {services.MAX_BULK}."]})
        positions = [position_label(r, c) for r, c in selectors.free_positions(box, int(raw))]
        return Response({"box": box.pk, "positions": positions})


class BulkPlaceView(APIView):
    @extend_schema(
        operation_id="storage_units_bulk_place",
        summary="Place many specimens in a box",
        description="Scan-driven: each line a barcode and, optionally, a position (else the next free cell, row by "
        "row). A tube in no box is placed (event `stored`), one in another cell moved (`moved`), one already in "
        "this box with no other position named left where it is. All or nothing: a problem in any line is a 400 "
        "listing every problem. Needs `change_specimens` on the box's biobank. The answer lists what changed.",
        request=BulkPlaceInputSerializer,
        responses={201: BulkPlaceResultSerializer, **problem_responses(403, 404, 409, *WRITE_PROBLEMS)},
        examples=[
            OpenApiExample(
                "Three tubes",
                request_only=True,
                value={"placements": [{"barcode": "S-1"}, {"barcode": "S-2", "position": "C4"}, {"barcode": "S-3"}]},
            )
        ],
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        box = _box(request.user, pk)
        _require_change(request.user, box)
        serializer = BulkPlaceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lines = [(line["barcode"], line.get("position")) for line in serializer.validated_data["placements"]]
        done = services.specimens_place_bulk(actor=request.user, box=box, placements=lines)
        result = BulkPlaceResultSerializer({"box": box.pk, "placed": done}).data
        return Response(result, status=status.HTTP_201_CREATED)


class _PlacementView(APIView):
    def _target(self, request: AuthenticatedRequest) -> tuple[Specimen, StorageUnit, int, int]:
        _require_change_somewhere(request.user)
        serializer = PlaceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        box = _visible(request.user, data["box"])
        _require_change(request.user, box)
        specimen = _specimen(request.user, data["barcode"])
        row, column = position_parse(data["position"], box) if box.is_box else (1, 1)
        return specimen, box, row, column


class PlaceView(_PlacementView):
    @extend_schema(
        operation_id="placements_place",
        summary="Place a specimen in a cell",
        description="For a specimen in no box (event `stored`). An occupied cell is a 409 naming it — also for "
        "the loser of two placements racing for one cell. Needs `change_specimens`.",
        request=PlaceInputSerializer,
        responses={201: PlacementSerializer, **problem_responses(403, 404, 409, *WRITE_PROBLEMS)},
        examples=[
            OpenApiExample("Place", request_only=True, value={"barcode": "S-000981", "box": 42, "position": "B3"}),
            OpenApiExample("Placed", response_only=True, status_codes=["201"], value=PLACEMENT_EXAMPLE),
        ],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        specimen, box, row, column = self._target(request)
        placed = services.specimen_place(actor=request.user, specimen=specimen, box=box, row=row, column=column)
        return Response(PlacementSerializer(placed).data, status=status.HTTP_201_CREATED)


class MoveView(_PlacementView):
    @extend_schema(
        operation_id="placements_move",
        summary="Move a specimen to another cell",
        description="In the same box or another (event `moved` with from and to). Needs `change_specimens`.",
        request=PlaceInputSerializer,
        responses={200: PlacementSerializer, **problem_responses(403, 404, 409, *WRITE_PROBLEMS)},
        examples=[
            OpenApiExample("Move", request_only=True, value={"barcode": "S-000981", "box": 43, "position": "A1"})
        ],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        specimen, box, row, column = self._target(request)
        moved = services.specimen_move(actor=request.user, specimen=specimen, box=box, row=row, column=column)
        return Response(PlacementSerializer(moved).data)


class UnplaceView(APIView):
    @extend_schema(
        operation_id="placements_unplace",
        summary="Take a specimen out of its box",
        description="The cell becomes free (event `removed`). Needs `change_specimens` on the specimen's biobank.",
        request=UnplaceInputSerializer,
        responses={200: PlacementSerializer, **problem_responses(403, 404, 409, *WRITE_PROBLEMS)},
        examples=[OpenApiExample("Take out", request_only=True, value={"barcode": "S-000981", "note": "thawed"})],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        _require_change_somewhere(request.user)
        serializer = UnplaceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        specimen = _specimen(request.user, serializer.validated_data["barcode"])
        if not user_has_biobank_perm(user=request.user, biobank=specimen.biobank, perm=Perm.CHANGE_SPECIMENS):
            raise exceptions.PermissionDenied(
                _("You may not %(change)s in %(code)s; this needs %(specimens)s.")
                % {"change": CHANGE, "code": specimen.biobank.code, "specimens": Perm.CHANGE_SPECIMENS}
            )
        note = serializer.validated_data["note"]
        return Response(
            PlacementSerializer(services.specimen_unplace(actor=request.user, specimen=specimen, note=note)).data
        )
