"""Workflow verbs of the access-requests API for conditions, entitlements and reports: accept-conditions, grant,
revoke, renew, close, and the request's reports.

Each is input serializer → service → the new state. A request the caller may not read is a 404 (so is a resource
of another biobank that the caller does not review); a verb the caller may not use is a 403, one out of order a
409. The verbs are idempotent: a repeated grant of a granted resource, or a repeated close, answers 200 with the
state and changes nothing; every POST also takes an ``Idempotency-Key``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from biobank.accounts.principals import AuthenticatedRequest
from biobank.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, REPLAYED_RESPONSE_HEADER, idempotent
from biobank.api.parsers import JSONParser
from biobank.api.schema import READ_PROBLEMS, WRITE_PROBLEMS, problem_responses
from biobank.api.serializers import ModelSerializer

from ..choices import ReportKind, RequestStatus, ResourceStatus, SignatoryRole
from ..models import AccessRequest, AgreementAcceptance, Entitlement, Report, RequestResource
from ..selectors import entitlements_of_request, request_get_for, resource_get_for, resources_visible_to
from ..services.agreements import agreement_accept
from ..services.entitlements import entitlement_renew, entitlement_revoke, request_close, resource_grant
from ..services.reports import report_submit

TAGS = ["access request actions"]
ACTION_PROBLEMS = problem_responses(403, 404, 409, *WRITE_PROBLEMS)
PK_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The request's id.")


class EntitlementSerializer(ModelSerializer):
    user = serializers.EmailField(source="user.email", read_only=True)
    running = serializers.BooleanField(read_only=True)

    class Meta:
        model = Entitlement
        fields = [
            "id",
            "resource",
            "user",
            "starts_on",
            "ends_on",
            "running",
            "warned_at",
            "ended_at",
            "revoked_at",
            "revoke_reason",
        ]
        read_only_fields = fields


class ResourceStateSerializer(ModelSerializer):
    biobank: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status = serializers.ChoiceField(choices=ResourceStatus.choices, read_only=True)

    class Meta:
        model = RequestResource
        fields = ["id", "biobank", "status"]
        read_only_fields = fields


class RequestStateSerializer(ModelSerializer):
    status = serializers.ChoiceField(choices=RequestStatus.choices, read_only=True)
    resources = serializers.SerializerMethodField()
    entitlements = serializers.SerializerMethodField()

    class Meta:
        model = AccessRequest
        fields = ["id", "number", "status", "resources", "entitlements"]
        read_only_fields = fields

    def _user(self) -> Any:
        return self.context["request"].user

    @extend_schema_field(ResourceStateSerializer(many=True))
    def get_resources(self, obj: AccessRequest) -> Any:
        return ResourceStateSerializer(resources_visible_to(user=self._user(), request=obj), many=True).data

    @extend_schema_field(EntitlementSerializer(many=True))
    def get_entitlements(self, obj: AccessRequest) -> Any:
        rows = entitlements_of_request(user=self._user(), request=obj).order_by("granted_at", "id")
        return EntitlementSerializer(rows, many=True).data


STATE_EXAMPLE = {
    "id": 42,
    "number": "AR-2026-00042",
    "status": "active",
    "resources": [{"id": 7, "biobank": "biobank-a", "status": "access_granted"}],
    "entitlements": [
        {
            "id": 3,
            "resource": 7,
            "user": "researcher@uni.example",
            "starts_on": "2026-03-02",
            "ends_on": "2027-03-02",
            "running": True,
            "warned_at": None,
            "ended_at": None,
            "revoked_at": None,
            "revoke_reason": "",
        }
    ],
}


class AcceptInputSerializer(serializers.Serializer):
    resource = serializers.IntegerField(help_text="The id of the request's resource (one biobank's part).")
    role = serializers.ChoiceField(choices=SignatoryRole.choices)
    name = serializers.CharField(max_length=200, help_text="The signer's full name, typed as signature.")
    confirm = serializers.BooleanField(help_text="Must be true: the signer read and accepts the text.")
    version = serializers.IntegerField(required=False, help_text="The agreement version shown to the signer.")
    signatory_name = serializers.CharField(required=False, allow_blank=True, default="")
    signatory_email = serializers.EmailField(required=False, allow_blank=True, default="")


class AcceptanceSerializer(ModelSerializer):
    version = serializers.IntegerField(source="template.version", read_only=True)
    resource_status = serializers.CharField(source="resource.status", read_only=True)

    class Meta:
        model = AgreementAcceptance
        fields = ["id", "resource", "role", "name", "email", "version", "text_sha256", "accepted_at", "resource_status"]
        read_only_fields = fields


class ResourceInputSerializer(serializers.Serializer):
    resource = serializers.IntegerField(help_text="The id of the request's resource (one biobank's part).")


class RevokeInputSerializer(serializers.Serializer):
    resource = serializers.IntegerField(required=False, help_text="Revoke every running entitlement on it …")
    entitlement = serializers.IntegerField(required=False, help_text="… or just this one.")
    reason = serializers.CharField(max_length=2000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("resource" in attrs) == ("entitlement" in attrs):
            raise serializers.ValidationError(_("Name either a resource or an entitlement."))
        return attrs


class RenewInputSerializer(serializers.Serializer):
    until = serializers.DateField(help_text="The new last day of access (at most twelve months ahead).")
    report = serializers.IntegerField(required=False, help_text="The progress report the renewal rests on.")


class ReportSerializer(ModelSerializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    submitted_by = serializers.EmailField(source="submitted_by.email", read_only=True)
    file_name = serializers.CharField(source="attachment.name", read_only=True, default=None)

    class Meta:
        model = Report
        fields = ["id", "kind", "title", "text", "doi", "file_name", "submitted_by", "submitted_at"]
        read_only_fields = ["id", "file_name", "submitted_by", "submitted_at"]


class ReportInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    title = serializers.CharField(max_length=300)
    text = serializers.CharField(required=False, allow_blank=True, default="")
    doi = serializers.CharField(required=False, allow_blank=True, default="", help_text="e.g. 10.1089/bio.2017.0109")
    file = serializers.FileField(required=False, help_text="Multipart only: returned results or a certificate.")


def _request(request: AuthenticatedRequest, pk: int) -> AccessRequest:
    try:
        return request_get_for(user=request.user, pk=pk)
    except AccessRequest.DoesNotExist:
        raise exceptions.NotFound(f"No access request {pk} that you may see.") from None


def _resource(request: AuthenticatedRequest, access_request: AccessRequest, pk: int) -> RequestResource:
    try:
        return resource_get_for(user=request.user, request=access_request, pk=pk)
    except RequestResource.DoesNotExist:
        raise exceptions.NotFound(f"No resource {pk} on this request that you may see.") from None


def _state(request: AuthenticatedRequest, pk: int) -> Response:
    fresh = AccessRequest.objects.get(pk=pk)
    return Response(RequestStateSerializer(fresh, context={"request": request}).data)


def _client_ip(request: AuthenticatedRequest) -> str | None:
    from biobank.ops.client_address import client_address

    return client_address(request._request)


def _verb(operation_id: str, summary: str, description: str, request_serializer: Any, example: dict) -> Any:
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description + " Supports `Idempotency-Key`.",
        tags=TAGS,
        parameters=[PK_PARAMETER, IDEMPOTENCY_KEY_PARAMETER, REPLAYED_RESPONSE_HEADER],
        request=request_serializer,
        responses={200: RequestStateSerializer, **ACTION_PROBLEMS},
        examples=[
            OpenApiExample("Input", request_only=True, value=example),
            OpenApiExample("State", response_only=True, status_codes=["200"], value=STATE_EXAMPLE),
        ],
    )


class AcceptConditionsView(APIView):
    @extend_schema(
        operation_id="access_requests_accept_conditions",
        summary="Accept a resource's conditions and agreement",
        description="The researcher (role `researcher`) or the institutional signatory with an account (role "
        "`institution`) accepts the resource's conditions and the biobank's current agreement version, typing "
        "their full name and confirming. Who, when, the version and the SHA-256 of the exact text are recorded. "
        "Without a named signatory the researcher names one (`signatory_name`, `signatory_email`), who gets a "
        "one-time link. When both accepted, the resource's conditions are accepted. A stale `version` is a 409. "
        "Supports `Idempotency-Key`.",
        tags=TAGS,
        parameters=[PK_PARAMETER, IDEMPOTENCY_KEY_PARAMETER, REPLAYED_RESPONSE_HEADER],
        request=AcceptInputSerializer,
        responses={201: AcceptanceSerializer, **ACTION_PROBLEMS},
        examples=[
            OpenApiExample(
                "Researcher",
                request_only=True,
                value={"resource": 7, "role": "researcher", "name": "Rita Searcher", "confirm": True, "version": 2},
            ),
            OpenApiExample(
                "Accepted",
                response_only=True,
                status_codes=["201"],
                value={
                    "id": 1,
                    "resource": 7,
                    "role": "researcher",
                    "name": "Rita Searcher",
                    "email": "rita@uni.example",
                    "version": 2,
                    "text_sha256": "9f86d08…",
                    "accepted_at": "2026-03-02T09:00:00Z",
                    "resource_status": "conditions_indicated",
                },
            ),
        ],
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Any:
        return idempotent(request, lambda: self._accept(request, pk))

    def _accept(self, request: AuthenticatedRequest, pk: int) -> Response:
        access_request = _request(request, pk)
        serializer = AcceptInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        resource = _resource(request, access_request, data.pop("resource"))
        acceptance = agreement_accept(actor=request.user, resource=resource, ip=_client_ip(request), **data)
        acceptance.resource.refresh_from_db(fields=["status"])
        return Response(AcceptanceSerializer(acceptance).data, status=status.HTTP_201_CREATED)


class GrantView(APIView):
    @_verb(
        "access_requests_grant",
        "Grant access on a resource",
        "A DAC chair of the resource's biobank grants access on a resource whose conditions were accepted: "
        "entitlements for the researcher and the confirmed co-applicants until the decision's end date (or at most "
        "twelve months), with permissions on the approved collections and ready releases. A repeated grant answers "
        "200 with the state.",
        ResourceInputSerializer,
        {"resource": 7},
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Any:
        return idempotent(request, lambda: self._grant(request, pk))

    def _grant(self, request: AuthenticatedRequest, pk: int) -> Response:
        access_request = _request(request, pk)
        serializer = ResourceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        resource_grant(
            actor=request.user, resource=_resource(request, access_request, serializer.validated_data["resource"])
        )
        return _state(request, pk)


class RevokeView(APIView):
    @_verb(
        "access_requests_revoke",
        "Revoke access",
        "A DAC chair revokes one entitlement, or every running one on a resource, with a reason. The permissions "
        "go in the same transaction; with no running entitlement left the request is revoked.",
        RevokeInputSerializer,
        {"resource": 7, "reason": "Data shared outside the approved team."},
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Any:
        return idempotent(request, lambda: self._revoke(request, pk))

    def _revoke(self, request: AuthenticatedRequest, pk: int) -> Response:
        access_request = _request(request, pk)
        serializer = RevokeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "entitlement" in data:
            entitlement = (
                entitlements_of_request(user=request.user, request=access_request)
                .filter(pk=data["entitlement"])
                .first()
            )
            if entitlement is None:
                raise exceptions.NotFound(f"No entitlement {data['entitlement']} on this request that you may see.")
            entitlement_revoke(actor=request.user, entitlement=entitlement, reason=data["reason"])
        else:
            resource = _resource(request, access_request, data["resource"])
            entitlement_revoke(actor=request.user, resource=resource, reason=data["reason"])
        return _state(request, pk)


class RenewView(APIView):
    @_verb(
        "access_requests_renew",
        "Renew access",
        "A DAC chair extends access until `until` (at most twelve months ahead) on the resources their biobanks "
        "granted; needs a progress report submitted since the last grant or renewal (else 409). An expired "
        "request becomes active again.",
        RenewInputSerializer,
        {"until": "2027-06-30"},
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Any:
        return idempotent(request, lambda: self._renew(request, pk))

    def _renew(self, request: AuthenticatedRequest, pk: int) -> Response:
        access_request = _request(request, pk)
        serializer = RenewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = None
        if "report" in data:
            report = access_request.reports.filter(pk=data["report"]).first()
            if report is None:
                raise exceptions.NotFound(f"No report {data['report']} on this request.")
        entitlement_renew(actor=request.user, request=access_request, until=data["until"], report=report)
        return _state(request, pk)


class CloseView(APIView):
    @_verb(
        "access_requests_close",
        "Close a request",
        "The researcher or a DAC chair closes an active or expired request; when data was asked or released a "
        "data destruction certificate must have been reported (else 409). A closed request answers 200 again.",
        None,
        {},
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Any:
        return idempotent(request, lambda: self._close(request, pk))

    def _close(self, request: AuthenticatedRequest, pk: int) -> Response:
        request_close(actor=request.user, request=_request(request, pk))
        return _state(request, pk)


class ReportsView(generics.ListCreateAPIView):
    parser_classes = [JSONParser, MultiPartParser]
    serializer_class = ReportSerializer
    cursor_ordering = "pk"  # oldest first

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reads the model only
            return Report.objects.none()
        access_request = _request(self.request, self.kwargs["pk"])  # type: ignore[arg-type]
        return access_request.reports.select_related("submitted_by", "attachment")

    @extend_schema(
        operation_id="access_requests_reports_list",
        summary="Reports on a request",
        description="Progress reports, publications (DOI), returned results and destruction certificates, oldest "
        "first. The researcher, the team and the reviewing committees read them.",
        tags=TAGS,
        parameters=[PK_PARAMETER],
        responses={200: ReportSerializer(many=True), **problem_responses(404, *READ_PROBLEMS)},
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="access_requests_reports_create",
        summary="Report back on a request",
        description="The researcher or a confirmed team member adds a report. A publication needs a DOI "
        "(`10.<4-9 digits>/<suffix>`, a `https://doi.org/` prefix is removed); returned results need a file "
        "(multipart). Supports `Idempotency-Key`.",
        tags=TAGS,
        parameters=[PK_PARAMETER, IDEMPOTENCY_KEY_PARAMETER, REPLAYED_RESPONSE_HEADER],
        request={"application/json": ReportInputSerializer, "multipart/form-data": ReportInputSerializer},
        responses={201: ReportSerializer, **ACTION_PROBLEMS},
        examples=[
            OpenApiExample(
                "Publication",
                request_only=True,
                media_type="application/json",
                value={
                    "kind": "publication",
                    "title": "Plasma markers of type 2 diabetes",
                    "doi": "https://doi.org/10.1089/bio.2017.0109",
                },
            ),
        ],
    )
    def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return idempotent(request, lambda: self._create(request, kwargs["pk"]))

    def _create(self, request: AuthenticatedRequest, pk: int) -> Response:
        access_request = _request(request, pk)
        serializer = ReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = report_submit(actor=request.user, request=access_request, **serializer.validated_data)
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)
