"""The donor's own API (``/api/v1/me/…``): what a signed-in donor sees about themselves and what they change.

The same reads and writes as the donor portal's pages (``consent/portal/``), through the same selectors
(``consent.selectors.portal``) and services (``consent.services.portal``). Only a browser session of a person with a
donor account gets these endpoints: to everyone else (staff, researchers, partner-system tokens) they do not exist,
so they answer 404 exactly like an unknown path; without credentials 401, like the rest of the API. Every object is
looked up within the donor's merge family: another donor's consent, receipt or message is a 404, whatever the id.
Answers are in the account's language (``Content-Language``).

``/api/v1/me/`` itself stays "who is calling" (``biobank.accounts.api``) for every caller; the donor's overview is
``/api/v1/me/overview/``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.utils import translation
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, renderers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from biobank.accounts.principals import AuthenticatedRequest
from biobank.api.etags import ETagMixin
from biobank.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, REPLAYED_RESPONSE_HEADER, idempotent
from biobank.api.schema import (
    ETAG_RESPONSE_HEADER,
    IF_MATCH_PARAMETER,
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    problem_responses,
)
from biobank.errors import DomainError

from ..models import Consent, DonorAccount, DonorMessage
from ..selectors.portal import (
    account_of,
    portal_consent,
    portal_consents,
    portal_history,
    portal_messages,
    portal_overview,
    portal_projects,
)
from ..services.portal import (
    donor_choice_change,
    donor_message_mark_read,
    donor_preferences_update,
    donor_receipt_read,
    donor_self_withdraw,
)
from .portal_serializers import (
    MyChoiceInputSerializer,
    MyChoiceResultSerializer,
    MyConsentDetailSerializer,
    MyConsentSerializer,
    MyHistoryEntrySerializer,
    MyMessageDetailSerializer,
    MyMessageSerializer,
    MyOverviewSerializer,
    MyPreferencesInputSerializer,
    MyPreferencesSerializer,
    MyProjectSerializer,
    MyPropagationSerializer,
    MyWithdrawalInputSerializer,
    consent_data,
    consent_detail_data,
    list_of,
    overview_data,
)

TAGS = ["donor portal"]
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The id of one of your own records.")
ONLY_DONORS = (
    "Only for a signed-in donor (a browser session of a donor-portal account); for anyone else this endpoint does "
    "not exist (404)."
)
DONOR_READ = problem_responses(404, *READ_PROBLEMS)
DONOR_WRITE = problem_responses(403, 404, 409, *WRITE_PROBLEMS)


class DonorOnly:
    """The donor's endpoints: the account of the signed-in person, or 404 as for a path that does not exist."""

    account: DonorAccount
    _language: Any = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]  # APIView: sign-in (401), throttles
        account = account_of(request.user)
        if account is None:
            raise exceptions.NotFound(f"No API resource at {request.path}; see /api/docs/ for the endpoints.")
        self.account = account
        self._language = translation.override(account.language)
        self._language.__enter__()

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if self._language is not None:
            response["Content-Language"] = self.account.language
            response.setdefault("Cache-Control", "private, no-store")
            self._language.__exit__(None, None, None)
            self._language = None
        return response


def own_consent(account: DonorAccount, consent_id: int) -> Consent:
    """One of the donor's consents; 404 for any other id (another donor's and a made-up one alike)."""
    try:
        return portal_consent(account, consent_id)
    except Consent.DoesNotExist:
        raise exceptions.NotFound(_("You have no consent %(id)s.") % {"id": consent_id}) from None


# --- reads ----------------------------------------------------------------------------------------------------------


