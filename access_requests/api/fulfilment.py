"""Fulfilment API: a request's releases (list, build) and shipments (list, prepare), a download link for a release,
and the shipment's tracking verbs. Thin views: input serializer → service → output; refusals are problem+json
(403 not allowed, 404 not visible, 409 a transition the table refuses, 400 bad input). Verbs are idempotent: the
same verb again on a shipment already there answers 200 with it; POSTs accept ``Idempotency-Key``."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from biobank.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, REPLAYED_RESPONSE_HEADER, idempotent
from biobank.api.schema import READ_PROBLEMS, WRITE_PROBLEMS, problem_responses
from biobank.api.serializers import ModelSerializer
from biobank.api.utc import UtcDateTimeField

from ..models import AccessRequest, Release, RequestResource, Shipment
from ..selectors import fulfilment_resources_for, request_get_for, resources_visible_to, reviewing_biobank_ids
from ..services import shipments as shipping
from ..services.downloads import download_link_create
from ..services.releases import release_request

TAGS = ["access request fulfilment"]
PK = OpenApiParameter("pk", int, OpenApiParameter.PATH, description="The access request's id")
ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The object's id")
ACTION_PROBLEMS = problem_responses(403, 404, 409, *WRITE_PROBLEMS)
LIST_PROBLEMS = problem_responses(404, *READ_PROBLEMS)


class FulfilmentReleaseSerializer(ModelSerializer):
    biobank = serializers.CharField(source="resource.biobank.code", read_only=True)

    class Meta:
        model = Release
        fields = [
            "id",
            "resource",
            "biobank",
            "status",
            "attributes",
            "specimen_count",
            "donor_count",
            "excluded_donors",
            "error",
            "requested_at",
            "built_at",
            "consent_checked_at",
            "expires_at",
        ]
        read_only_fields = fields


class FulfilmentShipmentItemSerializer(serializers.Serializer):
    barcode = serializers.CharField(source="specimen.barcode")
    material_type = serializers.CharField(source="specimen.material_type")
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, allow_null=True)


class FulfilmentShipmentSerializer(ModelSerializer):
    items = FulfilmentShipmentItemSerializer(many=True, read_only=True)

    class Meta:
        model = Shipment
        fields = [
            "id",
            "resource",
            "status",
            "courier",
            "courier_reference",
            "temperature",
            "address",
            "created_at",
            "shipped_at",
            "received_at",
            "closed_at",
            "items",
        ]
        read_only_fields = fields


class ReleaseBuildSerializer(serializers.Serializer):
    resource = serializers.IntegerField(help_text="The request resource (one biobank's part) to release")


class ShipmentPrepareSerializer(serializers.Serializer):
    resource = serializers.IntegerField()
    specimen_ids = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=10000)
    count = serializers.IntegerField(required=False, min_value=1, max_value=10000)
    courier = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    temperature = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    address = serializers.CharField(max_length=2000)


class ShipmentShipInputSerializer(serializers.Serializer):
    courier_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ReleaseDownloadLinkSerializer(serializers.Serializer):
    csv = serializers.CharField()
    xlsx = serializers.CharField()
    dictionary = serializers.CharField()
    expires_at = UtcDateTimeField()


def _resources(request: Any, pk: int) -> QuerySet[RequestResource]:
    """The request's resources the caller may act on or read: its researcher's, a reviewer's, specimen staff's."""
    mine = RequestResource.objects.none()
    try:
        access_request = request_get_for(user=request.user, pk=pk)
        mine = resources_visible_to(user=request.user, request=access_request)
    except AccessRequest.DoesNotExist:
        pass
    staff = fulfilment_resources_for(user=request.user).filter(request_id=pk)
    resources = RequestResource.objects.filter(Q(pk__in=mine.values("pk")) | Q(pk__in=staff.values("pk")))
    if not resources.exists():
        raise exceptions.NotFound("No access request with this id that you may see.")
    return resources.select_related("request", "biobank")


def _person_pk(request: Any) -> int:
    """The signed-in person's id (0 for an API token: tokens act for no researcher)."""
    return request.user.pk if hasattr(request.user, "committee_seats") else 0


