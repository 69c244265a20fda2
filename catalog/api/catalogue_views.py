"""The public catalogue API (``/api/v1/catalog/``): biobanks, collection descriptions, networks, facts, vocabularies.

Reads need no login (``AllowAny``, within the per-client rate limit of every API call, like the public SPREC API):
they show published records only; staff of a biobank (``view_catalog``) also see its drafts. Writes need a login and
``manage_catalog`` on the record's biobank and go through the catalogue's services: a record the caller cannot see
as staff is a 404 for writes (even when it is published), one they see but may not change a 403. Updates carry
optimistic concurrency (``ETagMixin``: ``If-Match``, 412 when stale). Facts: only k-anonymous rows
(``publishable``); counts obfuscated (``obfuscate``) unless the caller is staff of the collection's biobank.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

if TYPE_CHECKING:
    from rest_framework.permissions import _PermissionClass
else:
    _PermissionClass = Any

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import AuthenticatedRequest
from biobank.accounts.selectors import biobank_ids_with_perm
from biobank.api.etags import ETagMixin
from biobank.api.schema import ETAG_RESPONSE_HEADER, IF_MATCH_PARAMETER, WRITE_PROBLEMS, problem_responses
from biobank.api.throttling import PrincipalRateThrottle

from .. import services
from ..models import BiobankProfile, Collection, Network, PublicationState
from .catalogue_serializers import (
    BiobankProfileSerializer,
    BiobankProfileUpdateSerializer,
    CatalogNetworkSerializer,
    CollectionDescribeInputSerializer,
    CollectionDescriptionSerializer,
    CollectionStateInputSerializer,
)

PUBLISHED = PublicationState.PUBLISHED
PUBLIC_READ = (404, 429)
BIOBANK_EXAMPLE = {
    "id": "bbmri-eric:ID:DE_ukrm-biobank",
    "code": "ukrm-biobank",
    "name": "UKRM Biobank",
    "acronym": "UKRM",
    "description": "Hospital biobank of the university medical centre.",
    "country": "DE",
    "juristic_person": "Universitätsklinikum",
    "contact": {
        "id": "bbmri-eric:contactID:DE_ukrm-biobank",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "biobank@example.org",
        "country": "DE",
    },
    "quality_standards": [
        {
            "standard": {"code": "ISO-20387-2018", "label": "ISO 20387:2018"},
            "assessment_level": {"code": "accredited", "label": "Certified by accredited body"},
        },
    ],
    "state": "published",
}
COLLECTION_EXAMPLE = {
    "id": 12,
    "bbmri_id": "bbmri-eric:ID:DE_ukrm-biobank:collection:crc-tissue",
    "biobank": "ukrm-biobank",
    "name": "Colorectal cancer tissue",
    "sex": [{"code": "FEMALE", "label": "Female"}, {"code": "MALE", "label": "Male"}],
    "materials": [{"code": "TISSUE_FROZEN", "label": "Cryo tissue"}],
    "diseases": [{"code": "C18", "label": "C18 Malignant neoplasm of colon"}],
    "data_use": [{"code": "DUO:0000042", "label": "general research use"}],
    "age_low": 18,
    "age_high": 90,
    "age_unit": {"code": "YEAR", "label": "Years"},
    "state": "published",
}


class PublicReadPermission(BasePermission):
    """Reads for everyone; anything else needs a login (then the view checks ``manage_catalog``)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return AllowAny().has_permission(request, view)
        return IsAuthenticated().has_permission(request, view)


class PublicCatalogView(APIView):
    permission_classes: Sequence[_PermissionClass] = [PublicReadPermission]
    throttle_classes: Sequence[type[BaseThrottle]] = [PrincipalRateThrottle]


def staff_biobanks(request: Request, perm: Perm = Perm.VIEW_CATALOG) -> QuerySet:
    if not request.user or not request.user.is_authenticated:
        return Biobank.objects.none().values("pk")
    return biobank_ids_with_perm(user=request.user, perm=perm)


def _by_id(value: str, field: str) -> Q:
    return Q(pk=int(value)) if value.isdigit() else Q(**{field: value})


# --- biobanks -------------------------------------------------------------------------------------------------------


def _profiles(request: Request) -> QuerySet[BiobankProfile]:
    return (
        BiobankProfile.objects.filter(Q(state=PUBLISHED) | Q(biobank__in=staff_biobanks(request)))
        .filter(biobank__is_active=True)
        .select_related("biobank", "contact", "head")
        .prefetch_related(
            "quality_standards",
            Prefetch(
                "biobank__collections",
                queryset=Collection.objects.filter(state=PUBLISHED, bbmri_id__isnull=False).order_by("name"),
                to_attr="published_collections",
            ),
        )
    )


