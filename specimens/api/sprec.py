"""Public SPREC utilities for partner systems (issue 11, item 2): decode a code, derive one from facts. No login.

Anyone may call them (``AllowAny``), within the per-client rate limit of every API call (``PrincipalRateThrottle``:
anonymous callers are counted per address). They read nothing from the database. An invalid code or fact set is a
400 problem+json (``validation-error``) whose ``errors`` name every invalid position (``/code/3``) or fact
(``/centrifugation/g_force``), with its value and what is allowed; never a 500, whatever the input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ParseError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from biobank.api.exceptions import PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, _request_id, problem
from biobank.api.schema import problem_responses
from biobank.api.throttling import PrincipalRateThrottle
from specimens.sprec import SprecError, code_lists, decode, derive
from specimens.sprec.errors import kind_problem

from .serializers import (
    SprecDecodedSerializer,
    SprecDerivedSerializer,
    SprecDeriveInputSerializer,
    SprecProblemSerializer,
)

EXAMPLE_CODE = "SER-SST-A-B-N-A-E"
DECODED_EXAMPLE = {
    "code": EXAMPLE_CODE,
    "kind": "fluid",
    "version": "3.0",
    "elements": [element.as_dict() for element in decode(EXAMPLE_CODE).elements],
}
DERIVE_REQUEST_EXAMPLE = {
    "kind": "fluid",
    "sample_type": "SER",
    "primary_container": "SST",
    "collection_time": "2025-03-01T08:00:00+01:00",
    "centrifugation_start": "2025-03-01T09:30:00+01:00",
    "pre_centrifugation_temperature_c": 21,
    "centrifugation": {"temperature_c": 20, "duration_min": 10, "g_force": 2000, "braking": True},
    "second_centrifugation": "none",
    "post_centrifugation_delay_min": 20,
    "post_centrifugation_temperature_c": 4,
    "storage_container": "cryotube-1-2ml",
    "storage_method": "programmable-freezing",
    "storage_temperature_c": -150,
}
DERIVED_EXAMPLE = {
    "code": EXAMPLE_CODE,
    "kind": "fluid",
    "positions": [
        {"position": e.position, "letter": e.letter, "meaning": e.meaning, "status": None}
        for e in decode(EXAMPLE_CODE).elements
    ],
}


def _error_entries(error: SprecError) -> list[dict[str, Any]]:
    errors = []
    for item in error.errors:
        entry: dict[str, Any] = {"pointer": item.pointer, "message": item.message, "code": item.code}
        entry["value"] = item.value
        if item.fact is not None:
            entry["fact"] = item.fact
        else:
            entry["position"] = item.position
        errors.append(entry)
    return errors


def _bad_example(name: str, instance: str, attempt: Callable[[], object]) -> OpenApiExample:
    """A 400 example made by the engine itself, so the documented messages are the real ones."""
    try:
        attempt()
    except SprecError as error:
        errors = _error_entries(error)
    value = {
        "type": PROBLEM_TYPE_BASE + "validation-error",
        "title": "Invalid input",
        "status": 400,
        "detail": "; ".join(f"{e['pointer']}: {e['message']}" for e in errors),
        "instance": instance,
        "request_id": "6f1c0c7e2b0f4c6b9d1d8f3e5a7b9c1d",
        "errors": errors,
    }
    return OpenApiExample(name, value=value, response_only=True, status_codes=["400"])


DECODE_400 = _bad_example("Invalid positions", "/api/v1/sprec/SER-SSQ-A-B-N-A-9/", lambda: decode("SER-SSQ-A-B-N-A-9"))
DERIVE_400 = _bad_example(
    "Facts out of range",
    "/api/v1/sprec/derive/",
    lambda: derive(
        "fluid",
        {
            "pre_centrifugation_temperature_c": 14,
            "centrifugation": {"temperature_c": 20, "duration_min": 20, "g_force": 2000, "braking": True},
        },
    ),
)


def _invalid(request: Request, error: SprecError) -> Response:
    errors = _error_entries(error)
    detail = "; ".join(f"{e['pointer']}: {e['message']}" for e in errors[:5])
    if len(errors) > 5:
        detail += f"; and {len(errors) - 5} more (see errors)"
    body = problem(
        status_code=400,
        title="Invalid input",
        detail=detail,
        problem_type="validation-error",
        instance=request.path,
        request_id=_request_id(request),
        errors=errors,
    )
    return Response(body, status=400, content_type=PROBLEM_CONTENT_TYPE)


class PublicSprecView(APIView):
    """No login; the rate limit of every API caller (anonymous: per client address)."""

    permission_classes = [AllowAny]
    throttle_classes = [PrincipalRateThrottle]


class SprecDecodeView(PublicSprecView):
    @extend_schema(
        operation_id="sprec_decode",
        tags=["sprec"],
        auth=[],
        summary="Decode a SPREC v3.0 code",
        description="The seven elements of a SPREC v3.0 code (fluid or solid, read from the code), each with its "
        "meaning and the evidence status of the code in the reference data (`unverified`, `conflict`, `v3-added` are "
        "accepted but flagged). An invalid code is a 400 naming every invalid position (`/code/<n>`) with the "
        "allowed codes. `?kind=fluid` or `?kind=solid` decodes the code as that kind only: a code of the other kind, "
        "or another kind value, is a 400 naming `/kind` and the allowed kinds. No login.",
        parameters=[
            OpenApiParameter(
                "sprec", str, OpenApiParameter.PATH, description="The code, e.g. `SER-SST-A-B-N-A-E` (case ignored)."
            ),
            OpenApiParameter(
                "kind",
                str,
                OpenApiParameter.QUERY,
                enum=["fluid", "solid"],
                required=False,
                description="Decode as this kind only (read from the code when absent).",
            ),
        ],
        responses={
            200: OpenApiResponse(
                SprecDecodedSerializer,
                examples=[OpenApiExample("Serum", value=DECODED_EXAMPLE, response_only=True)],
            ),
            (400, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                SprecProblemSerializer, description="Invalid positions, one entry each.", examples=[DECODE_400]
            ),
            **problem_responses(429),
        },
    )
    def get(self, request: Request, sprec: str) -> Response:
        kinds = request.query_params.getlist("kind")
        try:
            if len(kinds) > 1:
                raise SprecError([kind_problem(",".join(kinds))])
            decoded = decode(sprec, kinds[0] if kinds else None)  # type: ignore[arg-type]  # decode checks the kind
        except SprecError as error:
            return _invalid(request, error)
        return Response(
            {
                "code": decoded.code,
                "kind": decoded.kind,
                "version": code_lists().version,
                "elements": [element.as_dict() for element in decoded.elements],
            }
        )


class SprecDeriveView(PublicSprecView):
    @extend_schema(
        operation_id="sprec_derive",
        tags=["sprec"],
        auth=[],
        summary="Derive a SPREC v3.0 code from pre-analytical facts",
        description="The code of a fluid or solid sample computed from its facts; a missing fact gives `X` (`XXX`), "
        '`"none"` for a centrifugation, an ischemia or a fixation time gives `N`. Time bands are half-open '
        "`[lower, upper)` in whole minutes (elapsed time truncated: exactly 2 h is the 2-4 h band); temperatures are "
        "compared in whole degrees (RT = 18-28 °C and 2-10 °C, both ends inclusive); a centrifugation lasts 10-15 min "
        "(closed) or exactly 30 min; g-force bands include their lower bound. A fact outside every band is an error "
        "naming the fact (`/centrifugation/g_force`), never a guess. No login.",
        request=SprecDeriveInputSerializer,
        examples=[OpenApiExample("Serum", value=DERIVE_REQUEST_EXAMPLE, request_only=True)],
        responses={
            200: OpenApiResponse(
                SprecDerivedSerializer, examples=[OpenApiExample("Serum", value=DERIVED_EXAMPLE, response_only=True)]
            ),
            (400, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                SprecProblemSerializer,
                description="Facts out of range or unknown, one entry each; or a body that is not a JSON object.",
                examples=[DERIVE_400],
            ),
            **problem_responses(415, 429),
        },
    )
    def post(self, request: Request) -> Response:
        data = request.data
        if not isinstance(data, dict):
            raise ParseError(_("The body must be a JSON object: the kind of sample and its facts."))
        facts = dict(data)
        kind = facts.pop("kind", None)
        try:
            derived = derive(kind, facts)
        except SprecError as error:
            return _invalid(request, error)
        positions = [
            {"position": e.position, "letter": e.letter, "meaning": e.meaning, "status": e.status}
            for e in derived.positions
        ]
        return Response({"code": derived.code, "kind": derived.kind, "positions": positions})
