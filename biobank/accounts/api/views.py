"""Accounts API: who is calling, the biobanks they may see, and member management.

Thin views: every object is looked up through a permission-scoped selector (a foreign biobank is a 404, never a 403);
a missing permission on a biobank the caller can see is a 403; writes go through ``biobank.accounts.services``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from biobank.accounts import selectors, services
from biobank.accounts.models import Biobank, Membership, RoleGrant, User
from biobank.accounts.principals import TokenPrincipal
from biobank.api.schema import READ_PROBLEMS, WRITE_PROBLEMS, problem_responses

from ..choices import Perm
from ..principals import AuthenticatedRequest
from .filtersets import BiobankFilterSet
from .serializers import (
    BiobankSerializer,
    MemberGrantInputSerializer,
    MembershipSerializer,
    PersonMeSerializer,
    RoleGrantSerializer,
    TokenMeSerializer,
)

CODE_PARAMETER = OpenApiParameter("code", str, OpenApiParameter.PATH, description="The biobank's code.")


def visible_biobank(request: AuthenticatedRequest, code: str) -> Biobank:
    """The biobank ``code`` if the caller may see it; otherwise 404, whether or not it exists."""
    try:
        return selectors.biobanks_visible_to(user=request.user).get(code=code)
    except Biobank.DoesNotExist:
        raise exceptions.NotFound(f"No biobank {code!r} that you may see.") from None


def require_any_perm(request: AuthenticatedRequest, biobank: Biobank, perms: frozenset[Perm], action: str) -> None:
    """403 unless the caller holds one of ``perms`` on a biobank they can see."""
    if not perms & selectors.biobank_perms_of(user=request.user, biobank=biobank):
        raise exceptions.PermissionDenied(
            _("You may not %(action)s of %(code)s; this needs %(perms)s.")
            % {"action": action, "code": biobank.code, "perms": " or ".join(sorted(perms))}
        )


def person_of(request: AuthenticatedRequest) -> User:
    """The person calling: member management is never for an API token (``manage_members`` is not grantable to one,
    see ``TOKEN_GRANTABLE_PERMISSIONS``), so after ``require_any_perm`` this only narrows the type."""
    if not isinstance(request.user, User):
        raise exceptions.PermissionDenied(_("Only a person may manage the members of a biobank."))
    return request.user


class MeView(APIView):
    @extend_schema(
        operation_id="me",
        summary="Who is calling",
        description="The signed-in person with their roles per biobank, or the API token with its biobank, "
        "permissions and expiry. `kind` tells which.",
        responses={
            200: PolymorphicProxySerializer(
                component_name="Me",
                serializers={"person": PersonMeSerializer, "token": TokenMeSerializer},
                resource_type_field_name="kind",
            ),
            **problem_responses(*READ_PROBLEMS),
        },
        examples=[
            OpenApiExample(
                "A person",
                response_only=True,
                value={
                    "kind": "person",
                    "email": "admin@example.org",
                    "full_name": "Ada Admin",
                    "is_researcher": False,
                    "is_donor": False,
                    "memberships": [{"biobank": "biobank-a", "biobank_name": "Biobank A", "role": "biobank_admin"}],
                },
            ),
            OpenApiExample(
                "A token",
                response_only=True,
                value={
                    "kind": "token",
                    "name": "Hospital LIS",
                    "key_prefix": "bbp_x1Y2z3",
                    "biobank": "biobank-a",
                    "permissions": ["view_biobank", "view_catalog"],
                    "expires_at": "2026-01-31T12:00:00Z",
                },
            ),
        ],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        principal = request.user
        if isinstance(principal, TokenPrincipal):
            token = principal.token
            return Response(TokenMeSerializer(token).data)
        assert isinstance(principal, User)
        person = {
            "email": principal.email,
            "full_name": principal.full_name,
            "is_researcher": principal.is_researcher,
            "is_donor": principal.is_donor,
            "memberships": selectors.memberships_of_user(user=principal).order_by("biobank__code", "role"),
        }
        return Response(PersonMeSerializer(person).data)


class BiobankListView(generics.ListAPIView):
    request: AuthenticatedRequest  # IsAuthenticated (the default) ran: a person or an API token
    serializer_class = BiobankSerializer
    filterset_class = BiobankFilterSet
    cursor_ordering = "code"

    def get_queryset(self) -> Any:
        return selectors.biobanks_visible_to(user=self.request.user)

    @extend_schema(
        operation_id="biobanks_list",
        summary="Biobanks you may see",
        description="Biobanks where you hold a role (a token: its own biobank), ordered by code, cursor-paginated.",
        responses={200: BiobankSerializer(many=True), **problem_responses(400, *READ_PROBLEMS)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class BiobankDetailView(APIView):
    @extend_schema(
        operation_id="biobanks_retrieve",
        summary="One biobank",
        parameters=[CODE_PARAMETER],
        responses={200: BiobankSerializer, **problem_responses(404, *READ_PROBLEMS)},
        examples=[
            OpenApiExample(
                "Biobank",
                response_only=True,
                value={
                    "code": "biobank-a",
                    "name": "Biobank A",
                    "country": "DE",
                    "is_active": True,
                    "network": {"code": "bbmri-de", "name": "German Biobank Network"},
                },
            )
        ],
    )
    def get(self, request: AuthenticatedRequest, code: str) -> Response:
        return Response(BiobankSerializer(visible_biobank(request, code)).data)


class MemberListView(generics.ListAPIView):
    request: AuthenticatedRequest  # IsAuthenticated (the default) ran: a person or an API token
    serializer_class = MembershipSerializer
    cursor_ordering = "pk"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        biobank = visible_biobank(self.request, self.kwargs["code"])
        if not selectors.may_list_members(user=self.request.user, biobank=biobank):
            raise exceptions.PermissionDenied(_("API tokens cannot list the people of a biobank; sign in as a member."))
        return selectors.memberships_of_biobank(user=self.request.user, biobank=biobank)

    @extend_schema(
        operation_id="biobanks_members_list",
        summary="Members of a biobank",
        description="One row per role of a person (in the order they were granted). Every member of the biobank "
        "may list its team; API tokens never see people.",
        parameters=[CODE_PARAMETER],
        responses={200: MembershipSerializer(many=True), **problem_responses(400, 403, 404, *READ_PROBLEMS)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="biobanks_members_create",
        summary="Give a person a role",
        description="Grants `role` to the person with `email`; an unknown e-mail gets an account and an e-mail "
        "with a link to set a password. Needs `manage_members` (never given to API tokens). Nobody grants a role to "
        "themselves (400). A role that reads identities (`identity_steward`) is only requested: the answer is 202 "
        "with the pending request, which a different admin approves (`…/role-grants/{id}/approve/`).",
        parameters=[CODE_PARAMETER],
        request=MemberGrantInputSerializer,
        responses={
            201: MembershipSerializer,
            202: RoleGrantSerializer,
            **problem_responses(403, 404, 409, *WRITE_PROBLEMS),
        },
        examples=[
            OpenApiExample(
                "Grant a role",
                request_only=True,
                value={"email": "tech@example.org", "role": "technician", "full_name": "Tom Tech"},
            ),
            OpenApiExample(
                "Granted",
                response_only=True,
                status_codes=["201"],
                value={
                    "id": 42,
                    "email": "tech@example.org",
                    "full_name": "Tom Tech",
                    "role": "technician",
                    "granted_at": "2025-01-31T12:00:00Z",
                    "granted_by": "admin@example.org",
                },
            ),
        ],
    )
    def post(self, request: AuthenticatedRequest, code: str) -> Response:
        biobank = visible_biobank(request, code)
        require_any_perm(request, biobank, frozenset({Perm.MANAGE_MEMBERS}), "manage the members")
        serializer = MemberGrantInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person = User.objects.filter(email__iexact=data["email"]).first()
        result: Membership | RoleGrant
        if person is None:
            person, _ = services.member_add(
                actor=person_of(request),
                biobank=biobank,
                email=data["email"],
                full_name=data["full_name"],
                roles=[data["role"]],
            )
            result = Membership.objects.filter(
                user=person, biobank=biobank, role=data["role"]
            ).first() or RoleGrant.objects.filter(user=person, biobank=biobank, role=data["role"]).latest("pk")
        else:
            result = services.membership_grant(
                actor=person_of(request), biobank=biobank, user=person, role=data["role"]
            )
        if isinstance(result, RoleGrant):
            grant = RoleGrant.objects.select_related("user", "requested_by", "decided_by").get(pk=result.pk)
            return Response(RoleGrantSerializer(grant).data, status=status.HTTP_202_ACCEPTED)
        membership = Membership.objects.select_related("user", "granted_by").get(pk=result.pk)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class MemberDetailView(APIView):
    @extend_schema(
        operation_id="biobanks_members_destroy",
        summary="Take a role away",
        description="Removes one membership (one role of one person). The last biobank admin cannot be removed (409). "
        "Needs `manage_members`.",
        parameters=[
            CODE_PARAMETER,
            OpenApiParameter("membership_id", int, OpenApiParameter.PATH, description="`id` from the member list."),
        ],
        request=None,
        responses={204: None, **problem_responses(400, 403, 404, 409, *READ_PROBLEMS)},
    )
    def delete(self, request: AuthenticatedRequest, code: str, membership_id: int) -> Response:
        biobank = visible_biobank(request, code)
        require_any_perm(request, biobank, frozenset({Perm.MANAGE_MEMBERS}), "manage the members")
        try:
            membership = Membership.objects.select_related("user", "biobank").get(pk=membership_id, biobank=biobank)
        except Membership.DoesNotExist:
            raise exceptions.NotFound(f"No membership {membership_id} in {biobank.code}.") from None
        services.membership_revoke(actor=person_of(request), membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


GRANT_PARAMETER = OpenApiParameter(
    "grant_id", int, OpenApiParameter.PATH, description="`id` of a pending request from the role-grant list."
)


def _pending_grant(request: AuthenticatedRequest, code: str, grant_id: int) -> RoleGrant:
    biobank = visible_biobank(request, code)
    require_any_perm(request, biobank, frozenset({Perm.MANAGE_MEMBERS}), "decide the requested roles")
    grant = selectors.role_grants_pending_of_biobank(user=request.user, biobank=biobank).filter(pk=grant_id).first()
    if grant is None:
        raise exceptions.NotFound(f"No pending role request {grant_id} in {biobank.code}.")
    return grant


class RoleGrantListView(generics.ListAPIView):
    request: AuthenticatedRequest  # IsAuthenticated (the default) ran: a person or an API token
    serializer_class = RoleGrantSerializer
    cursor_ordering = "pk"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return RoleGrant.objects.none()
        biobank = visible_biobank(self.request, self.kwargs["code"])
        require_any_perm(self.request, biobank, frozenset({Perm.MANAGE_MEMBERS}), "see the requested roles")
        return selectors.role_grants_pending_of_biobank(user=self.request.user, biobank=biobank)

    @extend_schema(
        operation_id="biobanks_role_grants_list",
        summary="Roles awaiting approval",
        description="Requested roles that read identities and wait for a second admin (four eyes). "
        "Needs `manage_members`.",
        parameters=[CODE_PARAMETER],
        responses={200: RoleGrantSerializer(many=True), **problem_responses(400, 403, 404, *READ_PROBLEMS)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class RoleGrantApproveView(APIView):
    @extend_schema(
        operation_id="biobanks_role_grants_approve",
        summary="Approve a requested role",
        description="A different admin of the biobank (not the one who asked, not the person concerned) or a "
        "superuser lets the role take effect. Needs `manage_members`.",
        parameters=[CODE_PARAMETER, GRANT_PARAMETER],
        request=None,
        responses={201: MembershipSerializer, **problem_responses(403, 404, 409, *WRITE_PROBLEMS)},
    )
    def post(self, request: AuthenticatedRequest, code: str, grant_id: int) -> Response:
        pending = _pending_grant(request, code, grant_id)  # a 404 before anything else, as for everyone
        membership = services.role_grant_approve(actor=person_of(request), grant=pending)
        membership = Membership.objects.select_related("user", "granted_by").get(pk=membership.pk)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class RoleGrantRejectView(APIView):
    @extend_schema(
        operation_id="biobanks_role_grants_reject",
        summary="Reject a requested role",
        description="Any admin of the biobank but the person concerned turns the request down (the admin who asked "
        "may withdraw it). Needs `manage_members`.",
        parameters=[CODE_PARAMETER, GRANT_PARAMETER],
        request=None,
        responses={200: RoleGrantSerializer, **problem_responses(403, 404, 409, *WRITE_PROBLEMS)},
    )
    def post(self, request: AuthenticatedRequest, code: str, grant_id: int) -> Response:
        pending = _pending_grant(request, code, grant_id)  # a 404 before anything else, as for everyone
        grant = services.role_grant_reject(actor=person_of(request), grant=pending)
        grant = RoleGrant.objects.select_related("user", "requested_by", "decided_by").get(pk=grant.pk)
        return Response(RoleGrantSerializer(grant).data)