class CatalogBiobankListView(PublicCatalogView, generics.ListAPIView):
    serializer_class = BiobankProfileSerializer
    cursor_ordering = "pk"

    def get_queryset(self) -> Any:
        return _profiles(self.request)

    @extend_schema(
        operation_id="catalog_biobanks_list",
        tags=["catalogue"],
        auth=[],
        summary="Biobanks of the public catalogue",
        description="Published MIABIS biobank descriptions (staff also see their biobank's draft). No login.",
        responses={200: BiobankProfileSerializer(many=True), **problem_responses(400, 429)},
        examples=[OpenApiExample("Biobank", value=[BIOBANK_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


BIOBANK_PARAMETER = OpenApiParameter(
    "code", str, OpenApiParameter.PATH, description="The biobank's code, or its BBMRI-ERIC ID (`bbmri-eric:ID:…`)."
)


class CatalogBiobankDetailView(ETagMixin, PublicCatalogView):
    def _lookup(self, code: str) -> Q:
        return Q(bbmri_id=code) | Q(biobank__code=code)

    @extend_schema(
        operation_id="catalog_biobanks_retrieve",
        tags=["catalogue"],
        auth=[],
        summary="One biobank's MIABIS description",
        description="By code or BBMRI-ERIC ID. Published only (staff also see their draft). No login.",
        parameters=[BIOBANK_PARAMETER, ETAG_RESPONSE_HEADER],
        responses={200: BiobankProfileSerializer, **problem_responses(*PUBLIC_READ)},
        examples=[OpenApiExample("Biobank", value=BIOBANK_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, code: str) -> Response:
        profile = _profiles(request).filter(self._lookup(code)).first()
        if profile is None:
            raise exceptions.NotFound(f"No published biobank {code!r}.")
        return self.etag_read(request, profile, BiobankProfileSerializer(profile).data)

    @extend_schema(
        operation_id="catalog_biobanks_partial_update",
        tags=["catalogue"],
        summary="Change a biobank's MIABIS description",
        description="Data managers of the biobank (`manage_catalog`). Send only what changes; every invalid "
        "field is reported at once, each with its pointer, the value and what is allowed. `If-Match` guards "
        "against overwriting someone else's change (412).",
        parameters=[BIOBANK_PARAMETER, IF_MATCH_PARAMETER, ETAG_RESPONSE_HEADER],
        request=BiobankProfileUpdateSerializer,
        responses={200: BiobankProfileSerializer, **problem_responses(403, 404, 412, *WRITE_PROBLEMS)},
        examples=[
            OpenApiExample(
                "Quality",
                request_only=True,
                value={"quality_standards": [{"standard": "ISO-20387-2018", "assessment_level": "accredited"}]},
            )
        ],
    )
    def patch(self, request: AuthenticatedRequest, code: str) -> Response:
        biobank = Biobank.objects.filter(Q(code=code) | Q(profile__bbmri_id=code)).first()
        if biobank is None or not Biobank.objects.filter(pk=biobank.pk, pk__in=staff_biobanks(request)).exists():
            raise exceptions.NotFound(f"No biobank {code!r} whose catalogue you manage.")
        if not Biobank.objects.filter(pk=biobank.pk, pk__in=staff_biobanks(request, Perm.MANAGE_CATALOG)).exists():
            raise exceptions.PermissionDenied(
                _("You may not change %(code)s's description; this needs manage_catalog.") % {"code": repr(code)}
            )
        with transaction.atomic():
            profile = BiobankProfile.objects.select_for_update().filter(biobank=biobank).first()
            if profile is not None:
                self.check_if_match(request, profile)
            serializer = BiobankProfileUpdateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            profile = services.profile_save(actor=request.user, biobank=biobank, **serializer.validated_data)
        profile = _profiles(request).get(pk=profile.pk)
        return self.with_etag(Response(BiobankProfileSerializer(profile).data), profile)


# --- collections ----------------------------------------------------------------------------------------------------


def _collections(request: Request) -> QuerySet[Collection]:
    published_children = Collection.objects.filter(state=PUBLISHED).order_by("name")
    return (
        Collection.objects.filter(Q(state=PUBLISHED) | Q(biobank__in=staff_biobanks(request)))
        .filter(biobank__is_active=True)
        .select_related("biobank__profile", "parent", "contact", "head")
        .prefetch_related("networks", Prefetch("children", queryset=published_children, to_attr="shown_children"))
    )


COLLECTION_PARAMETER = OpenApiParameter(
    "id", str, OpenApiParameter.PATH, description="The collection's number, or its BBMRI-ERIC ID."
)


class CatalogCollectionDetailView(ETagMixin, PublicCatalogView):
    def _data(self, collection: Collection) -> Any:
        children = getattr(collection, "shown_children", None)
        context = {"shown_children": children}
        return CollectionDescriptionSerializer(collection, context=context).data

    def _changeable_locked(self, request: AuthenticatedRequest, id: str) -> Collection:
        lookup = _by_id(id, "bbmri_id")
        collection = (
            Collection.objects.filter(lookup, biobank__in=staff_biobanks(request, Perm.MANAGE_CATALOG))
            .select_for_update(of=("self",))
            .first()
        )
        if collection is None:
            if Collection.objects.filter(lookup, biobank__in=staff_biobanks(request)).exists():
                raise exceptions.PermissionDenied(
                    _("You may not change collection %(id)s; this needs manage_catalog.") % {"id": id}
                )
            raise exceptions.NotFound(f"No collection {id} whose catalogue you manage.")
        return collection

    @extend_schema(
        operation_id="catalog_collections_retrieve",
        tags=["catalogue"],
        auth=[],
        summary="One collection's MIABIS description",
        description="Every MIABIS 3.0 attribute, codes with their labels. Published only; staff of the biobank "
        "also see drafts. No login.",
        parameters=[COLLECTION_PARAMETER, ETAG_RESPONSE_HEADER],
        responses={
            200: CollectionDescriptionSerializer,
            304: OpenApiResponse(description="Your copy (`If-None-Match`) is current."),
            **problem_responses(*PUBLIC_READ),
        },
        examples=[OpenApiExample("Collection", value=COLLECTION_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, id: str) -> Response:
        collection = _collections(request).filter(_by_id(id, "bbmri_id")).first()
        if collection is None:
            raise exceptions.NotFound(f"No published collection {id}.")
        return self.etag_read(request, collection, self._data(collection))

    @extend_schema(
        operation_id="catalog_collections_partial_update",
        tags=["catalogue"],
        summary="Describe a collection (MIABIS)",
        description="Data managers of the collection's biobank (`manage_catalog`). Send only the attributes to "
        "change, codes as stored. Every problem is reported at once, each with its pointer (`/materials`), the "
        "value and the allowed codes. `If-Match` guards against overwriting someone else's change (412).",
        parameters=[COLLECTION_PARAMETER, IF_MATCH_PARAMETER, ETAG_RESPONSE_HEADER],
        request=CollectionDescribeInputSerializer,
        responses={200: CollectionDescriptionSerializer, **problem_responses(403, 404, 412, *WRITE_PROBLEMS)},
        examples=[
            OpenApiExample(
                "Materials and age",
                request_only=True,
                value={"materials": ["DNA", "PLASMA"], "age_low": 18, "age_high": 90, "age_unit": "YEAR"},
            )
        ],
    )
    def patch(self, request: AuthenticatedRequest, id: str) -> Response:
        with transaction.atomic():
            collection = self._changeable_locked(request, id)
            self.check_if_match(request, collection)
            serializer = CollectionDescribeInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            services.collection_describe(actor=request.user, collection=collection, **serializer.validated_data)
        collection = _collections(request).get(pk=collection.pk)
        return self.with_etag(Response(self._data(collection)), collection)


class CatalogCollectionStateView(ETagMixin, PublicCatalogView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="catalog_collections_state",
        tags=["catalogue"],
        summary="Publish or unpublish a collection",
        description="`published` needs the attributes MIABIS requires (each missing one is reported with its "
        "pointer); `draft` withdraws it from the public catalogue. Needs `manage_catalog`.",
        parameters=[COLLECTION_PARAMETER, IF_MATCH_PARAMETER, ETAG_RESPONSE_HEADER],
        request=CollectionStateInputSerializer,
        responses={200: CollectionDescriptionSerializer, **problem_responses(403, 404, 412, *WRITE_PROBLEMS)},
        examples=[OpenApiExample("Publish", request_only=True, value={"state": "published"})],
    )
    def post(self, request: AuthenticatedRequest, id: str) -> Response:
        view = CatalogCollectionDetailView()
        with transaction.atomic():
            collection = view._changeable_locked(request, id)
            self.check_if_match(request, collection)
            serializer = CollectionStateInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            services.collection_set_state(
                actor=request.user, collection=collection, state=serializer.validated_data["state"]
            )
        collection = _collections(request).get(pk=collection.pk)
        return self.with_etag(Response(view._data(collection)), collection)


# --- networks -------------------------------------------------------------------------------------------------------


def _networks() -> QuerySet[Network]:
    return Network.objects.select_related("contact").prefetch_related(
        Prefetch("member_biobanks", queryset=Biobank.objects.select_related("profile")), "collections"
    )


class CatalogNetworkListView(PublicCatalogView, generics.ListAPIView):
    serializer_class = CatalogNetworkSerializer
    cursor_ordering = "pk"

    def get_queryset(self) -> Any:
        return _networks()

    @extend_schema(
        operation_id="catalog_networks_list",
        tags=["catalogue"],
        auth=[],
        summary="Networks of biobanks",
        description="MIABIS networks with their published member biobanks and collections. No login.",
        responses={200: CatalogNetworkSerializer(many=True), **problem_responses(400, 429)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class CatalogNetworkDetailView(PublicCatalogView):
    @extend_schema(
        operation_id="catalog_networks_retrieve",
        tags=["catalogue"],
        auth=[],
        summary="One network",
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="Number or BBMRI-ERIC ID.")],
        responses={200: CatalogNetworkSerializer, **problem_responses(*PUBLIC_READ)},
    )
    def get(self, request: Request, id: str) -> Response:
        network = _networks().filter(_by_id(id, "bbmri_id")).first()
        if network is None:
            raise exceptions.NotFound(f"No network {id}.")
        return Response(CatalogNetworkSerializer(network).data)
