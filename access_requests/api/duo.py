"""``POST /api/v1/duo/match``: DUO matching after DUOS V4 for partner systems (issue 14, item 3). No login.

Anyone may call it (``AllowAny``), within the per-client rate limit of every API call (``PrincipalRateThrottle``:
anonymous callers are counted per address). Only bearer tokens authenticate here, never the browser's session, so
no CSRF token is needed (DRF checks CSRF only for session-authenticated requests). Nothing is read from or written
to the database. Bad input is a 400 problem+json whose ``errors`` point at the value (``/dataset/terms/1``) and say
what is allowed.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access_requests.duo import Purpose, duo_match
from access_requests.duo.matcher import SENSITIVE_FLAGS
from access_requests.duo.ontology import CurieError, curie_normalise
from access_requests.duo.service import dataset_from_terms
from access_requests.duo.terms import TermError, allowed_terms_text, term_resolve
from biobank.accounts.authentication import BearerTokenAuthentication
from biobank.api.exceptions import PROBLEM_CONTENT_TYPE
from biobank.api.schema import problem_responses
from biobank.api.serializers import InputSerializer
from biobank.api.throttling import PrincipalRateThrottle

MAX_ITEMS = 100
MAX_ANCESTOR_ENTRIES = 1000
MAX_TEXT = 4000
DECISIONS = ["APPROVE", "DENY", "ABSTAIN"]
RESULTS = [*DECISIONS, "NOT_APPLICABLE"]


class StrictBooleanField(serializers.BooleanField):
    """JSON ``true`` or ``false`` only: ``"yes"``, ``1`` or ``"true"`` are refused rather than guessed."""

    default_error_messages = {"invalid": gettext_lazy("Must be JSON true or false.")}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictTextField(serializers.CharField):
    """A JSON string (or null where allowed): a number or a boolean is refused rather than taken as its text."""

    default_error_messages = {"invalid": gettext_lazy("Must be a JSON string (free text) or null.")}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def _text(help_text: str) -> StrictTextField:
    return StrictTextField(required=False, allow_null=True, allow_blank=True, max_length=MAX_TEXT, help_text=help_text)


class DuoTermField(serializers.CharField):
    """A DUO term as its id (``DUO:0000007``) or shorthand (``DS``); the value is the canonical id."""

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        try:
            return term_resolve(text).id
        except TermError as error:
            raise serializers.ValidationError(str(error), code="duo_term") from None


class CurieField(serializers.CharField):
    """A disease CURIE (``ICD10:E11.9``, ``ORPHA:558``, ``DOID:162``; ICD-10 also bare or ``urn:miriam:icd:``)."""

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        try:
            return curie_normalise(text)
        except CurieError as error:
            raise serializers.ValidationError(str(error), code="curie") from None


def _curies(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=CurieField(max_length=200), max_length=MAX_ITEMS, default=list, **kwargs)


class DatasetInSerializer(InputSerializer):
    terms = serializers.ListField(
        child=DuoTermField(max_length=20),
        max_length=MAX_ITEMS,
        help_text="DUO ids or shorthands: a permission (GRU, HMB, DS, POA, NRES) and any modifiers; a dataset with "
        "modifiers only (NPU, say) is matched as DUOS V4 matches it.",
    )
    diseases = _curies(help_text="The DS diseases as CURIEs; required with DS, refused without it.")
    other = _text("Other limitation, free text (a string or null).")
    secondary_other = _text("Secondary limitation, free text (a string or null).")


def _flag(help_text: str) -> StrictBooleanField:
    return StrictBooleanField(required=False, default=False, help_text=help_text)


class PurposeInSerializer(InputSerializer):
    general_research = _flag("General research use (GRU).")
    hmb = _flag("Health/medical/biomedical research (HMB).")
    population_origins = _flag("Population origins or ancestry research (POA).")
    methods = _flag("Methods development (software, algorithms).")
    commercial = StrictBooleanField(
        required=False, allow_null=True, default=None, help_text="For profit; null or absent: not stated."
    )
    control_set = _flag("Use as a control set (DUOS abstains).")
    population_variation = _flag("Study of variation in the general population (DUOS abstains).")
    gender = _flag("Research focused on one gender (DUOS abstains).")
    pediatric = _flag("Pediatric research (DUOS abstains).")
    vulnerable_populations = _flag("Research on vulnerable populations (DUOS abstains).")
    illegal_behavior = _flag("Research on illegal behaviour (DUOS abstains).")
    sexual_diseases = _flag("Research on sexual diseases (DUOS abstains).")
    psychological_traits = _flag("Research on psychological traits (DUOS abstains).")
    not_health = _flag("Research not about health (DUOS abstains).")
    stigmatizing_diseases = _flag("Research on stigmatizing diseases (DUOS abstains).")
    diseases = _curies(help_text="The purpose's diseases as CURIEs (a disease-specific purpose).")
    other = _text("Free text for the committee (a string or null).")


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "description": "{CURIE: [ancestor CURIEs]} for diseases outside ICD-10 (ORPHA, DOID, MONDO), followed "
        "transitively; direct parents are enough. An entry keyed by an ICD-10 code is ignored (ICD-10 ancestry is "
        "built in); a disease named only as an ancestor is a root.",
        "example": {"DOID:10155": ["DOID:3119"], "DOID:3119": ["DOID:162"]},
    }
)
class AncestorsField(serializers.Field):
    default_error_messages = {
        "invalid": gettext_lazy("Must be an object mapping a disease CURIE to a list of ancestor CURIEs."),
        "too_many": gettext_lazy("At most %(max)d entries (keys plus ancestors)."),
    }

    def to_internal_value(self, data: Any) -> dict[str, list[str]]:
        if not isinstance(data, dict):
            self.fail("invalid")
        errors: dict[str, Any] = {}
        result: dict[str, list[str]] = {}
        total = len(data) + sum(len(v) for v in data.values() if isinstance(v, list))
        if total > MAX_ANCESTOR_ENTRIES:
            self.fail("too_many", max=MAX_ANCESTOR_ENTRIES)
        for key, parents in data.items():
            try:
                curie = curie_normalise(key)
            except CurieError as error:
                errors[key] = [str(error)]
                continue
            if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
                errors[key] = [_("Must be a list of ancestor CURIEs (strings).")]
                continue
            normalised, bad = [], {}
            for index, parent in enumerate(parents):
                try:
                    normalised.append(curie_normalise(parent))
                except CurieError as error:
                    bad[str(index)] = [str(error)]
            if bad:
                errors[key] = bad
                continue
            result.setdefault(curie, []).extend(normalised)
        if errors:
            raise serializers.ValidationError(errors)
        return result

    def to_representation(self, value: Any) -> Any:
        return value


class MatchInSerializer(InputSerializer):
    dataset = DatasetInSerializer()
    purpose = PurposeInSerializer()
    ancestors = AncestorsField(required=False, default=dict)


@extend_schema_field({"type": "string", "enum": RESULTS})
class ResultField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "enum": DECISIONS})
class DecisionField(serializers.CharField):
    pass


class CheckOutSerializer(serializers.Serializer):
    check = serializers.CharField(help_text="disease, hmb_gru, population_origins, methods, non_profit, ...")
    # DRF takes declared fields off the class, so these names do not clash with Field.label/.source at run time.
    label = serializers.CharField()  # type: ignore[assignment]
    result = ResultField(help_text="NOT_APPLICABLE counts as APPROVE.")
    reason = serializers.CharField(help_text="What was checked and why this result.")
    source = serializers.CharField(  # type: ignore[assignment]
        help_text='"DUOS V4" for V4\'s rules, "portal" for the portal\'s own checks.'
    )


class ConditionOutSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="DUO shorthand (IRB, GS, ...) or OTHER for a free-text limitation.")
    duo_id = serializers.CharField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]
    detail = serializers.CharField(allow_blank=True)


class MatchOutSerializer(serializers.Serializer):
    decision = DecisionField()
    rationale = CheckOutSerializer(many=True)
    conditions = ConditionOutSerializer(many=True, help_text="Proposed conditions for the committee.")


REQUEST_EXAMPLE = {
    "dataset": {"terms": ["DS", "IRB"], "diseases": ["ICD10:E11"], "other": None, "secondary_other": None},
    "purpose": {"methods": False, "commercial": False, "diseases": ["ICD10:E11.9"], "other": "Insulin response"},
    "ancestors": {},
}
BAD_EXAMPLE = {
    "type": "/api/problems/validation-error",
    "title": "Invalid input",
    "status": 400,
    "detail": "/dataset/terms/1: 'XYZ' is not a DUO term; allowed: DUO:0000042 (GRU), ...",
    "instance": "/api/v1/duo/match",
    "request_id": "6f1c0c7e2b0f4c6b9d1d8f3e5a7b9c1d",
    "errors": [
        {
            "pointer": "/dataset/terms/1",
            "message": "'XYZ' is not a DUO term; allowed: DUO:0000042 (GRU), ...",
            "code": "duo_term",
        }
    ],
}


def _response_example() -> dict[str, Any]:
    dataset = dataset_from_terms(terms=["DS", "IRB"], diseases=["ICD10:E11"])
    return duo_match(dataset, Purpose(commercial=False, diseases=("ICD10:E11.9",), other="Insulin response")).as_dict()


class DuoMatchView(APIView):
    """No login; the rate limit of every API caller (anonymous: per client address)."""

    permission_classes = [AllowAny]
    authentication_classes = [BearerTokenAuthentication]  # no session, so no CSRF check
    throttle_classes = [PrincipalRateThrottle]

    @extend_schema(
        operation_id="duo_match",
        tags=["duo"],
        auth=[],
        summary="Match a research purpose against a dataset's DUO terms (DUOS V4)",
        description="APPROVE, DENY or ABSTAIN as the DUOS algorithm V4 decides, with one rationale entry per check "
        "(`source` says whether the rule is V4's or the portal's) and the dataset's modifiers that need a person "
        "(GS, MOR, PUB, COL, IRB, US, PS, IS, RTN, TS, GSO, RS; free-text limitations) as proposed `conditions` "
        "(they turn an APPROVE into ABSTAIN; a DENY stays DENY). The other checks combine as V4 does: all approve "
        "→ APPROVE, else any ABSTAIN → ABSTAIN, else DENY. ICD-10 (WHO 2019) ancestry is built in (entries of "
        "`ancestors` keyed by an ICD-10 code are ignored); pass `ancestors` for other ontologies. A purpose disease "
        "found neither in ICD-10 nor anywhere in `ancestors` abstains. Sensitive purpose flags ("
        + ", ".join(f"`{f}`" for f in SENSITIVE_FLAGS)
        + ") always abstain. DUO terms: "
        + allowed_terms_text()
        + ". No login, no CSRF token.",
        request=MatchInSerializer,
        examples=[OpenApiExample("Type 2 diabetes on a DS dataset", value=REQUEST_EXAMPLE, request_only=True)],
        responses={
            200: OpenApiResponse(
                MatchOutSerializer,
                examples=[OpenApiExample("Abstains on IRB", value=_response_example(), response_only=True)],
            ),
            (400, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                description="A value not understood (unknown DUO term, bad CURIE, wrong type), one entry each.",
                examples=[
                    OpenApiExample("Unknown DUO term", value=BAD_EXAMPLE, response_only=True, status_codes=["400"])
                ],
                response=problem_responses(400)[(400, PROBLEM_CONTENT_TYPE)].response,
            ),
            **problem_responses(415, 429),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = MatchInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        given = data["dataset"]
        dataset = dataset_from_terms(
            terms=given["terms"],
            diseases=given["diseases"],
            other=given.get("other") or "",
            secondary_other=given.get("secondary_other") or "",
        )
        flags = {k: v for k, v in data["purpose"].items() if k not in ("diseases", "other")}
        purpose = Purpose(
            **flags,
            diseases=tuple(dict.fromkeys(data["purpose"]["diseases"])),
            other=data["purpose"].get("other") or "",
        )
        result = duo_match(dataset, purpose, data["ancestors"])
        return Response(MatchOutSerializer(result.as_dict()).data)


class DuoMatchSlashView(DuoMatchView):
    """``/api/v1/duo/match/`` answers like ``/api/v1/duo/match`` (partners add the slash)."""

    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        return super().post(request)
