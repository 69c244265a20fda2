"""Workflow verbs of the specimens API: aliquots, derivatives, pools, reservations, shipments, returns,
consumption, disposal, lifting a consent block, and the chain-of-custody events.

Each is input serializer → service → output, on one specimen named by barcode (a pool names its parts in the body).
They need ``change_specimens`` on the specimen's biobank (a specimen the caller cannot see is a 404, one it may only
see a 403). Refusals: a mass balance that does not add up is a 400 (``mass_balance``), a consent that does not
permit the purpose a 422 whose detail carries the gate's reason (``consent``), a specimen in the wrong status a 409.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from biobank.accounts.choices import Perm
from biobank.accounts.principals import AuthenticatedRequest
from biobank.accounts.selectors import biobanks_with_perm
from biobank.api.etags import etag_of
from biobank.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, REPLAYED_RESPONSE_HEADER, idempotent
from biobank.api.schema import ETAG_RESPONSE_HEADER, READ_PROBLEMS, WRITE_PROBLEMS, problem_responses

from ..choices import EventType
from ..models import Specimen, SpecimenEvent
from ..selectors import specimen_timeline, specimens_changeable_by
from ..services import (
    specimen_derive,
    specimen_event_record,
    specimen_pool,
    specimen_qc_record,
    specimen_thaw,
    specimens_aliquot,
    specimens_consent_unblock,
    specimens_consume,
    specimens_dispose,
    specimens_release_reservation,
    specimens_reserve,
    specimens_return,
    specimens_ship,
)
from .specimen_serializers import (
    AliquotPlanSerializer,
    AliquotsCreatedSerializer,
    DeriveInputSerializer,
    EventInputSerializer,
    EventSerializer,
    PoolInputSerializer,
    ReasonInputSerializer,
    RequiredReasonInputSerializer,
    ReserveInputSerializer,
    ShipInputSerializer,
    SpecimenDetailSerializer,
    SpecimenSerializer,
)
from .specimen_views import (
    BARCODE_PARAMETER,
    SELECTED,
    SPECIMEN_DETAIL_EXAMPLE,
    SPECIMEN_EXAMPLE,
    changeable_specimen,
    detail_data,
    service_errors,
    visible_specimen,
)

TAGS = ["specimen actions"]
ACTION_PROBLEMS = problem_responses(403, 404, 409, *WRITE_PROBLEMS)
# 422: a consent-gate refusal, or an Idempotency-Key sent again with another body
GATE_PROBLEMS = problem_responses(403, 404, 409, 422, *WRITE_PROBLEMS)


def _fresh(specimen: Specimen) -> Specimen:
    return Specimen.objects.select_related(*SELECTED).get(pk=specimen.pk)


def _created(request: Request, specimen: Specimen) -> Response:
    specimen = _fresh(specimen)
    response = Response(detail_data(specimen, request), status=status.HTTP_201_CREATED)
    response["Location"] = reverse("api-specimen-detail", kwargs={"barcode": specimen.barcode}, request=request)
    response["ETag"] = etag_of(specimen)
    return response


class AliquotsView(APIView):
    @extend_schema(
        operation_id="specimens_aliquots_create",
        summary="Make aliquots",
        description="`count` aliquots of `quantity` `unit` each, taken from the specimen (its unit's kind: volume, "
        "mass, cells or count). What they take is deducted from it; a specimen left with nothing is consumed. "
        "Taking more than is left is a 400 (`mass_balance`). Barcodes are generated unless given. Supports "
        "`Idempotency-Key`.",
        tags=TAGS,
        parameters=[BARCODE_PARAMETER, IDEMPOTENCY_KEY_PARAMETER, REPLAYED_RESPONSE_HEADER],
        request=AliquotPlanSerializer,
        responses={201: AliquotsCreatedSerializer, **GATE_PROBLEMS},
        examples=[
            OpenApiExample(
                "Ten half millilitres", request_only=True, value={"count": 10, "quantity": "0.5", "unit": "mL"}
            ),
            OpenApiExample(
                "Made",
                response_only=True,
                status_codes=["201"],
                value={"parent": SPECIMEN_EXAMPLE, "aliquots": [{**SPECIMEN_EXAMPLE, "lineage": "aliquot"}]},
            ),
        ],
    )
    def post(self, request: AuthenticatedRequest, barcode: str) -> Any:
        return idempotent(request, lambda: self._aliquot(request, barcode))

    def _aliquot(self, request: AuthenticatedRequest, barcode: str) -> Response:
        specimen = changeable_specimen(request, barcode)
        serializer = AliquotPlanSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            children = specimens_aliquot(
                actor=request.user,
                parent=specimen,
                count=data["count"],
                quantity=data["quantity"],
                unit=data["unit"],
                barcodes=data.get("barcodes", ()),
            )
        rows = Specimen.objects.select_related(*SELECTED).filter(pk__in=[c.pk for c in children]).order_by("pk")
        context = {"request": request}
        body = {
            "parent": SpecimenSerializer(_fresh(specimen), context=context).data,
            "aliquots": SpecimenSerializer(rows, many=True, context=context).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)


class DerivativesView(APIView):
    @extend_schema(
        operation_id="specimens_derivatives_create",
        summary="Make a derivative",
        description="A derivative (DNA, RNA, plasma, serum …) made from `used_quantity` `used_unit` of the specimen; "
        "its own quantity may be of another kind (µg of DNA from mL of blood). Taking more than is left is a 400 "
        "(`mass_balance`). Supports `Idempotency-Key`.",
        tags=TAGS,
        parameters=[BARCODE_PARAMETER, IDEMPOTENCY_KEY_PARAMETER, ETAG_RESPONSE_HEADER, REPLAYED_RESPONSE_HEADER],
        request=DeriveInputSerializer,
        responses={201: SpecimenDetailSerializer, **GATE_PROBLEMS},
        examples=[
            OpenApiExample(
                "DNA from blood",
                request_only=True,
                value={
                    "sample_type": "ZZZ",
                    "material_type": "DNA",
                    "used_quantity": "1",
                    "used_unit": "mL",
                    "quantity": "25",
                    "unit": "ug",
                },
            ),
            OpenApiExample("Made", response_only=True, status_codes=["201"], value=SPECIMEN_DETAIL_EXAMPLE),
        ],
    )
    def post(self, request: AuthenticatedRequest, barcode: str) -> Any:
        return idempotent(request, lambda: self._derive(request, barcode))

    def _derive(self, request: AuthenticatedRequest, barcode: str) -> Response:
        specimen = changeable_specimen(request, barcode)
        serializer = DeriveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        with service_errors():
            child = specimen_derive(actor=request.user, parent=specimen, facts=dict(data.pop("facts", {})), **data)
        return _created(request, child)


class PoolView(APIView):
    @extend_schema(
        operation_id="specimen_pools_create",
        summary="Pool specimens",
        description="A pool of at least two specimens of one donor, collection and sample type, each part named by "
        "barcode with what is taken from it. The pool's quantity is the sum taken unless given. Needs "
        "`change_specimens` on the specimens' biobank; a part you cannot see is a 400 at `/parts/<n>/barcode`. "
        "Supports `Idempotency-Key`.",
        tags=TAGS,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, ETAG_RESPONSE_HEADER, REPLAYED_RESPONSE_HEADER],
        request=PoolInputSerializer,
        responses={201: SpecimenDetailSerializer, **problem_responses(403, 409, 422, *WRITE_PROBLEMS)},
        examples=[
            OpenApiExample(
                "Two serum tubes",
                request_only=True,
                value={
                    "parts": [
                        {"barcode": "BB-000042", "quantity": "0.5", "unit": "mL"},
                        {"barcode": "BB-000043", "quantity": "0.5", "unit": "mL"},
                    ]
                },
            ),
            OpenApiExample("Pooled", response_only=True, status_codes=["201"], value=SPECIMEN_DETAIL_EXAMPLE),
        ],
    )
    def post(self, request: AuthenticatedRequest) -> Any:
        return idempotent(request, lambda: self._pool(request))

    def _pool(self, request: AuthenticatedRequest) -> Response:
        if not biobanks_with_perm(user=request.user, perm=Perm.CHANGE_SPECIMENS).exists():
            raise exceptions.PermissionDenied(_("You may not pool specimens: you hold change_specimens in no biobank."))
        serializer = PoolInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        barcodes = [part["barcode"] for part in data["parts"]]
        found = {s.barcode: s for s in specimens_changeable_by(user=request.user).filter(barcode__in=barcodes)}
        missing = {
            str(index): {"barcode": ["No specimen with this barcode that you may change."]}
            for index, code in enumerate(barcodes)
            if code not in found
        }
        if missing:
            raise serializers.ValidationError({"parts": missing})
        parts = [(found[part["barcode"]], part["quantity"], part["unit"]) for part in data["parts"]]
        with service_errors():
            pool = specimen_pool(
                actor=request.user, parts=parts, quantity=data["quantity"], unit=data["unit"], barcode=data["barcode"]
            )
        return _created(request, pool)


class StatusActionView(APIView):
    """One status change of one specimen through its service; the answer is the specimen."""

    input_serializer: type[serializers.Serializer] = ReasonInputSerializer
    run: Callable[..., Any]

    def post(self, request: AuthenticatedRequest, barcode: str) -> Response:
        specimen = changeable_specimen(request, barcode)
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            type(self).run(actor=request.user, specimens=[specimen], **serializer.validated_data)
        specimen = _fresh(specimen)
        response = Response(detail_data(specimen, request))
        response["ETag"] = etag_of(specimen)
        return response


def _status_schema(operation_id: str, summary: str, description: str, serializer: Any, example: dict) -> Any:
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description,
        tags=TAGS,
        parameters=[BARCODE_PARAMETER, ETAG_RESPONSE_HEADER],
        request=serializer,
        responses={200: SpecimenDetailSerializer, **(GATE_PROBLEMS if "purpose" in example else ACTION_PROBLEMS)},
        examples=[
            OpenApiExample("Request", request_only=True, value=example),
            OpenApiExample("Specimen", response_only=True, value=SPECIMEN_DETAIL_EXAMPLE),
        ],
    )


GATE_TEXT = (
    "The donor's consent must permit it for the DUO `purpose` today (with `disease` for DS, and the flags for "
    "commercial use, for-profit organisations and methods development); otherwise the answer is 422 with the "
    "gate's reason in `detail` and nothing changes."
)


class ReserveView(StatusActionView):
    input_serializer = ReserveInputSerializer
    run = staticmethod(specimens_reserve)

    @_status_schema(
        "specimens_reserve",
        "Reserve a specimen",
        f"An available specimen becomes reserved for a use. {GATE_TEXT} A specimen not available is a 409.",
        ReserveInputSerializer,
        {"purpose": "HMB", "reason": "Project P-17, batch 3"},
    )
    def post(self, request: AuthenticatedRequest, barcode: str) -> Response:
        return super().post(request, barcode)


class ReleaseView(StatusActionView):
    input_serializer = ReasonInputSerializer
    run = staticmethod(specimens_release_reservation)

    @_status_schema(
        "specimens_release",
        "Release a reservation",
        "A reserved specimen becomes available again; one that is not reserved is a 409.",
        ReasonInputSerializer,
        {"reason": "Project P-17 cancelled"},
    )
    def post(self, request: AuthenticatedRequest, barcode: str) -> Response:
        return super().post(request, barcode)


class ShipView(StatusActionView):
    input_serializer = ShipInputSerializer
    run = staticmethod(specimens_ship)

    @_status_schema(
        "specimens_ship",
        "Ship a specimen",
        f"The specimen leaves the biobank for `recipient` (distributed; it leaves its box). {GATE_TEXT} A specimen "
        "that cannot be shipped from its status (consumed, destroyed, already shipped) is a 409.",
        ShipInputSerializer,
        {"purpose": "GRU", "recipient": "Institute of Pathology, Example University", "reason": "MTA 2026-04"},
    )
    def post(self, request: AuthenticatedRequest, barcode: str) -> Response:
        return super().post(request, barcode)


class ReturnView(StatusActionView):
    input_serializer = ReasonInputSerializer
    run = staticmethod(specimens_return)

    @_status_schema(
        "specimens_return",
        "Take a shipped specimen back",
        "A shipped specimen came back: available again, or consent-blocked if its donor withdrew meanwhile. One "
        "that was not shipped is a 409.",
        ReasonInputSerializer,
        {"reason": "Returned unused"},
    )
    def post(self, request: AuthenticatedRequest, barcode: str) -> Response:
        return super().post(request, barcode)


class ConsumeView(StatusActionView):
    input_serializer = RequiredReasonInputSerializer
    run = staticmethod(specimens_consume)

    @_status_schema(
        "specimens_consume",
        "Record a specimen as used up",
        "Used up in the biobank (an assay, a QC run): nothing is left. A reason is required; a specimen already "
        "consumed, destroyed or shipped is a 409.",
        RequiredReasonInputSerializer,
        {"reason": "Used for the DNA extraction QC run 2026-03"},
    )
    def post(self, request: AuthenticatedRequest, barcode: str) -> Response:
        return super().post(request, barcode)


class DisposeView(StatusActionView):
    input_serializer = RequiredReasonInputSerializer
    run = staticmethod(specimens_dispose)

    @_status_schema(
        "specimens_dispose",
        "Dispose of a specimen",
        'Destroyed (expired, damaged, a withdrawal "no further use"); the record stays. A reason is required; a '
        "specimen already consumed or destroyed is a 409.",
        RequiredReasonInputSerializer,
        {"reason": "Tube cracked in the freezer"},
    )
    def post(self, request: AuthenticatedRequest, barcode: str) -> Response:
        return super().post(request, barcode)


class UnblockView(StatusActionView):
    input_serializer = RequiredReasonInputSerializer
    run = staticmethod(specimens_consent_unblock)

    @_status_schema(
        "specimens_unblock",
        "Lift a consent block",
        "After a consent correction (the withdrawal invalidated, a new consent signed) a consent-blocked specimen "
        "becomes available again. A reason is required; while the donor's withdrawal still stands, or for a "
        "specimen that is not blocked, the answer is 409.",
        RequiredReasonInputSerializer,
        {"reason": "Withdrawal recorded for the wrong donor; invalidated (ticket 4411)"},
    )
    def post(self, request: AuthenticatedRequest, barcode: str) -> Response:
        return super().post(request, barcode)


EVENT_EXAMPLE = {
    "id": 311,
    "type": "qc_result",
    "occurred_at": "2026-03-04T10:00:00Z",
    "recorded_at": "2026-03-04T10:02:11Z",
    "actor_label": "token:bbp_3Xk9",
    "details": {"measure": "rin", "value": "8.1", "unit": "", "passed": True},
    "note": "",
}


class EventsView(generics.ListAPIView):
    """A specimen's chain of custody (read), and the steps recorded by hand (write)."""

    request: AuthenticatedRequest
    serializer_class = EventSerializer
    cursor_ordering = "pk"
    filter_backends: list = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return SpecimenEvent.objects.none()
        return specimen_timeline(visible_specimen(self.request, self.kwargs["barcode"]))

    @extend_schema(
        operation_id="specimens_events_list",
        summary="A specimen's timeline",
        description="Every event of the specimen in the order recorded (oldest first), cursor-paginated: "
        "collection, reception, processing, aliquots, moves, thaws, QC results, reservations, shipments, consent "
        "blocks. Needs `view_specimens`.",
        tags=TAGS,
        parameters=[BARCODE_PARAMETER],
        responses={200: EventSerializer(many=True), **problem_responses(400, 404, *READ_PROBLEMS)},
        examples=[
            OpenApiExample(
                "Events", response_only=True, value={"next": None, "previous": None, "results": [EVENT_EXAMPLE]}
            )
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="specimens_events_create",
        summary="Record an event",
        description="`thawed` counts a freeze-thaw cycle; `qc_result` records `measure` (rin, din, volume_check, "
        "concentration, a260_280) with `value`, `unit` and `passed` (a concentration also becomes the specimen's); "
        "`collected`, `received` and `processed` record a step. `occurred_at` defaults to now and cannot be in the "
        "future. A specimen no longer in the biobank cannot be thawed (409). Needs `change_specimens`.",
        tags=TAGS,
        parameters=[BARCODE_PARAMETER],
        request=EventInputSerializer,
        responses={201: EventSerializer, **ACTION_PROBLEMS},
        examples=[
            OpenApiExample(
                "A RIN",
                request_only=True,
                value={"type": "qc_result", "measure": "rin", "value": "8.1", "passed": True},
            ),
            OpenApiExample("Thawed", request_only=True, value={"type": "thawed", "note": "For the ELISA run"}),
            OpenApiExample("Recorded", response_only=True, status_codes=["201"], value=EVENT_EXAMPLE),
        ],
    )
    def post(self, request: AuthenticatedRequest, barcode: str) -> Response:
        specimen = changeable_specimen(request, barcode)
        serializer = EventInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        common = {"actor": request.user, "specimen": specimen, "occurred_at": data["occurred_at"], "note": data["note"]}
        with service_errors():
            if data["type"] == EventType.THAWED:
                thawed = specimen_thaw(**common)
                event = SpecimenEvent.objects.filter(specimen=thawed, type=EventType.THAWED).latest("pk")
            elif data["type"] == EventType.QC_RESULT:
                event = specimen_qc_record(
                    **common, measure=data["measure"], value=data["value"], unit=data["unit"], passed=data["passed"]
                )
            else:
                event = specimen_event_record(**common, type=data["type"])
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)
