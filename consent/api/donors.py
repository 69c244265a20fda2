"""Donors API: list and read pseudonymous donors, register one, and (stewards only) read an identity with a reason.

Reads go through ``consent.selectors.donors_visible_to`` (``view_donors``; a donor of another biobank is a 404);
a PID with a wrong check character is a 400 that says so. Registration needs ``manage_consent``; a possible
duplicate is a 409 naming only the review that now holds the registration (no donor is created, no PID named).
Identifying data appear only in the response of ``POST /donors/{pid}/identity/``, which is never cached.
"""

from __future__ import annotations

from typing import Any

from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from biobank.accounts.choices import Perm
from biobank.accounts.principals import AuthenticatedRequest
from biobank.accounts.selectors import biobanks_visible_to, user_has_biobank_perm
from biobank.api.exceptions import PROBLEM_CONTENT_TYPE, problem
from biobank.api.fields import BiobankCodeField
from biobank.api.schema import READ_PROBLEMS, WRITE_PROBLEMS, problem_responses
from consent import selectors, services
from consent.models import Donor

from .consent_serializers import ConsentSerializer
from .donor_filters import DonorFilterSet
from .donor_serializers import (
    DonorDetailSerializer,
    DonorRegisterInputSerializer,
    DonorSerializer,
    DuplicateProblemSerializer,
    IdentityRequestSerializer,
    IdentitySerializer,
)

PID_PARAMETER = OpenApiParameter(
    "pid", str, OpenApiParameter.PATH, description="The donor's PID, e.g. `ABCDE-FGHJK-M` (hyphens optional)."
)
BIOBANK_PARAMETER = OpenApiParameter(
    "biobank", str, description="Code of the biobank, needed only if two of your biobanks share a PID."
)
DONOR_EXAMPLE = {
    "pid": "7KQ2M-X9TRB-3",
    "biobank": "biobank-a",
    "sex": "female",
    "birth_year": 1970,
    "birth_month": 3,
    "status": "active",
    "merged_into": None,
    "created_at": "2025-01-31T12:00:00Z",
}
DUPLICATE_RESPONSE = OpenApiResponse(
    DuplicateProblemSerializer,
    description="The identity may belong to a registered donor: the registration is held for review (no donor "
    "was created). The answer names the review only, never the donor it may duplicate; an identity steward decides "
    "it on the staff pages (possible duplicates).",
    examples=[
        OpenApiExample(
            "Possible duplicate",
            response_only=True,
            status_codes=["409"],
            value={
                "type": "/api/problems/possible-duplicate",
                "title": "Possible duplicate",
                "status": 409,
                "detail": "The registration is held for review #12 (it may duplicate a registered donor); no donor "
                "was created. An identity steward decides it.",
                "instance": "/api/v1/donors/",
                "request_id": "6f1c0c7e2b0f4c6b9d1d8f3e5a7b9c1d",
                "review_id": 12,
            },
        )
    ],
)


def visible_donor(request: AuthenticatedRequest, pid: str) -> Donor:
    """The donor with ``pid`` if the caller may see it: 400 for a malformed PID, 404 if none is visible."""
    code = request.query_params.get("biobank")
    biobank = biobanks_visible_to(user=request.user).filter(code=code).first() if code else None
    if code and biobank is None:
        raise exceptions.NotFound(f"No donor {pid} that you may see.")
    try:
        return selectors.donor_get_for(user=request.user, pid=pid, biobank=biobank)
    except Donor.DoesNotExist:
        raise exceptions.NotFound(f"No donor {pid} that you may see.") from None


