"""Specimens API: list (filters, cursor paging), register a primary specimen (``Idempotency-Key``), read, correct.

Reads go through ``specimens_visible_to`` (``view_specimens``) and writes through ``specimens_changeable_by``
(``change_specimens``): a specimen of a biobank the caller cannot see is a 404, one it sees but may not change a
403. Corrections carry optimistic concurrency (``ETagMixin``: a stale ``If-Match`` is a 412). The workflow verbs
(aliquots, reservations, shipments, events …) are in ``specimen_actions``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from biobank.accounts.principals import AuthenticatedRequest
from biobank.api.etags import ETagMixin, etag_of
from biobank.api.fields import BiobankCodeField
from biobank.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, REPLAYED_RESPONSE_HEADER, idempotent
from biobank.api.pagination import KeysFirstListMixin
from biobank.api.schema import (
    ETAG_RESPONSE_HEADER,
    IF_MATCH_PARAMETER,
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    problem_responses,
)
from biobank.errors import ConflictError, DomainError, UnprocessableError

from ..models import Specimen
from ..selectors import specimen_lineage, specimens_changeable_by, specimens_visible_to
from ..services import AliquotPlan, specimen_register, specimen_update
from .specimen_filters import SpecimenFilterSet
from .specimen_list_rows import specimen_list_rows
from .specimen_serializers import (
    SpecimenCreateInputSerializer,
    SpecimenDetailSerializer,
    SpecimenSerializer,
    SpecimenUpdateInputSerializer,
)

BARCODE_PARAMETER = OpenApiParameter(
    "barcode", str, OpenApiParameter.PATH, description="The specimen's barcode, e.g. `BB-000042`."
)
SPECIMEN_EXAMPLE: dict[str, Any] = {
    "url": "https://biobank.example.org/api/v1/specimens/BB-000042/",
    "barcode": "BB-000042",
    "biobank": "biobank-a",
    "collection": "crc-2024",
    "donor": "7KQ2M-X9TRB-3",
    "sample_type": "SER",
    "material_type": "Serum",
    "sprec_code": "SER-PED-A-B-N-A-E",
    "lineage": "primary",
    "parent": None,
    "status": "available",
    "quantity": "2.0000",
    "unit": "mL",
    "concentration": None,
    "concentration_unit": "",
    "freeze_thaw_count": 0,
    "position": {"box": "B-17", "box_id": 17, "row": 2, "column": 7, "label": "B7"},
    "collected_at": "2026-03-02T08:15:00Z",
    "received_at": "2026-03-02T09:05:00Z",
    "created_at": "2026-03-02T09:20:00Z",
    "updated_at": "2026-03-02T09:20:00Z",
}
SPECIMEN_DETAIL_EXAMPLE: dict[str, Any] = {
    **SPECIMEN_EXAMPLE,
    "initial_quantity": "2.0000",
    "notes": "",
    "facts": {"primary_container": "SST", "pre_centrifugation_delay_min": 60, "storage_temperature_c": "-80.0"},
    "sprec": {
        "code": "SER-SST-A-B-N-A-E",
        "kind": "fluid",
        "entered": False,
        "elements": [{"position": 1, "element": "Type of sample", "letter": "SER", "meaning": "Serum", "status": None}],
    },
    "lineage_summary": {"parents": [], "children": 10, "pools": 0},
}


@contextmanager
def service_errors() -> Iterator[None]:
    """The services' refusals as the API answers them: a consent-gate refusal is a 422 whose detail carries the
    gate's reason; a specimen in the wrong status (consumed, shipped …) is a 409; other rule breaks stay 400."""
    try:
        yield
    except ConflictError:
        raise
    except DomainError as error:
        if error.code == "consent":
            raise UnprocessableError(error.message, field=error.field, code=error.code) from None
        if error.code == "status":
            raise ConflictError(error.message, field=error.field, code=error.code) from None
        raise


def visible_specimen(request: AuthenticatedRequest, barcode: str) -> Specimen:
    specimen = specimens_visible_to(user=request.user).select_related("parent").filter(barcode=barcode).first()
    if specimen is None:
        raise exceptions.NotFound(f"No specimen {barcode} that you may see.")
    return specimen


