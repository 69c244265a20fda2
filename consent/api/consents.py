"""Consent API: the consent gate for partner systems (single and bulk), signed consents and templates (read).

Consents are created through the capture flow on the staff pages (signatures need a person in front of a screen).
Everything here needs ``view_donors`` (people by role, partner systems by token grant); a donor, consent or template
of another biobank is a 404; a PID with a wrong check character is a 400 that says so.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from biobank.accounts.choices import Perm
from biobank.accounts.principals import AuthenticatedRequest
from biobank.accounts.selectors import biobank_ids_with_perm, biobanks_with_perm
from biobank.api.schema import READ_PROBLEMS, WRITE_PROBLEMS, problem_responses
from biobank.errors import DomainError

from .. import gate, selectors
from ..duo import duo_purpose_resolve
from ..models import Consent, Donor, Policy, Template
from .consent_serializers import (
    BulkCheckInputSerializer,
    BulkResultSerializer,
    CheckQuerySerializer,
    ConsentSerializer,
    GateAnswerSerializer,
    TemplateSerializer,
)

DUO_ID = re.compile(r"^DUO:\d{7}$")
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The record's id.")
ANSWER_EXAMPLE = {
    "donor": "7KQ2M-X9TRB-3",
    "current_donor": "7KQ2M-X9TRB-3",
    "asked_pid": None,
    "purpose": "biomat-use",
    "at": "2025-03-01",
    "as_known_at": "2025-03-01T12:00:00+01:00",
    "answer": "denied",
    "permitted": False,
    "code": "withdrawn",
    "reason": "Policy biomat-use was withdrawn (module biomaterial) from 2025-02-14 on.",
    "conditions": [],
    "states": [
        {
            "consent": 12,
            "policy": "biomat-use",
            "policy_version": "1",
            "module": "biomaterial",
            "origin": "withdrawal",
            "state": "withdrawn",
            "valid_from": "2025-02-14",
            "valid_to": None,
            "recorded_at": "2025-02-14T09:12:00+01:00",
        }
    ],
}


def _require_view_donors(request: AuthenticatedRequest) -> None:
    if not biobanks_with_perm(user=request.user, perm=Perm.VIEW_DONORS).exists():
        raise exceptions.PermissionDenied(_("Checking consent needs the permission view_donors in a biobank."))


QUESTION_FIELDS = (
    "data_class",
    "action",
    "disease",
    "for_profit_organisation",
    "commercial_use",
    "methods_development",
)


def _purpose(value: str, *, biobank_ids: Any, query: dict[str, Any]) -> dict[str, Any]:
    """The gate's question: a DUO purpose with what is used and how, or ``{"policy": code}``; an unknown purpose or a
    DUO purpose without its data class is a 400 naming what is allowed."""
    value = (value or "").strip()
    if DUO_ID.match(value):
        try:
            purpose = duo_purpose_resolve(value).id
        except DomainError as error:
            raise DomainError(error.message, field="purpose", code=error.code) from None
        ask: dict[str, Any] = {"duo_purpose": purpose, **{k: query.get(k) for k in QUESTION_FIELDS}}
        gate.question(**ask)  # checks data_class and action once, before any donor is looked at
        return ask
    known = Policy.objects.filter(Q(biobank__in=biobank_ids) | Q(biobank__isnull=True), code=value)
    if not value or not known.exists():
        raise DomainError(
            _(
                "Unknown purpose %(value)s: give a consent policy code of the donor's biobank (e.g. "
                "biomat-use) or a DUO permission id (DUO:0000042 GRU, DUO:0000006 HMB, DUO:0000007 "
                "DS, DUO:0000011 POA)."
            )
            % {"value": repr(value)},
            field="purpose",
            code="purpose",
        )
    return {"policy": value}


def _answer(
    pid: str, purpose: str, at: date, known: datetime, result: gate.GateResult, asked_pid: str | None = None
) -> dict[str, Any]:
    return {
        "donor": pid,
        "current_donor": result.current_pid or pid,
        "asked_pid": asked_pid,
        "purpose": purpose,
        "at": at,
        "as_known_at": known,
        "answer": result.answer.value,
        "permitted": result.allowed,
        "code": result.code,
        "reason": result.reason,
        "conditions": list(result.conditions),
        "states": list(result.states),
    }


class ConsentCheckView(APIView):
    @extend_schema(
        operation_id="consent_check",
        summary="May this donor's material or data be used for a purpose?",
        description="The consent gate: `permitted`, `denied` or `unknown` for a policy code or DUO purpose at a "
        "date, as known at a moment (default now). The donor is the whole person: any PID of a merge family gives the "
        "family's answer (`current_donor` names the PID that stands for the person now). Unknown counts as denied "
        "(`permitted: false`). A withdrawal effective on day D denies use from D on, on every form, and does not "
        "change the answer for earlier days. A DUO purpose needs `data_class` (material or data) and takes `action`, "
        "`disease`, `for_profit_organisation`, `commercial_use`, `methods_development`; DUO modifiers that need a "
        "committee (PUB, IRB, GS, …) answer `denied` with `code: needs_committee` and the `conditions`.",
        parameters=[CheckQuerySerializer],
        responses={200: GateAnswerSerializer, **problem_responses(400, 403, 404, *READ_PROBLEMS)},
        examples=[OpenApiExample("Withdrawn", value=ANSWER_EXAMPLE, response_only=True)],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        _require_view_donors(request)
        query = CheckQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        pid = query.validated_data["donor"]
        try:
            donor = selectors.donor_get_for(user=request.user, pid=pid)
        except DomainError as error:
            raise DomainError(error.message, field="donor", code=error.code) from None
        except Donor.DoesNotExist:
            raise exceptions.NotFound(f"No donor {pid} that you may see.") from None
        purpose = query.validated_data["purpose"]
        ask = _purpose(purpose, biobank_ids=[donor.biobank_id], query=query.validated_data)
        at = query.validated_data.get("at") or timezone.localdate()
        known = query.validated_data.get("as_known_at") or timezone.now()
        result = gate.permitted(donor=donor, at=at, as_known_at=known, **ask)
        asked = selectors.earlier_pid(pid, donor)  # an earlier PID still names the donor; the answer says so
        return Response(GateAnswerSerializer(_answer(donor.pid, purpose, at, known, result, asked)).data)


class ConsentBulkCheckView(APIView):
    @extend_schema(
        operation_id="consent_check_bulk",
        summary="The consent gate for many donors",
        description="Up to 1000 PIDs in one request, answered in a constant number of queries. A PID that is "
        "malformed, has a wrong check character or names no donor you may see gets an `error` with a JSON "
        "pointer (`/donors/3`) instead of an answer; the others are answered.",
        request=BulkCheckInputSerializer,
        responses={200: BulkResultSerializer, **problem_responses(403, *WRITE_PROBLEMS)},
        examples=[
            OpenApiExample(
                "Three donors",
                request_only=True,
                value={
                    "donors": ["7KQ2M-X9TRB-3", "7KQ2M-X9TRD-F"],
                    "purpose": "DUO:0000006",
                    "data_class": "material",
                    "action": "use",
                    "at": "2025-03-01",
                },
            )
        ],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        _require_view_donors(request)
        body = BulkCheckInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        visible = biobank_ids_with_perm(user=request.user, perm=Perm.VIEW_DONORS)
        purpose = body.validated_data["purpose"]
        ask = _purpose(purpose, biobank_ids=visible, query=body.validated_data)
        at = body.validated_data.get("at") or timezone.localdate()
        known = body.validated_data.get("as_known_at") or timezone.now()
        canonical: dict[int, str] = {}
        errors: dict[int, dict[str, str]] = {}
        for index, pid in enumerate(body.validated_data["donors"]):
            try:
                canonical[index] = selectors.pid_canonical(pid)
            except DomainError as error:
                errors[index] = {"pointer": f"/donors/{index}", "message": error.message, "code": error.code}
        donors = selectors.donors_by_pids(user=request.user, pids=canonical.values())  # every PID a donor ever had
        answers = gate.permitted_many(donors=list(donors.values()), at=at, as_known_at=known, **ask)
        results = []
        for index, pid in enumerate(body.validated_data["donors"]):
            if index in errors:
                results.append({"donor": pid, "error": errors[index]})
                continue
            donor = donors.get(canonical[index])
            if donor is None:
                message = f"No donor {pid} that you may see."
                results.append(
                    {"donor": pid, "error": {"pointer": f"/donors/{index}", "message": message, "code": "not_found"}}
                )
                continue
            result = answers[donor.pk]
            results.append(
                {
                    "donor": donor.pid,
                    "current_donor": result.current_pid or donor.pid,
                    "asked_pid": canonical[index] if canonical[index] != donor.pid else None,  # an earlier PID
                    "answer": result.answer.value,
                    "permitted": result.allowed,
                    "code": result.code,
                    "reason": result.reason,
                    "conditions": list(result.conditions),
                }
            )
        data = {"purpose": purpose, "at": at, "as_known_at": known, "results": results}
        return Response(BulkResultSerializer(data).data)


def _consents(request: AuthenticatedRequest) -> Any:
    visible = biobank_ids_with_perm(user=request.user, perm=Perm.VIEW_DONORS)
    return selectors.consents_visible_to(user=request.user).filter(biobank__in=visible)


def _templates(request: AuthenticatedRequest) -> Any:
    return selectors.templates_visible_to(user=request.user)


class ConsentListView(generics.ListAPIView):
    request: AuthenticatedRequest  # IsAuthenticated (the default) ran: a person or an API token
    serializer_class = ConsentSerializer
    cursor_ordering = "-pk"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Consent.objects.none()
        return _consents(self.request)

    @extend_schema(
        operation_id="consents_list",
        summary="Signed consents you may see",
        description="Newest first, cursor-paginated. Needs `view_donors`. Names and signatures are not included.",
        responses={200: ConsentSerializer(many=True), **problem_responses(400, *READ_PROBLEMS)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ConsentDetailView(APIView):
    @extend_schema(
        operation_id="consents_retrieve",
        summary="One signed consent",
        parameters=[ID_PARAMETER],
        responses={200: ConsentSerializer, **problem_responses(404, *READ_PROBLEMS)},
    )
    def get(self, request: AuthenticatedRequest, id: int) -> Response:
        consent = _consents(request).filter(pk=id).first()
        if consent is None:
            raise exceptions.NotFound("No such consent, or you may not see it.")
        return Response(ConsentSerializer(consent).data)


class TemplateListView(generics.ListAPIView):
    request: AuthenticatedRequest  # IsAuthenticated (the default) ran: a person or an API token
    serializer_class = TemplateSerializer
    cursor_ordering = "-pk"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Template.objects.none()
        return _templates(self.request)

    @extend_schema(
        operation_id="consent_templates_list",
        summary="Consent template versions",
        description="Every version with its texts per language and its modules and policies (with DUO terms). "
        "Needs `view_donors` or `manage_consent`.",
        responses={200: TemplateSerializer(many=True), **problem_responses(400, *READ_PROBLEMS)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class TemplateDetailView(APIView):
    @extend_schema(
        operation_id="consent_templates_retrieve",
        summary="One consent template version",
        parameters=[ID_PARAMETER],
        responses={200: TemplateSerializer, **problem_responses(404, *READ_PROBLEMS)},
    )
    def get(self, request: AuthenticatedRequest, id: int) -> Response:
        template = _templates(request).filter(pk=id).first()
        if template is None:
            raise exceptions.NotFound("No such consent template, or you may not see it.")
        return Response(TemplateSerializer(template).data)
