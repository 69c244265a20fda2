"""``/api/v1/access-requests/``: a researcher's requests (list, create a draft, read, edit) and the explicit action
endpoints submit, withdraw, resubmit — idempotent: repeating an action already done answers 200 with the current
state, and ``Idempotency-Key`` replays the first answer."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from biobank.api.etags import ETagMixin
from biobank.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, REPLAYED_RESPONSE_HEADER, idempotent
from biobank.api.schema import ETAG_RESPONSE_HEADER, IF_MATCH_PARAMETER, problem_responses

from ..choices import REQUEST_OPEN, RequestStatus
from ..models import AccessRequest, RequestResource
from ..selectors import request_get_for, requests_visible_to
from ..services.requests import request_create, request_resubmit, request_submit, request_update, request_withdraw
from .serializers import AccessRequestSerializer, RequestInputSerializer, WithdrawInputSerializer

TAGS = ["access requests"]
EXAMPLE = {
    "id": 7, "number": "AR-2026-00007", "status": "draft", "researcher": "ada@example.org",
    "title": "Plasma markers of type 2 diabetes", "lay_summary": "", "abstract": "", "purpose_kind": "disease",
    "disease": "E11", "methods_development": False, "commercial": False,
    "material": [{"material_type": "PLASMA", "amount": "0.5", "unit": "mL", "samples": 200}],
    "donors_requested": 200, "samples_requested": 200, "criteria": {"material_types": ["PLASMA"]},
    "inclusion_criteria": "", "data_categories": [], "ethics_reference": "EK-2026-117", "ethics_expiry": "2027-12-31",
    "funding": "", "duration_months": 24, "search_description": "",
    "resources": [
        {"id": 3, "biobank": "bb-a", "biobank_name": "Biobank A", "collections": [12], "status": "contacted"}
    ],
    "created_at": "2026-12-06T10:00:00Z", "updated_at": "2026-12-06T10:00:00Z", "submitted_at": None,
}  # fmt: skip
INPUT_EXAMPLE = OpenApiExample(
    "A draft from two collections",
    request_only=True,
    value={"title": "Plasma markers of type 2 diabetes", "purpose_kind": "disease", "disease": "E11",
           "collections": [12, 13]},
)  # fmt: skip


def _visible(request: Request) -> QuerySet[AccessRequest]:
    return (
        requests_visible_to(user=request.user)
        .select_related("researcher")
        .prefetch_related(
            Prefetch(
                "resources",
                queryset=RequestResource.objects.select_related("biobank").prefetch_related("collections"),
            )
        )
    )


def _one(request: Request, pk: int) -> AccessRequest:
    try:
        return request_get_for(user=request.user, pk=pk)
    except AccessRequest.DoesNotExist:
        raise Http404 from None


def _answer(request: Request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    return Response(AccessRequestSerializer(_visible(request).get(pk=pk)).data, status=code)


class AccessRequestListView(generics.ListAPIView):
    serializer_class = AccessRequestSerializer
    cursor_ordering = "-pk"

    def get_queryset(self) -> QuerySet[AccessRequest]:
        return _visible(self.request)

    @extend_schema(
        operation_id="access_requests_list",
        summary="List the requests you may read",
        description="Your own requests and those you confirmed as a co-applicant; for committee members and "
        "biobank reviewers also the submitted requests asking their biobanks.",
        tags=TAGS,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="access_requests_create",
        summary="Create a draft request",
        description="Researchers only (403 otherwise); every invalid field is reported at once (400 with `errors`). "
        "Supports `Idempotency-Key`.",
        tags=TAGS,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, REPLAYED_RESPONSE_HEADER],
        request=RequestInputSerializer,
        responses={201: AccessRequestSerializer, **problem_responses(400, 403)},
        examples=[INPUT_EXAMPLE, OpenApiExample("Created", response_only=True, status_codes=["201"], value=EXAMPLE)],
    )
    def post(self, request: Request) -> Any:
        return idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        serializer = RequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = request_create(actor=request.user, **serializer.service_arguments())
        return _answer(request, created.pk, status.HTTP_201_CREATED)


class AccessRequestDetailView(ETagMixin, APIView):
    """One request; ``PATCH`` with a stale ``If-Match`` is a 412 and changes nothing."""

    @extend_schema(
        operation_id="access_requests_retrieve",
        summary="Read a request",
        description="A request you may not read is a 404.",
        tags=TAGS,
        parameters=[ETAG_RESPONSE_HEADER],
        responses={200: AccessRequestSerializer, **problem_responses(404)},
        examples=[OpenApiExample("A draft", response_only=True, value=EXAMPLE)],
    )
    def get(self, request: Request, pk: int) -> Response:
        access_request = _visible(request).filter(pk=_one(request, pk).pk).get()
        return self.etag_read(request, access_request, AccessRequestSerializer(access_request).data)

    @extend_schema(
        operation_id="access_requests_partial_update",
        summary="Edit a request",
        description="Only its researcher (403 for a team member or reviewer), only as a draft or when changes were "
        "asked for; `collections` only in a draft. Every invalid field is reported at once.",
        tags=TAGS,
        parameters=[IF_MATCH_PARAMETER, ETAG_RESPONSE_HEADER],
        request=RequestInputSerializer,
        responses={200: AccessRequestSerializer, **problem_responses(400, 403, 404, 409, 412)},
        examples=[INPUT_EXAMPLE],
    )
    def patch(self, request: Request, pk: int) -> Response:
        access_request = _one(request, pk)
        self.check_if_match(request, access_request)
        serializer = RequestInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        request_update(actor=request.user, request=access_request, **serializer.service_arguments())
        fresh = _visible(request).get(pk=access_request.pk)
        return self.with_etag(Response(AccessRequestSerializer(fresh).data), fresh)


def _action_schema(operation: str, summary: str, description: str, request_body: Any = None) -> Any:
    return extend_schema(
        operation_id=f"access_requests_{operation}",
        summary=summary,
        description=description + " Repeating it once done answers 200 with the current state. Supports "
        "`Idempotency-Key`.",
        tags=TAGS,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, REPLAYED_RESPONSE_HEADER],
        request=request_body,
        responses={200: AccessRequestSerializer, **problem_responses(400, 403, 404, 409)},
        examples=[OpenApiExample("Done", response_only=True, value={**EXAMPLE, "status": "submitted"})],
    )


class SubmitView(APIView):
    @_action_schema("submit", "Submit a draft", "Everything missing is listed at once (400 with `errors`).")
    def post(self, request: Request, pk: int) -> Any:
        return idempotent(request, lambda: self._do(request, pk))

    def _do(self, request: Request, pk: int) -> Response:
        access_request = _one(request, pk)
        # a repeat of a submit that went through answers the state; a withdrawn or rejected request is refused
        already = access_request.submitted_at is not None and access_request.status in REQUEST_OPEN
        if not (already and access_request.researcher_id == request.user.pk):
            request_submit(actor=request.user, request=access_request)
        return _answer(request, pk)


class WithdrawView(APIView):
    @_action_schema("withdraw", "Withdraw a request", "With a reason; from any state that allows it.",
                    WithdrawInputSerializer)  # fmt: skip
    def post(self, request: Request, pk: int) -> Any:
        return idempotent(request, lambda: self._do(request, pk))

    def _do(self, request: Request, pk: int) -> Response:
        access_request = _one(request, pk)
        if access_request.status == RequestStatus.WITHDRAWN and access_request.researcher_id == request.user.pk:
            return _answer(request, pk)
        serializer = WithdrawInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        request_withdraw(actor=request.user, request=access_request, reason=serializer.validated_data["reason"])
        return _answer(request, pk)


class ResubmitView(APIView):
    @_action_schema("resubmit", "Resubmit after changes", "From changes requested back to under review; the "
                    "biobanks' parts keep their states.")  # fmt: skip
    def post(self, request: Request, pk: int) -> Any:
        return idempotent(request, lambda: self._do(request, pk))

    def _do(self, request: Request, pk: int) -> Response:
        access_request = _one(request, pk)
        mine = access_request.researcher_id == request.user.pk
        if (
            mine
            and access_request.status == RequestStatus.UNDER_REVIEW
            and access_request.events.filter(kind="request.under_review", actor_id=request.user.pk).exists()
        ):
            return _answer(request, pk)
        request_resubmit(actor=request.user, request=access_request)
        return _answer(request, pk)