def changeable_specimen(request: AuthenticatedRequest, barcode: str, *, lock: bool = False) -> Specimen:
    """The specimen the caller may change (locked if asked): 403 if it may only see it, 404 if not even that."""
    specimens = specimens_changeable_by(user=request.user).select_related("parent")
    if lock:
        specimens = specimens.select_for_update(of=("self",))
    specimen = specimens.filter(barcode=barcode).first()
    if specimen is None:
        visible_specimen(request, barcode)
        raise exceptions.PermissionDenied(
            _("You may not change specimen %(barcode)s; this needs change_specimens.") % {"barcode": barcode}
        )
    return specimen


def detail_data(specimen: Specimen, request: Request) -> Any:
    context = {"request": request, "lineage": specimen_lineage(specimen)}
    return SpecimenDetailSerializer(specimen, context=context).data


class SpecimenCreatedSerializer(SpecimenDetailSerializer):
    aliquots = serializers.SerializerMethodField(help_text="The aliquots made in the same step (if asked).")

    class Meta(SpecimenDetailSerializer.Meta):
        fields = [*SpecimenDetailSerializer.Meta.fields, "aliquots"]

    def get_aliquots(self, specimen: Specimen) -> list[dict[str, Any]]:
        children = self.context.get("aliquots", [])
        return SpecimenSerializer(children, many=True, context=self.context).data  # type: ignore[return-value]


CREATE_EXAMPLE = {
    "biobank": "biobank-a",
    "collection": "crc-2024",
    "donor": "7KQ2M-X9TRB-3",
    "sample_type": "SER",
    "quantity": "2",
    "unit": "mL",
    "facts": {
        "collected_at": "2026-03-02T08:15:00Z",
        "primary_container": "SST",
        "pre_centrifugation_delay_min": 60,
        "pre_centrifugation_temperature_c": "21.0",
        "centrifugation": "done",
        "centrifugation_temperature_c": "20.0",
        "centrifugation_duration_min": 10,
        "centrifugation_g_force": 2000,
        "centrifugation_braking": True,
        "second_centrifugation": "none",
        "post_centrifugation_delay_min": 30,
        "post_centrifugation_temperature_c": "4.0",
        "storage_temperature_c": "-80.0",
    },
    "aliquots": {"count": 4, "quantity": "0.5", "unit": "mL"},
}


