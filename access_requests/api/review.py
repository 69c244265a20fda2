"""The committee's API verbs on a request (issue 14, item 11): start the review, ask for changes, declare a
conflict, assign a reviewer, vote, decide, and the request's messages.

Each is input serializer → service → output. A request or resource the caller cannot read is a 404; one they read
but may not act on a 403; a step out of order, a second vote or a decision the votes do not support a 409. Every
POST supports ``Idempotency-Key``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from biobank.accounts.models import Biobank, User
from biobank.accounts.principals import AuthenticatedRequest
from biobank.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, REPLAYED_RESPONSE_HEADER, idempotent
from biobank.api.schema import READ_PROBLEMS, WRITE_PROBLEMS, problem_responses

from ..models import AccessRequest, RequestMessage, RequestResource
from ..selectors import request_get_for, resources_visible_to
from ..services.decisions import resource_decide
from ..services.messages import message_post, messages_visible_to
from ..services.review import (
    conflict_declare,
    request_changes_request,
    request_review_start,
    reviewer_assign,
    vote_cast,
)
from .review_serializers import (
    AssignInputSerializer,
    AssignmentSerializer,
    ConflictInputSerializer,
    ConflictSerializer,
    DecideInputSerializer,
    DecisionSerializer,
    MessageInputSerializer,
    MessageSerializer,
    ReasonSerializer,
    RequestStatusSerializer,
    VoteInputSerializer,
    VoteSerializer,
)

TAGS = ["access request review"]
PK_PARAMETER = OpenApiParameter("pk", int, OpenApiParameter.PATH, description="The access request's id.")
POST_PARAMETERS = [PK_PARAMETER, IDEMPOTENCY_KEY_PARAMETER, REPLAYED_RESPONSE_HEADER]
ACTION_PROBLEMS = problem_responses(403, 404, 409, 422, *WRITE_PROBLEMS)


@contextmanager
def not_found() -> Iterator[None]:
    """A request, resource or user the caller may not see: 404, whichever lookup said so."""
    try:
        yield
    except ObjectDoesNotExist:
        raise exceptions.NotFound("No such access request, resource or person that you may see.") from None


def _request(request: AuthenticatedRequest, pk: int) -> AccessRequest:
    with not_found():
        return request_get_for(user=request.user, pk=pk)


def _resource(request: AuthenticatedRequest, access_request: AccessRequest, pk: int) -> RequestResource:
    with not_found():
        return resources_visible_to(user=request.user, request=access_request).select_related("request").get(pk=pk)


def _actor(request: AuthenticatedRequest) -> User:
    """The person acting: API tokens read no requests (``requests_visible_to``), so they were a 404 already."""
    if not isinstance(request.user, User):
        raise exceptions.NotFound("No such access request that you may see.")
    return request.user


def _valid(serializer_class: Any, request: AuthenticatedRequest) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ReviewStartView(APIView):
    @extend_schema(
        operation_id="access_requests_review_start",
        summary="Start the review",
        description="A submitted request goes under review; the caller's biobanks' contacted resources to checking "
        "availability. Out of order: 409 with what the request can become.",
        tags=TAGS,
        parameters=POST_PARAMETERS,
        request=None,
        responses={200: RequestStatusSerializer, **ACTION_PROBLEMS},
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Any:
        return idempotent(request, lambda: self._start(request, pk))

    def _start(self, request: AuthenticatedRequest, pk: int) -> Response:
        access_request = _request(request, pk)
        with not_found():
            access_request = request_review_start(actor=_actor(request), request=access_request)
        return Response(RequestStatusSerializer(access_request).data)


class ChangesRequestView(APIView):
    @extend_schema(
        operation_id="access_requests_changes_request",
        summary="Ask the researcher for changes",
        description="By the chair of a committee deciding on the request: under review → changes requested.",
        tags=TAGS,
        parameters=POST_PARAMETERS,
        request=ReasonSerializer,
        responses={200: RequestStatusSerializer, **ACTION_PROBLEMS},
        examples=[OpenApiExample("Why", request_only=True, value={"reason": "Attach the ethics approval."})],
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Any:
        return idempotent(request, lambda: self._changes(request, pk))

    def _changes(self, request: AuthenticatedRequest, pk: int) -> Response:
        access_request = _request(request, pk)
        data = _valid(ReasonSerializer, request)
        with not_found():
            access_request = request_changes_request(
                actor=_actor(request), request=access_request, reason=data["reason"]
            )
        return Response(RequestStatusSerializer(access_request).data)


class ConflictView(APIView):
    @extend_schema(
        operation_id="access_requests_conflict_declare",
        summary="Declare a conflict of interest",
        description="Once per member and request; a conflict recuses the member (no vote, no assignment).",
        tags=TAGS,
        parameters=POST_PARAMETERS,
        request=ConflictInputSerializer,
        responses={201: ConflictSerializer, **ACTION_PROBLEMS},
        examples=[OpenApiExample("None", request_only=True, value={"has_conflict": False})],
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Any:
        return idempotent(request, lambda: self._declare(request, pk))

    def _declare(self, request: AuthenticatedRequest, pk: int) -> Response:
        access_request = _request(request, pk)
        data = _valid(ConflictInputSerializer, request)
        with not_found():
            declaration = conflict_declare(actor=_actor(request), request=access_request, **data)
        return Response(ConflictSerializer(declaration).data, status=status.HTTP_201_CREATED)


class AssignView(APIView):
    @extend_schema(
        operation_id="access_requests_assign",
        summary="Assign a reviewer",
        description="By the chair: a member with an active seat who is not recused; `due_on` defaults to today "
        "plus the committee's days to review.",
        tags=TAGS,
        parameters=POST_PARAMETERS,
        request=AssignInputSerializer,
        responses={201: AssignmentSerializer, **ACTION_PROBLEMS},
        examples=[OpenApiExample("Assign", request_only=True, value={"resource": 7, "reviewer": 12})],
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Any:
        return idempotent(request, lambda: self._assign(request, pk))

    def _assign(self, request: AuthenticatedRequest, pk: int) -> Response:
        access_request = _request(request, pk)
        data = _valid(AssignInputSerializer, request)
        resource = _resource(request, access_request, data["resource"])
        with not_found():
            reviewer = User.objects.get(pk=data["reviewer"], is_active=True)
            assignment = reviewer_assign(
                actor=_actor(request), resource=resource, reviewer=reviewer, due_on=data["due_on"]
            )
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class VoteView(APIView):
    @extend_schema(
        operation_id="access_requests_vote",
        summary="Vote on a resource",
        description="A member with an active seat who declared no conflict, on an available resource before its "
        "decision, once (a second vote is a 409). The DUO match shown is stored with the vote.",
        tags=TAGS,
        parameters=POST_PARAMETERS,
        request=VoteInputSerializer,
        responses={201: VoteSerializer, **ACTION_PROBLEMS},
        examples=[
            OpenApiExample(
                "Approve", request_only=True, value={"resource": 7, "value": "approve", "rationale": "Sound."}
            )
        ],
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Any:
        return idempotent(request, lambda: self._vote(request, pk))

    def _vote(self, request: AuthenticatedRequest, pk: int) -> Response:
        access_request = _request(request, pk)
        data = _valid(VoteInputSerializer, request)
        resource = _resource(request, access_request, data.pop("resource"))
        with not_found():
            vote = vote_cast(actor=_actor(request), resource=resource, **data)
        return Response(VoteSerializer(vote).data, status=status.HTTP_201_CREATED)


class DecideView(APIView):
    @extend_schema(
        operation_id="access_requests_decide",
        summary="Decide on a resource",
        description="By the chair, when the committee's rule supports the outcome (else 409 with the tally). "
        "Approval sets conditions, approved release attributes and the access end date.",
        tags=TAGS,
        parameters=POST_PARAMETERS,
        request=DecideInputSerializer,
        responses={201: DecisionSerializer, **ACTION_PROBLEMS},
        examples=[
            OpenApiExample(
                "Approve",
                request_only=True,
                value={
                    "resource": 7,
                    "outcome": "approved",
                    "rationale": "Sound science.",
                    "conditions": [{"kind": "acknowledgement"}],
                    "attributes": ["sex", "age_at_collection"],
                    "access_ends_on": "2027-12-31",
                },
            )
        ],
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Any:
        return idempotent(request, lambda: self._decide(request, pk))

    def _decide(self, request: AuthenticatedRequest, pk: int) -> Response:
        access_request = _request(request, pk)
        data = _valid(DecideInputSerializer, request)
        resource = _resource(request, access_request, data.pop("resource"))
        with not_found():
            decision = resource_decide(actor=_actor(request), resource=resource, **data)
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class MessagesView(generics.ListAPIView):
    serializer_class = MessageSerializer
    cursor_ordering = "pk"  # oldest first, as a thread reads

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no request to look up
            return RequestMessage.objects.none()
        request = self.request
        access_request = _request(request, self.kwargs["pk"])  # type: ignore[arg-type]
        return messages_visible_to(user=request.user, request=access_request)

    @extend_schema(
        operation_id="access_requests_messages_list",
        summary="The request's messages",
        description="All of them for the researcher's side; public ones and their biobanks' private ones for staff. "
        "Oldest first, cursor-paginated.",
        tags=TAGS,
        parameters=[PK_PARAMETER],
        responses={200: MessageSerializer(many=True), **problem_responses(404, *READ_PROBLEMS)},
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="access_requests_messages_create",
        summary="Post a message",
        description="To all parties, or privately (`audience` `biobank`) to/within one biobank of the request.",
        tags=TAGS,
        parameters=POST_PARAMETERS,
        request=MessageInputSerializer,
        responses={201: MessageSerializer, **ACTION_PROBLEMS},
        examples=[OpenApiExample("To all", request_only=True, value={"body": "When will you decide?"})],
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Any:
        return idempotent(request, lambda: self._post(request, pk))

    def _post(self, request: AuthenticatedRequest, pk: int) -> Response:
        access_request = _request(request, pk)
        data = _valid(MessageInputSerializer, request)
        code = data.pop("biobank")
        biobank = Biobank.objects.filter(code=code).first() if code else None
        with not_found():
            message = message_post(actor=_actor(request), request=access_request, biobank=biobank, **data)
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)