def _resource(request: Any, pk: int, resource_id: int, *, reviewers_only: bool = False) -> RequestResource:
    resources = _resources(request, pk)
    if reviewers_only:  # releases are the committee's: others do not see the resource to release
        resources = resources.filter(biobank_id__in=reviewing_biobank_ids(user=request.user))
    resource = resources.filter(pk=resource_id).first()
    if resource is None:
        raise exceptions.NotFound("No resource with this id on this request that you may see.")
    return resource


class RequestReleasesView(generics.GenericAPIView):
    serializer_class = FulfilmentReleaseSerializer
    cursor_ordering = "-pk"  # newest first, cursor-paginated as every list of the API

    @extend_schema(
        operation_id="access_requests_releases_list",
        summary="The request's data releases",
        tags=TAGS,
        parameters=[PK],
        responses={200: FulfilmentReleaseSerializer(many=True), **LIST_PROBLEMS},
    )
    def get(self, request: Any, pk: int) -> Response:
        releases = Release.objects.filter(resource__in=_resources(request, pk)).select_related("resource__biobank")
        page = self.paginate_queryset(releases)
        return self.get_paginated_response(FulfilmentReleaseSerializer(page, many=True).data)

    @extend_schema(
        operation_id="access_requests_releases_create",
        summary="Build a release",
        description="Queues a release of the resource's approved attributes (DECIDE_REQUESTS on its biobank; access "
        "granted with a running entitlement). The build re-checks consent when it runs. Supports `Idempotency-Key`.",
        tags=TAGS,
        parameters=[PK, IDEMPOTENCY_KEY_PARAMETER, REPLAYED_RESPONSE_HEADER],
        request=ReleaseBuildSerializer,
        responses={201: FulfilmentReleaseSerializer, **ACTION_PROBLEMS},
        examples=[OpenApiExample("Build", request_only=True, value={"resource": 12})],
    )
    def post(self, request: Any, pk: int) -> Any:
        return idempotent(request, lambda: self._build(request, pk))

    def _build(self, request: Any, pk: int) -> Response:
        data = ReleaseBuildSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resource = _resource(request, pk, data.validated_data["resource"], reviewers_only=True)
        release = release_request(actor=request.user, resource=resource)
        release.refresh_from_db()
        return Response(FulfilmentReleaseSerializer(release).data, status=status.HTTP_201_CREATED)


class RequestShipmentsView(generics.GenericAPIView):
    serializer_class = FulfilmentShipmentSerializer
    cursor_ordering = "-pk"  # newest first, cursor-paginated as every list of the API

    @extend_schema(
        operation_id="access_requests_shipments_list",
        summary="The request's material shipments",
        tags=TAGS,
        parameters=[PK],
        responses={200: FulfilmentShipmentSerializer(many=True), **LIST_PROBLEMS},
    )
    def get(self, request: Any, pk: int) -> Response:
        shipments = Shipment.objects.filter(resource__in=_resources(request, pk)).prefetch_related("items__specimen")
        page = self.paginate_queryset(shipments)
        return self.get_paginated_response(FulfilmentShipmentSerializer(page, many=True).data)

    @extend_schema(
        operation_id="access_requests_shipments_create",
        summary="Prepare a shipment",
        description="Reserves the given specimens (or the first `count` matching ones) after the consent gate "
        "(transfer and use of biomaterial for the request's purpose): all or nothing, each refused barcode named. "
        "CHANGE_SPECIMENS on the biobank. Supports `Idempotency-Key`.",
        tags=TAGS,
        parameters=[PK, IDEMPOTENCY_KEY_PARAMETER, REPLAYED_RESPONSE_HEADER],
        request=ShipmentPrepareSerializer,
        responses={201: FulfilmentShipmentSerializer, **ACTION_PROBLEMS},
        examples=[
            OpenApiExample(
                "Ten specimens", request_only=True, value={"resource": 12, "count": 10, "address": "Lab 3, Solna"}
            )
        ],
    )
    def post(self, request: Any, pk: int) -> Any:
        return idempotent(request, lambda: self._prepare(request, pk))

    def _prepare(self, request: Any, pk: int) -> Response:
        data = ShipmentPrepareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        resource = _resource(request, pk, values.pop("resource"))
        shipment = shipping.shipment_prepare(actor=request.user, resource=resource, **values)
        return Response(FulfilmentShipmentSerializer(shipment).data, status=status.HTTP_201_CREATED)