class SpecimenListView(KeysFirstListMixin, generics.ListAPIView):
    request: AuthenticatedRequest  # IsAuthenticated (the default) ran: a person or an API token
    serializer_class = SpecimenSerializer
    filterset_class = SpecimenFilterSet
    cursor_ordering = "-pk"

    def get_queryset(self) -> Any:
        return specimens_visible_to(user=self.request.user).select_related("parent")

    def page_rows(self, keys: Sequence[Any]) -> Any:
        # The keys were chosen on get_queryset() (the caller's visible specimens) a moment ago in this request; read
        # their rows by primary key alone: asking for the visibility again cost a third of the rows' planning.
        return specimen_list_rows(keys, self.request)

    @extend_schema(
        operation_id="specimens_list",
        summary="Specimens you may see",
        description="Specimens of the biobanks where you hold `view_specimens`, newest first, cursor-paginated "
        "(`page_size` up to 500). Filters: `barcode`, `donor` (PID, display or canonical form), `collection` "
        "(code), `sample_type`, `material_type`, `status`, `lineage`, `location` (a box id, or a freezer, rack or "
        "shelf id: anything under it), `collected_after`/`collected_before`, `created_after`/`created_before` "
        "(ISO 8601; after is inclusive, before exclusive). The list is lean; the detail adds facts, decoded SPREC "
        "and lineage.",
        tags=["specimens"],
        responses={200: SpecimenSerializer(many=True), **problem_responses(400, *READ_PROBLEMS)},
        examples=[
            OpenApiExample(
                "Specimens", response_only=True, value={"next": None, "previous": None, "results": [SPECIMEN_EXAMPLE]}
            )
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="specimens_create",
        summary="Register a primary specimen",
        description="Needs `change_specimens` on the biobank named in the body. The collection is named by its "
        "code, the donor by PID. The barcode is generated unless given; the SPREC code is derived from `facts` "
        "(or `sprec_code` where the facts are unknown). `aliquots` makes that many aliquots in the same step, "
        "taken from the specimen (mass balance). A donor who withdrew gets a consent-blocked specimen. Send an "
        "`Idempotency-Key` to retry safely: a retry gets the first answer and registers nothing.",
        tags=["specimens"],
        parameters=[IDEMPOTENCY_KEY_PARAMETER, ETAG_RESPONSE_HEADER, REPLAYED_RESPONSE_HEADER],
        request=SpecimenCreateInputSerializer,
        responses={201: SpecimenCreatedSerializer, **problem_responses(403, 409, 422, *WRITE_PROBLEMS)},
        examples=[
            OpenApiExample("Serum with four aliquots", request_only=True, value=CREATE_EXAMPLE),
            OpenApiExample(
                "Registered",
                response_only=True,
                status_codes=["201"],
                value={**SPECIMEN_DETAIL_EXAMPLE, "aliquots": [{**SPECIMEN_EXAMPLE, "barcode": "BB-000043"}]},
            ),
        ],
    )
    def post(self, request: AuthenticatedRequest) -> Any:
        return idempotent(request, lambda: self._create(request))

    def _create(self, request: AuthenticatedRequest) -> Response:
        serializer = SpecimenCreateInputSerializer(data=request.data, context={"request": request})
        BiobankCodeField.of(serializer).require_somewhere(request.user)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("biobank")
        plan = data.pop("aliquots", None)
        aliquots = (
            AliquotPlan(plan["count"], plan["quantity"], plan["unit"], tuple(plan.get("barcodes", ())))
            if plan
            else None
        )
        with service_errors():
            specimen = specimen_register(
                actor=request.user, facts=dict(data.pop("facts", {})), aliquots=aliquots, **data
            )
        children = list(specimen.children.select_related(*SELECTED).order_by("pk")) if aliquots else []
        context = {"request": request, "lineage": specimen_lineage(specimen), "aliquots": children}
        response = Response(SpecimenCreatedSerializer(specimen, context=context).data, status=status.HTTP_201_CREATED)
        response["Location"] = reverse("api-specimen-detail", kwargs={"barcode": specimen.barcode}, request=request)
        response["ETag"] = etag_of(specimen)
        return response


SELECTED = ("biobank", "collection", "donor", "box", "parent")


class SpecimenDetailView(ETagMixin, APIView):
    @extend_schema(
        operation_id="specimens_retrieve",
        summary="One specimen",
        description="The specimen with its recorded facts, its SPREC code decoded element by element, and its "
        "lineage in numbers (parents with what was taken from each, counts of children and pools). Send the ETag "
        "of your copy as `If-None-Match` to get 304 while it is current.",
        tags=["specimens"],
        parameters=[BARCODE_PARAMETER, ETAG_RESPONSE_HEADER],
        responses={
            200: SpecimenDetailSerializer,
            304: OpenApiResponse(description="Your copy (`If-None-Match`) is current."),
            **problem_responses(404, *READ_PROBLEMS),
        },
        examples=[OpenApiExample("Specimen", response_only=True, value=SPECIMEN_DETAIL_EXAMPLE)],
    )
    def get(self, request: AuthenticatedRequest, barcode: str) -> Response:
        specimen = visible_specimen(request, barcode)
        return self.etag_read(request, specimen, detail_data(specimen, request))

    @extend_schema(
        operation_id="specimens_partial_update",
        summary="Correct a specimen's facts or notes",
        description="Send only what changes: `facts` (any of the pre-analytical facts), `notes`, `concentration`, "
        "`concentration_unit`, or `sprec_code` where the facts are unknown. The SPREC code is derived again from "
        "the facts; a changed code is an event on the timeline. Needs `change_specimens`. Send the ETag of your "
        "last read as `If-Match`: if someone changed the specimen since, the answer is 412 and nothing changes.",
        tags=["specimens"],
        parameters=[BARCODE_PARAMETER, IF_MATCH_PARAMETER, ETAG_RESPONSE_HEADER],
        request=SpecimenUpdateInputSerializer,
        responses={200: SpecimenDetailSerializer, **problem_responses(403, 404, 409, 412, *WRITE_PROBLEMS)},
        examples=[
            OpenApiExample(
                "Correct the storage temperature",
                request_only=True,
                value={"facts": {"storage_temperature_c": "-150.0"}, "notes": "Moved to the LN2 tank."},
            )
        ],
    )
    def patch(self, request: AuthenticatedRequest, barcode: str) -> Response:
        with transaction.atomic():
            specimen = changeable_specimen(request, barcode, lock=True)
            self.check_if_match(request, specimen)
            serializer = SpecimenUpdateInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            changes = dict(serializer.validated_data)
            changes.update(changes.pop("facts", {}))
            with service_errors():
                updated = specimen_update(actor=request.user, specimen=specimen, **changes)
        specimen = Specimen.objects.select_related(*SELECTED).get(pk=updated.pk)
        return self.with_etag(Response(detail_data(specimen, request)), specimen)