class DonorListView(generics.ListAPIView):
    request: AuthenticatedRequest  # IsAuthenticated (the default) ran: a person or an API token
    serializer_class = DonorSerializer
    filterset_class = DonorFilterSet
    cursor_ordering = "pk"

    def get_queryset(self) -> Any:
        return selectors.donors_visible_to(user=self.request.user)

    @extend_schema(
        operation_id="donors_list",
        summary="Donors you may see",
        description="Pseudonymous donors of the biobanks where you hold `view_donors`, oldest first, "
        "cursor-paginated. Filter by `biobank`, `pid` (a mistyped PID is a 400 saying what is wrong) and `status`.",
        responses={200: DonorSerializer(many=True), **problem_responses(400, *READ_PROBLEMS)},
        examples=[
            OpenApiExample(
                "Donors", response_only=True, value={"next": None, "previous": None, "results": [DONOR_EXAMPLE]}
            )
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="donors_create",
        summary="Register a donor",
        description="Needs `manage_consent` on the biobank named in the body. The identity goes to the encrypted "
        "vault and a PID is minted in the biobank's PID domain; the response carries only pseudonymous data. If "
        "the identity may belong to a registered donor (same hospital/national ID, or a similar name with the "
        "same or a similar date of birth), nothing but a review is written and the answer is 409.",
        request=DonorRegisterInputSerializer,
        responses={
            201: DonorSerializer,
            (409, PROBLEM_CONTENT_TYPE): DUPLICATE_RESPONSE,
            **problem_responses(403, *WRITE_PROBLEMS),
        },
        examples=[
            OpenApiExample(
                "New donor",
                request_only=True,
                value={
                    "biobank": "biobank-a",
                    "given_names": "Jane Marie",
                    "family_name": "Schmidt",
                    "date_of_birth": "1970-03-07",
                    "sex": "female",
                    "hospital_id": "MRN-0012345",
                },
            ),
            OpenApiExample("Registered", response_only=True, status_codes=["201"], value=DONOR_EXAMPLE),
        ],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = DonorRegisterInputSerializer(data=request.data, context={"request": request})
        BiobankCodeField.of(serializer).require_somewhere(request.user)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        biobank = data.pop("biobank")
        registration = services.donor_register(actor=request.user, biobank=biobank, **data)
        if registration.review is not None:
            return self._duplicate(request, registration.review)
        donor = registration.donor
        assert donor is not None
        response = Response(DonorSerializer(donor).data, status=status.HTTP_201_CREATED)
        response["Location"] = reverse("api-donor-detail", kwargs={"pid": donor.pid_display}, request=request)
        return response

    def _duplicate(self, request: AuthenticatedRequest, review: Any) -> Response:
        """The review's number only: no PID, no candidate, no match kind (see ``DuplicateProblemSerializer``)."""
        body = problem(
            status_code=409,
            title="Possible duplicate",
            detail=f"The registration is held for review #{review.pk} (it may duplicate a registered donor); no "
            "donor was created. An identity steward decides it.",
            problem_type="possible-duplicate",
            instance=request.path,
            request_id=str(getattr(request._request, "request_id", "")),
        )
        body.update(review_id=review.pk)
        return Response(body, status=status.HTTP_409_CONFLICT, content_type=PROBLEM_CONTENT_TYPE)


class DonorDetailView(APIView):
    @extend_schema(
        operation_id="donors_retrieve",
        summary="One donor",
        description="A pseudonymous donor by PID. Every PID the donor ever had (e.g. printed on a label before a "
        "key rotation) finds it; the answer's `pid` is the current one and `asked_pid` names the earlier PID asked. "
        "A PID with a wrong check character (a typo) is a 400 that says so; a PID of no donor you may see is a 404.",
        parameters=[PID_PARAMETER, BIOBANK_PARAMETER],
        responses={200: DonorDetailSerializer, **problem_responses(400, 404, *READ_PROBLEMS)},
        examples=[OpenApiExample("Donor", response_only=True, value={**DONOR_EXAMPLE, "asked_pid": None})],
    )
    def get(self, request: AuthenticatedRequest, pid: str) -> Response:
        donor = visible_donor(request, pid)
        context = {"asked_pid": selectors.earlier_pid(pid, donor)}
        return Response(DonorDetailSerializer(donor, context=context).data)


class DonorConsentListView(generics.ListAPIView):
    """A donor's consents, including those of every donor merged into it (they stay with the donor who signed)."""

    request: AuthenticatedRequest  # IsAuthenticated (the default) ran: a person or an API token

    serializer_class = ConsentSerializer
    cursor_ordering = "-pk"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return selectors.consents_visible_to(user=self.request.user).none()
        donor = visible_donor(self.request, self.kwargs["pid"])
        return selectors.consents_of_donor(user=self.request.user, donor=donor)

    @extend_schema(
        operation_id="donors_consents_list",
        summary="A donor's consents",
        description="Newest first, cursor-paginated; needs `view_donors`. A merge maps donors and does not move "
        "consents: the consents of every donor merged into this one (transitively) are listed too, each with the "
        "PID it was signed under (`donor`). Names and signatures are not included.",
        parameters=[PID_PARAMETER, BIOBANK_PARAMETER],
        responses={200: ConsentSerializer(many=True), **problem_responses(400, 404, *READ_PROBLEMS)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class DonorIdentityView(APIView):
    @extend_schema(
        operation_id="donors_identity_create",
        summary="Re-identify a donor (identity stewards)",
        description="Returns the donor's identifying data to an identity steward of its biobank (`view_identity`, "
        "never granted to API tokens). A reason is mandatory and recorded in the audit trail with the look. "
        "The response is marked no-store.",
        parameters=[PID_PARAMETER, BIOBANK_PARAMETER],
        request=IdentityRequestSerializer,
        responses={200: IdentitySerializer, **problem_responses(403, 404, *WRITE_PROBLEMS)},
        examples=[
            OpenApiExample("Reason", request_only=True, value={"reason": "Recall for an incidental finding"}),
            OpenApiExample(
                "Identity",
                response_only=True,
                value={
                    "pid": "7KQ2M-X9TRB-3",
                    "given_names": "Jane Marie",
                    "family_name": "Schmidt",
                    "date_of_birth": "1970-03-07",
                    "address": "Hauptstraße 1, 10115 Berlin",
                    "hospital_id": "MRN-0012345",
                    "national_id": "",
                    "email": "jane.schmidt@example.org",
                    "phone": "",
                },
            ),
        ],
    )
    def post(self, request: AuthenticatedRequest, pid: str) -> Response:
        donor = visible_donor(request, pid)
        if not user_has_biobank_perm(user=request.user, biobank=donor.biobank, perm=Perm.VIEW_IDENTITY):
            raise exceptions.PermissionDenied(
                _("Only identity stewards of %(code)s may see identifying data (view_identity).")
                % {"code": donor.biobank.code}
            )
        serializer = IdentityRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        identity = services.identity_view(actor=request.user, donor=donor, reason=serializer.validated_data["reason"])
        response = Response(IdentitySerializer({"pid": donor.pid_display, **identity.values.__dict__}).data)
        add_never_cache_headers(response)
        return response