class DownloadLinkView(APIView):
    @extend_schema(
        operation_id="releases_download_link",
        summary="A download link for a release",
        description="For the entitled researcher only (running entitlement and the download permission): links to "
        "the CSV, XLSX and data dictionary, valid 7 days or until the entitlement ends. Shown once.",
        tags=TAGS,
        parameters=[ID],
        request=None,
        responses={201: ReleaseDownloadLinkSerializer, **ACTION_PROBLEMS},
    )
    def post(self, request: Any, id: int) -> Response:
        release = Release.objects.filter(pk=id, resource__request__researcher_id=_person_pk(request)).first()
        if release is None:
            raise exceptions.NotFound("No release with this id that you may see.")
        link, token = download_link_create(actor=request.user, release=release)
        urls = {
            name: request.build_absolute_uri(reverse("access_requests:download", args=[token, name]))
            for name in ("csv", "xlsx", "dictionary")
        }
        return Response({**urls, "expires_at": link.expires_at}, status=status.HTTP_201_CREATED)


VERBS = {
    "ship": "shipped",
    "receive": "received",
    "return": "returned",
    "consume": "consumed",
    "cancel": "cancelled",
}


class ShipmentVerbView(APIView):
    verb = ""

    def post(self, request: Any, id: int) -> Response:
        shipment = Shipment.objects.select_related("resource__request", "resource__biobank").filter(pk=id).first()
        mine = shipment is not None and shipment.resource.request.researcher_id == _person_pk(request)
        staff = shipment is not None and fulfilment_resources_for(user=request.user).filter(pk=shipment.resource_id)
        if shipment is None or not (mine or (staff and staff.exists())):
            raise exceptions.NotFound("No shipment with this id that you may see.")
        if self.verb == "ship":
            data = ShipmentShipInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            shipping.shipment_ship(
                actor=request.user, shipment=shipment, courier_reference=data.validated_data["courier_reference"]
            )
        else:
            getattr(shipping, f"shipment_{self.verb}")(actor=request.user, shipment=shipment)
        return Response(FulfilmentShipmentSerializer(Shipment.objects.get(pk=shipment.pk)).data)


def verb_view(verb: str) -> Any:
    """One view class per verb, each with its own schema."""
    schema = extend_schema(
        operation_id=f"shipments_{verb}",
        summary=f"Shipment {VERBS[verb]}",
        description=f"Marks the shipment {VERBS[verb]} (the table of shipment statuses decides; the same verb again "
        "answers 200 unchanged).",
        tags=TAGS,
        parameters=[ID],
        request=ShipmentShipInputSerializer if verb == "ship" else None,
        responses={200: FulfilmentShipmentSerializer, **ACTION_PROBLEMS},
    )

    def post(self: ShipmentVerbView, request: Any, id: int) -> Response:
        return ShipmentVerbView.post(self, request, id)

    view: type[ShipmentVerbView] = type(
        f"Shipment{verb.title()}View", (ShipmentVerbView,), {"verb": verb, "post": schema(post)}
    )
    return view.as_view()