class OverviewView(DonorOnly, APIView):
    @extend_schema(
        operation_id="me_overview",
        summary="Your consent today",
        description="The answer per part of the forms in force (with the form to change it through), the forms you "
        "signed, a standing withdrawal, newer versions you may sign, unread messages, and whether a withdrawal is "
        f"still being carried out. {ONLY_DONORS}",
        tags=TAGS,
        responses={200: MyOverviewSerializer, **DONOR_READ},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        overview = portal_overview(self.account)
        return Response(MyOverviewSerializer(overview_data(overview, self.account.language)).data)


class ConsentListView(DonorOnly, generics.ListAPIView):
    cursor_ordering = ("-signed_on", "-pk")

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Consent.objects.none()
        return portal_consents(self.account)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = [consent_data(consent, self.account.language) for consent in page or []]
        return self.get_paginated_response(MyConsentSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="me_consents_list",
        summary="The consents you gave",
        description="Every form you signed (on paper, on screen or here), newest first, with your answer per part; "
        f"cursor-paginated. {ONLY_DONORS}",
        tags=TAGS,
        responses={200: MyConsentSerializer(many=True), **problem_responses(400, 404, *READ_PROBLEMS)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ConsentDetailView(DonorOnly, APIView):
    @extend_schema(
        operation_id="me_consents_retrieve",
        summary="One consent you gave, as signed",
        description=f"The form's text and each part's text in the language you signed it in, and your answers. "
        f"Another donor's consent is a 404. {ONLY_DONORS}",
        tags=TAGS,
        parameters=[ID_PARAMETER],
        responses={200: MyConsentDetailSerializer, **DONOR_READ},
    )
    def get(self, request: AuthenticatedRequest, id: int) -> Response:
        consent = own_consent(self.account, id)
        return Response(MyConsentDetailSerializer(consent_detail_data(consent, self.account.language)).data)


class PdfRenderer(renderers.BaseRenderer):
    """Lets ``Accept: application/pdf`` through content negotiation; a problem (a dict) is still JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, bytes):
            return data
        return json.dumps(data, default=str).encode()


class ConsentReceiptView(DonorOnly, APIView):
    renderer_classes = [renderers.JSONRenderer, PdfRenderer]

    @extend_schema(
        operation_id="me_consents_receipt",
        summary="The receipt of a consent you gave (PDF)",
        description="Your copy of the signed form. Each read is recorded in the audit trail. 404 for another donor's "
        f"consent, and while the receipt is not made yet (a paper form has none). {ONLY_DONORS}",
        tags=TAGS,
        parameters=[ID_PARAMETER],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The receipt PDF."),
            **DONOR_READ,
        },
    )
    def get(self, request: AuthenticatedRequest, id: int) -> HttpResponse:
        consent = own_consent(self.account, id)
        try:
            data = donor_receipt_read(account=self.account, consent=consent)
        except DomainError as error:  # no receipt (yet)
            raise exceptions.NotFound(error.message) from None
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="my-consent-{consent.pk}.pdf"'
        return response


class HistoryView(DonorOnly, APIView):
    @extend_schema(
        operation_id="me_history",
        summary="Everything that happened to your consent",
        description="Newest first, in plain sentences: forms signed, changes, withdrawals and how each was carried "
        f"out, messages sent to you. The whole history in one page. {ONLY_DONORS}",
        tags=TAGS,
        responses={200: list_of(MyHistoryEntrySerializer), **DONOR_READ},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        entries = [
            {"day": e.day, "at": e.at, "kind": e.kind, "text": e.text, "by": e.by} for e in portal_history(self.account)
        ]
        return Response({"next": None, "previous": None, "results": MyHistoryEntrySerializer(entries, many=True).data})


class ProjectsView(DonorOnly, APIView):
    @extend_schema(
        operation_id="me_projects",
        summary="Research projects that received your samples or data",
        description="Approved projects (title, institution, purpose, dates); empty until the biobank has released "
        f"anything of yours. {ONLY_DONORS}",
        tags=TAGS,
        responses={200: list_of(MyProjectSerializer), **DONOR_READ},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        projects = MyProjectSerializer(portal_projects(self.account), many=True).data
        return Response({"next": None, "previous": None, "results": projects})


class MessageListView(DonorOnly, generics.ListAPIView):
    serializer_class = MyMessageSerializer
    cursor_ordering = "-pk"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return DonorMessage.objects.none()
        return portal_messages(self.account)

    @extend_schema(
        operation_id="me_messages_list",
        summary="Messages to you",
        description=f"Newest first, cursor-paginated; `read_at` is empty until you open one. {ONLY_DONORS}",
        tags=TAGS,
        responses={200: MyMessageSerializer(many=True), **problem_responses(400, 404, *READ_PROBLEMS)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class MessageDetailView(DonorOnly, APIView):
    @extend_schema(
        operation_id="me_messages_retrieve",
        summary="One message to you (marks it read)",
        description=f"The whole message; the first read sets `read_at`. Another donor's message is a 404. "
        f"{ONLY_DONORS}",
        tags=TAGS,
        parameters=[ID_PARAMETER],
        responses={200: MyMessageDetailSerializer, **DONOR_READ},
    )
    def get(self, request: AuthenticatedRequest, id: int) -> Response:
        message = portal_messages(self.account).filter(pk=id).first()
        if message is None:
            raise exceptions.NotFound(_("You have no message %(id)s.") % {"id": id})
        message = donor_message_mark_read(account=self.account, message=message)
        return Response(MyMessageDetailSerializer(message).data)


# --- writes ---------------------------------------------------------------------------------------------------------


class ChoiceChangeView(DonorOnly, APIView):
    @extend_schema(
        operation_id="me_choices_create",
        summary="Change your answer for one part of a consent",
        description="Name one of your consents and the part. Agreeing (again), or any change other than declining "
        "an agreement, signs a new consent here with every other answer carried over: type your full name as "
        "`signer_name` (the answer is `result: consent` with the new consent, and a `Location`). Declining a part you "
        "agreed to withdraws it from today (`result: withdrawal`, with the propagation to the biobank's systems). "
        "A required part cannot be declined (withdraw instead); an answer that is already so is a 409; another "
        "donor's consent is a 404. Send an `Idempotency-Key` to retry safely. " + ONLY_DONORS,
        tags=TAGS,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, REPLAYED_RESPONSE_HEADER],
        request=MyChoiceInputSerializer,
        responses={201: MyChoiceResultSerializer, **DONOR_WRITE},
        examples=[
            OpenApiExample(
                "Decline recontact",
                request_only=True,
                value={"consent": 12, "module": "recontact", "choice": "declined"},
            ),
            OpenApiExample(
                "Agree to recontact again",
                request_only=True,
                value={"consent": 12, "module": "recontact", "choice": "accepted", "signer_name": "Jane Schmidt"},
            ),
        ],
    )
    def post(self, request: AuthenticatedRequest) -> Any:
        return idempotent(request, lambda: self._change(request))

    def _change(self, request: AuthenticatedRequest) -> Response:
        body = MyChoiceInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        consent = own_consent(self.account, data["consent"])
        result = donor_choice_change(
            account=self.account,
            consent=consent,
            module_code=data["module"],
            choice=data["choice"],
            signer_name=data.get("signer_name", ""),
        )
        if isinstance(result, Consent):
            signed = portal_consent(self.account, result.pk)
            signed_data = consent_data(signed, self.account.language)
            response = Response(
                MyChoiceResultSerializer({"result": "consent", "consent": signed_data, "propagation": None}).data,
                status=status.HTTP_201_CREATED,
            )
            response["Location"] = reverse("api-me-consent-detail", kwargs={"id": signed.pk}, request=request)
            return response
        answer: dict[str, Any] = {"result": "withdrawal", "consent": None, "propagation": result}
        return Response(MyChoiceResultSerializer(answer).data, status=status.HTTP_201_CREATED)


class WithdrawalView(DonorOnly, APIView):
    @extend_schema(
        operation_id="me_withdrawals_create",
        summary="Withdraw your consent",
        description="At a level (`no_further_contact`, `no_further_access`, `no_further_use`), or from one part of a "
        "consent (`consent` and `module`); `words` is optional. Effective today. The answer is the propagation: "
        "what the biobank's systems still have to do (`status: pending` until done; see `GET /api/v1/me/history/`). "
        "A withdrawal you already made is a 409 and changes nothing. Send an `Idempotency-Key` to retry safely. "
        + ONLY_DONORS,
        tags=TAGS,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, REPLAYED_RESPONSE_HEADER],
        request=MyWithdrawalInputSerializer,
        responses={201: MyPropagationSerializer, **DONOR_WRITE},
        examples=[
            OpenApiExample("No further use", request_only=True, value={"level": "no_further_use"}),
            OpenApiExample("One part", request_only=True, value={"consent": 12, "module": "recontact"}),
        ],
    )
    def post(self, request: AuthenticatedRequest) -> Any:
        return idempotent(request, lambda: self._withdraw(request))

    def _withdraw(self, request: AuthenticatedRequest) -> Response:
        body = MyWithdrawalInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        consent = own_consent(self.account, data["consent"]) if data.get("consent") else None
        propagation = donor_self_withdraw(
            account=self.account,
            level=data.get("level", ""),
            consent=consent,
            module_code=data.get("module", ""),
            words=data.get("words", ""),
        )
        return Response(MyPropagationSerializer(propagation).data, status=status.HTTP_201_CREATED)


PREFERENCES = ("notify_news", "notify_results", "notify_recontact", "language")


class PreferencesView(DonorOnly, ETagMixin, APIView):
    def etag(self, obj: Any) -> str:
        """The account has no version field: the tag is a digest of the preferences themselves."""
        values = ":".join(str(getattr(obj, name)) for name in PREFERENCES)
        return quote_etag(hashlib.sha256(f"{obj.pk}:{values}".encode()).hexdigest()[:32])

    @extend_schema(
        operation_id="me_preferences_retrieve",
        summary="Your notification preferences and language",
        description=ONLY_DONORS,
        tags=TAGS,
        parameters=[ETAG_RESPONSE_HEADER],
        responses={
            200: MyPreferencesSerializer,
            304: OpenApiResponse(description="Your copy (`If-None-Match`) is current."),
            **DONOR_READ,
        },
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        return self.etag_read(request, self.account, MyPreferencesSerializer(self.account).data)

    @extend_schema(
        operation_id="me_preferences_update",
        summary="Set your notification preferences and language",
        description="Every field. The language is that of these answers, of the portal and of every message to you. "
        + ONLY_DONORS,
        tags=TAGS,
        parameters=[IF_MATCH_PARAMETER, ETAG_RESPONSE_HEADER],
        request=MyPreferencesInputSerializer,
        responses={200: MyPreferencesSerializer, **problem_responses(403, 404, 412, *WRITE_PROBLEMS)},
    )
    def put(self, request: AuthenticatedRequest) -> Response:
        return self._update(request, partial=False)

    @extend_schema(
        operation_id="me_preferences_partial_update",
        summary="Change some of your notification preferences",
        description="Send only what changes. " + ONLY_DONORS,
        tags=TAGS,
        parameters=[IF_MATCH_PARAMETER, ETAG_RESPONSE_HEADER],
        request=MyPreferencesInputSerializer(partial=True),
        responses={200: MyPreferencesSerializer, **problem_responses(403, 404, 412, *WRITE_PROBLEMS)},
    )
    def patch(self, request: AuthenticatedRequest) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: AuthenticatedRequest, *, partial: bool) -> Response:
        body = MyPreferencesInputSerializer(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            current = DonorAccount.objects.select_for_update().get(pk=self.account.pk)
            self.check_if_match(request, current)
            values = {name: getattr(current, name) for name in PREFERENCES} | dict(body.validated_data)
            account = donor_preferences_update(account=current, **values)
        self.account = account
        if account.language != translation.get_language():
            translation.activate(account.language)  # the answer already in the chosen language
        return self.with_etag(Response(MyPreferencesSerializer(account).data), account)
