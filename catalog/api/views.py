"""Collections API: list, create, read, update.

Reads go through ``collections_visible_to`` and writes through ``collections_changeable_by``, so a collection of a
biobank the caller cannot see is a 404; one they can see but not change is a 403. Updates carry optimistic
concurrency through the shared ``ETagMixin``: ``GET`` returns an ``ETag``; ``PATCH`` with a stale ``If-Match`` is
refused with 412. The biobank of a new collection is read by the shared ``BiobankCodeField``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from biobank.accounts.principals import AuthenticatedRequest
from biobank.api.etags import ETagMixin
from biobank.api.fields import BiobankCodeField
from biobank.api.schema import (
    ETAG_RESPONSE_HEADER,
    IF_MATCH_PARAMETER,
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    problem_responses,
)
from catalog import selectors, services
from catalog.models import Collection

from .filtersets import CollectionFilterSet
from .serializers import CollectionCreateInputSerializer, CollectionSerializer, CollectionUpdateInputSerializer

COLLECTION_EXAMPLE = {
    "id": 7,
    "biobank": "biobank-a",
    "code": "crc-2024",
    "name": "Colorectal cancer cohort 2024",
    "description": "Tumour and normal tissue, FFPE and fresh frozen.",
    "created_at": "2025-01-31T12:00:00Z",
    "updated_at": "2025-02-03T09:30:00Z",
}


class CollectionListView(ETagMixin, generics.ListAPIView):
    request: AuthenticatedRequest  # IsAuthenticated (the default) ran: a person or an API token
    serializer_class = CollectionSerializer
    filterset_class = CollectionFilterSet
    cursor_ordering = "-pk"

    def get_queryset(self) -> Any:
        return selectors.collections_visible_to(user=self.request.user)

    @extend_schema(
        operation_id="collections_list",
        summary="Collections you may see",
        description="Collections of the biobanks where you may see the catalogue, plus those shared with you one "
        "by one; newest first, cursor-paginated.",
        responses={200: CollectionSerializer(many=True), **problem_responses(400, *READ_PROBLEMS)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="collections_create",
        summary="Create a collection",
        description="Needs `manage_catalog` on the biobank named in the body. A biobank you cannot see is "
        "reported like one that does not exist.",
        request=CollectionCreateInputSerializer,
        responses={201: CollectionSerializer, **problem_responses(403, 409, *WRITE_PROBLEMS)},
        parameters=[ETAG_RESPONSE_HEADER],
        examples=[
            OpenApiExample(
                "New collection",
                request_only=True,
                value={"biobank": "biobank-a", "code": "crc-2024", "name": "Colorectal cancer cohort 2024"},
            ),
            OpenApiExample("Created", response_only=True, status_codes=["201"], value=COLLECTION_EXAMPLE),
        ],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = CollectionCreateInputSerializer(data=request.data, context={"request": request})
        BiobankCodeField.of(serializer).require_somewhere(request.user)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        collection = services.collection_create(
            actor=request.user,
            biobank=data["biobank"],
            code=data["code"],
            name=data["name"],
            description=data["description"],
        )
        response = Response(CollectionSerializer(collection).data, status=status.HTTP_201_CREATED)
        response["Location"] = reverse("api-collection-detail", kwargs={"pk": collection.pk}, request=request)
        return self.with_etag(response, collection)


class CollectionDetailView(ETagMixin, APIView):
    def _visible(self, request: AuthenticatedRequest, pk: int) -> Collection:
        try:
            return selectors.collections_visible_to(user=request.user).get(pk=pk)
        except Collection.DoesNotExist:
            raise exceptions.NotFound(f"No collection {pk} that you may see.") from None

    def _changeable_locked(self, request: AuthenticatedRequest, pk: int) -> Collection:
        """The collection locked for the update; 403 if the caller may only see it, 404 if not even that."""
        collection = (
            selectors.collections_changeable_by(user=request.user).select_for_update(of=("self",)).filter(pk=pk).first()
        )
        if collection is None:
            self._visible(request, pk)
            raise exceptions.PermissionDenied(
                _("You may not change collection %(pk)s; this needs manage_catalog.") % {"pk": pk}
            )
        return collection

    @extend_schema(
        operation_id="collections_retrieve",
        summary="One collection",
        description="Send the ETag of your copy as `If-None-Match` to get 304 (no body) while it is current.",
        parameters=[ETAG_RESPONSE_HEADER],
        responses={
            200: CollectionSerializer,
            304: OpenApiResponse(description="Your copy (`If-None-Match`) is current."),
            **problem_responses(404, *READ_PROBLEMS),
        },
        examples=[OpenApiExample("Collection", response_only=True, value=COLLECTION_EXAMPLE)],
    )
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        collection = self._visible(request, pk)
        return self.etag_read(request, collection, CollectionSerializer(collection).data)

    @extend_schema(
        operation_id="collections_partial_update",
        summary="Change a collection",
        description="Send only the fields to change (`name`, `description`). Needs `manage_catalog` on the "
        "collection's biobank. Send the ETag of your last read as `If-Match` to be sure you do not overwrite "
        "someone else's change.",
        parameters=[IF_MATCH_PARAMETER, ETAG_RESPONSE_HEADER],
        request=CollectionUpdateInputSerializer,
        responses={200: CollectionSerializer, **problem_responses(403, 404, 412, *WRITE_PROBLEMS)},
        examples=[OpenApiExample("Rename", request_only=True, value={"name": "Colorectal cancer cohort 2024/25"})],
    )
    def patch(self, request: AuthenticatedRequest, pk: int) -> Response:
        with transaction.atomic():
            collection = self._changeable_locked(request, pk)
            self.check_if_match(request, collection)
            serializer = CollectionUpdateInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            collection = services.collection_update(
                actor=request.user, collection=collection, **serializer.validated_data
            )
        return self.with_etag(Response(CollectionSerializer(collection).data), collection)
