"""OpenAPI pieces shared by every app's API: the bearer-token security scheme and the problem+json error responses.

``biobank.accounts.apps.AccountsConfig.ready`` imports this module, which registers the extension with
drf-spectacular. Views document their errors with ``problem_responses(400, 404, ...)``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from .exceptions import PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "biobank.accounts.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A partner system's API token (`bbp_…`), created by a biobank admin, scoped to one biobank and a "
                "set of permissions, expiring and revocable. Send it as `Authorization: Bearer <token>`."
            ),
        }


class MfaSessionScheme(SessionScheme):
    """The browser's session (issue 9, item 4: only once its second sign-in step is done)."""

    target_class = "biobank.accounts.authentication.MfaSessionAuthentication"
    priority = 0


class ProblemFieldErrorSerializer(serializers.Serializer):
    pointer = serializers.CharField(
        help_text="JSON pointer (RFC 6901) to the offending input: `/field`, `/items/3/field`, a query parameter "
        "as `/<name>`, or `/` for the request as a whole."
    )
    message = serializers.CharField(help_text="What was wrong and what is allowed.")
    code = serializers.CharField(help_text="Machine-readable reason, e.g. `required`, `invalid_choice`, `duplicate`.")


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details; the body of every error response."""

    type = serializers.CharField(help_text="Identifies the kind of problem, e.g. `/api/problems/not-found`.")
    title = serializers.CharField(help_text="Short summary, the same for every problem of this type.")
    status = serializers.IntegerField(help_text="The HTTP status code.")
    detail = serializers.CharField(help_text="What went wrong this time, in words a person can act on.")
    instance = serializers.CharField(help_text="The path of the request that failed.")
    request_id = serializers.CharField(required=False, help_text="Quote it when reporting a problem.")
    # DRF takes declared fields off the class, so the name does not clash with Serializer.errors at run time.
    errors = ProblemFieldErrorSerializer(many=True, required=False, help_text="One entry per invalid input.")  # type: ignore[assignment]
    retry_after = serializers.IntegerField(required=False, help_text="429 only: seconds to wait (also a header).")


def _example(status: int, slug: str, title: str, detail: str, errors: list | None = None) -> OpenApiExample:
    value: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": "/api/v1/collections/",
        "request_id": "6f1c0c7e2b0f4c6b9d1d8f3e5a7b9c1d",
    }
    if errors:
        value["errors"] = errors
    return OpenApiExample(title, value=value, response_only=True, status_codes=[str(status)])


PROBLEMS: dict[int, tuple[str, list[OpenApiExample]]] = {
    400: (
        "The input is invalid (one entry per field in `errors`) or the body is not valid JSON.",
        [
            _example(
                400,
                "validation-error",
                "Invalid input",
                "/name: This field is required.",
                [{"pointer": "/name", "message": "This field is required.", "code": "required"}],
            ),
            _example(400, "malformed-request", "Malformed request", "JSON parse error - Expecting value: line 1"),
        ],
    ),
    401: (
        "No credentials, or a token that is unknown, malformed, revoked, expired or of an inactive biobank. "
        "The response carries `WWW-Authenticate: Bearer`.",
        [_example(401, "authentication-failed", "Authentication failed", "This API token was revoked.")],
    ),
    403: (
        "You may see the resource but lack the permission for this action (or the CSRF check of a session failed).",
        [
            _example(
                403,
                "permission-denied",
                "Permission denied",
                "You may not manage the catalogue in biobank-a; this needs manage_catalog.",
            )
        ],
    ),
    404: (
        "No such resource, or one you may not see (foreign objects are indistinguishable from missing ones).",
        [_example(404, "not-found", "Not found", "No such resource, or you may not see it.")],
    ),
    405: ("The path does not support this HTTP method.", []),
    406: (
        "The `Accept` header admits no representation this API produces (it answers `application/json`).",
        [_example(406, "not-acceptable", "Not acceptable", "Could not satisfy the request Accept header.")],
    ),
    409: (
        "The request collides with existing data, e.g. a duplicate code or role.",
        [
            _example(
                409,
                "conflict",
                "Conflict",
                "Biobank A already has a collection with the code 'crc-2024'; choose another code.",
                [{"pointer": "/code", "message": "…", "code": "duplicate"}],
            )
        ],
    ),
    412: (
        "The `If-Match` ETag is stale: someone changed the resource since you read it.",
        [_example(412, "precondition-failed", "Precondition failed", "The resource has changed since you read it.")],
    ),
    413: (
        "The declared body (`Content-Length`) is larger than 1 MiB; it was refused before being read.",
        [_example(413, "too-large", "Request body too large", "The request body exceeds 1048576 bytes.")],
    ),
    415: (
        "The body is not `application/json`.",
        [_example(415, "unsupported-media-type", "Unsupported media type", 'Unsupported media type "text/plain"')],
    ),
    422: (
        "The request is well-formed but refused by a rule, e.g. a donor's consent that does not permit the use, or "
        "an `Idempotency-Key` sent again with another request.",
        [
            _example(
                422,
                "unprocessable",
                "Unprocessable request",
                "The consent of donor 7KQ2M-X9TRB-3 does not permit transfer of specimen BB-000042 for GRU: …",
                [{"pointer": "/purpose", "message": "…", "code": "consent"}],
            )
        ],
    ),
    429: (
        "Too many requests from this token or person; wait `Retry-After` seconds.",
        [_example(429, "throttled", "Too many requests", "Request was throttled. Expected available in 12 seconds.")],
    ),
}

READ_PROBLEMS = (401, 429)
WRITE_PROBLEMS = (400, 401, 415, 429)


def problem_responses(*statuses: int) -> dict[Any, OpenApiResponse]:
    """``responses`` entries for ``@extend_schema``: each status as ``application/problem+json`` with an example."""
    return {
        (status, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            ProblemSerializer, description=PROBLEMS[status][0], examples=PROBLEMS[status][1]
        )
        for status in sorted(set(statuses))
    }


ETAG_HEADER = "A strong ETag of the current version; send it back as `If-Match` when updating."

# On the operations of an ``ETagMixin`` view that answer the object (read, create, update).
ETAG_RESPONSE_HEADER = OpenApiParameter(
    "ETag", str, OpenApiParameter.HEADER, response=[200, 201], description=ETAG_HEADER
)

IF_MATCH_PARAMETER = OpenApiParameter(
    name="If-Match",
    location=OpenApiParameter.HEADER,
    required=False,
    type=str,
    description="The ETag from your last read. If the resource changed since, the update is refused with 412.",
)


# Error statuses every operation can answer, whatever its view declares (see ``problem_responses_complete``).
EVERY_OPERATION_PROBLEMS = (400, 401, 406, 429)
BODY_PROBLEMS = (400, 413, 415)
UNSAFE_PROBLEMS = (403, 413)
PATH_PARAMETER_PROBLEMS = (404,)
PROBLEM_SCHEMA_REF = {"$ref": "#/components/schemas/Problem"}


def _problem_statuses(method: str, operation: dict[str, Any]) -> set[int]:
    statuses = set(EVERY_OPERATION_PROBLEMS)
    if "requestBody" in operation:
        statuses.update(BODY_PROBLEMS)
    if method.upper() not in ("GET", "HEAD", "OPTIONS"):
        statuses.update(UNSAFE_PROBLEMS)
    if any(parameter.get("in") == "path" for parameter in operation.get("parameters", [])):
        statuses.update(PATH_PARAMETER_PROBLEMS)
    return statuses


def problem_responses_complete(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the schema names every error status an operation can answer.

    Views declare the errors of their own logic (409, 412, a 403 for a missing permission...). The errors the
    framework and the middleware add are the same for every operation and are completed here, as
    ``application/problem+json`` with the ``Problem`` schema (issue 9, item 19):

    - every operation: 400 (a malformed query string, e.g. a NUL byte, is refused before the view), 401 (no or a
      bad credential), 406 (an ``Accept`` header that excludes JSON) and 429 (throttled);
    - with a request body: 400 (invalid or malformed JSON), 413 (body over the cap) and 415 (not JSON);
    - unsafe methods: 403 (the CSRF check of a session, besides any permission) and 413 (a body over the cap);
    - with path parameters: 404 (no such object, or one the caller may not see; also a value the route's
      converter refuses, e.g. ``/collections/abc/``).

    A status a view already documents keeps the view's description and examples.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    if "Problem" not in schemas:  # normally present: the views' own ``problem_responses`` register it
        return result
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status in sorted(_problem_statuses(method, operation)):
                if str(status) in responses:
                    continue
                description, examples = PROBLEMS[status]
                content: dict[str, Any] = {"schema": PROBLEM_SCHEMA_REF}
                if examples:
                    content["examples"] = {
                        example.name.replace(" ", ""): {"value": example.value, "summary": example.name}
                        for example in examples
                    }
                responses[str(status)] = {"description": description, "content": {PROBLEM_CONTENT_TYPE: content}}
            operation["responses"] = dict(sorted(responses.items()))
    return result
