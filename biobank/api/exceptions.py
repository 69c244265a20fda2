"""Errors as RFC 9457 problem details (``application/problem+json``).

Every API error has ``type``, ``title``, ``status``, ``detail`` and ``instance`` (the request path), plus the
``request_id`` to quote when reporting it. Validation errors add ``errors``: one entry per problem with a JSON pointer
to the offending input (``/field``, ``/items/3/field``; for a query parameter ``/<parameter>``; ``/`` for the request
as a whole), a message that says what is allowed, and a machine-readable code. The ``title`` is the same for every
occurrence of a ``type``; the ``detail`` says what happened this time.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.core.exceptions import BadRequest, DisallowedHost, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from biobank.errors import ConflictError, DomainError, ForbiddenError, InvalidFields, UnprocessableError

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "/api/problems/"


class PreconditionFailed(exceptions.APIException):
    """The ``If-Match`` header names a version that is no longer current: re-read the resource and retry."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource has changed since you read it; fetch it again and retry with its new ETag."
    default_code = "precondition_failed"


# (type slug, title) per exception class; looked up along the class hierarchy, so subclasses inherit a type.
PROBLEM_TYPES: dict[type[Exception], tuple[str, str]] = {
    ConflictError: ("conflict", "Conflict"),
    UnprocessableError: ("unprocessable", "Unprocessable request"),
    ForbiddenError: ("permission-denied", "Permission denied"),
    DomainError: ("invalid-request", "Invalid request"),
    exceptions.ValidationError: ("validation-error", "Invalid input"),
    exceptions.ParseError: ("malformed-request", "Malformed request"),  # a body, or a request line (NUL byte)
    exceptions.NotAuthenticated: ("not-authenticated", "Authentication required"),
    exceptions.AuthenticationFailed: ("authentication-failed", "Authentication failed"),
    exceptions.PermissionDenied: ("permission-denied", "Permission denied"),
    exceptions.NotFound: ("not-found", "Not found"),
    exceptions.MethodNotAllowed: ("method-not-allowed", "Method not allowed"),
    exceptions.NotAcceptable: ("not-acceptable", "Not acceptable"),
    exceptions.UnsupportedMediaType: ("unsupported-media-type", "Unsupported media type"),
    exceptions.Throttled: ("throttled", "Too many requests"),
    PreconditionFailed: ("precondition-failed", "Precondition failed"),
}

NOT_FOUND_DETAIL = "No such resource, or you may not see it."


def _problem_type(exc: Exception, status_code: int) -> tuple[str, str]:
    for klass in type(exc).__mro__:
        if klass in PROBLEM_TYPES:
            return PROBLEM_TYPES[klass]
    phrase = HTTPStatus(status_code).phrase
    return phrase.lower().replace(" ", "-"), phrase


def _flatten(detail: Any, pointer: str = "") -> list[dict[str, str]]:
    """Turn DRF's nested error dict/list into a flat list of {pointer, message, code}."""
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            sub = pointer if key == "non_field_errors" else f"{pointer}/{_escape(str(key))}"
            out.extend(_flatten(value, sub))
        return out
    if isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail | str) for item in detail):
            return [
                {"pointer": pointer or "/", "message": str(item), "code": getattr(item, "code", "invalid")}
                for item in detail
            ]
        out = []
        for index, item in enumerate(detail):
            if item:  # DRF reports a list of objects with an empty dict for each valid one
                out.extend(_flatten(item, f"{pointer}/{index}"))
        return out
    return [{"pointer": pointer or "/", "message": str(detail), "code": getattr(detail, "code", "invalid")}]


def _escape(token: str) -> str:
    """RFC 6901: '~' and '/' inside a reference token are escaped."""
    return token.replace("~", "~0").replace("/", "~1")


def problem(
    *,
    status_code: int,
    title: str,
    detail: str,
    problem_type: str,
    instance: str = "",
    request_id: str = "",
    errors: list | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + problem_type,
        "title": title,
        "status": status_code,
        "detail": detail,
        "instance": instance,
    }
    if request_id:
        body["request_id"] = request_id
    if errors:
        body["errors"] = errors
    return body


def _request_id(request: Any) -> str:
    return str(getattr(request, "request_id", "") or getattr(getattr(request, "_request", None), "request_id", ""))


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: every error a view raises becomes one problem+json response."""
    request = context.get("request")
    instance = request.path if request is not None else ""
    request_id = _request_id(request)
    if isinstance(exc, DomainError):
        set_rollback()
        problem_type, title = _problem_type(exc, exc.status_code)
        errors: list[dict[str, str]] | None = [
            {"pointer": f"/{exc.field}" if exc.field else "/", "message": exc.message, "code": exc.code}
        ]
        if isinstance(exc, InvalidFields):
            errors = [
                {"pointer": f"/{field}", "message": message, "code": exc.code}
                for field, messages in exc.errors.items()
                for message in messages
            ]
        body = problem(
            status_code=exc.status_code,
            title=title,
            detail=exc.message,
            problem_type=problem_type,
            instance=instance,
            request_id=request_id,
            errors=errors,
        )
        return Response(body, status=exc.status_code, content_type=PROBLEM_CONTENT_TYPE)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND_DETAIL)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's handler500 answers with problem+json too
    assert isinstance(exc, exceptions.APIException)
    problem_type, title = _problem_type(exc, response.status_code)
    errors = None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = "; ".join(f"{e['pointer']}: {e['message']}" for e in errors[:5])
        if len(errors) > 5:
            detail += f"; and {len(errors) - 5} more (see errors)"
    elif isinstance(exc.detail, str):
        detail = str(exc.detail)
    else:
        detail = "; ".join(e["message"] for e in _flatten(exc.detail))
    body = problem(
        status_code=response.status_code,
        title=title,
        detail=detail,
        problem_type=problem_type,
        instance=instance,
        request_id=request_id,
        errors=errors,
    )
    # Throttled.__init__ sets .wait, but the DRF stubs do not declare it.
    wait: float | None = exc.wait if isinstance(exc, exceptions.Throttled) else None  # type: ignore[attr-defined]
    if wait is not None:
        body["retry_after"] = max(1, round(wait))
        response["Retry-After"] = str(body["retry_after"])
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def api_not_found(request: HttpRequest, exception: Exception | None = None, *, detail: str = "") -> JsonResponse:
    """404 for paths under /api/ that match no route (Django's handler404 and ``api_unknown_path`` delegate here)."""
    body = problem(
        status_code=404,
        title="Not found",
        detail=detail or f"No API resource at {request.path}; see /api/docs/ for the endpoints.",
        problem_type="not-found",
        instance=request.path,
        request_id=_request_id(request),
    )
    return JsonResponse(body, status=status.HTTP_404_NOT_FOUND, content_type=PROBLEM_CONTENT_TYPE)


@csrf_exempt
def api_unknown_path(request: HttpRequest) -> HttpResponse:
    """The last route under /api/: any path (and any method) no API route matches is a problem+json 404.

    Django's own 404 is HTML while ``DEBUG`` is on (the technical 404 page bypasses ``handler404``), and a path
    parameter that fails its converter (``/collections/abc/``) never reaches a view: both answered HTML to API
    clients. A path that only lacks its trailing slash keeps Django's redirect for GET and HEAD (``/api/docs``);
    any other method gets the 404 naming the right path, since a redirect would turn a POST into a GET.
    """
    detail = ""
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_unknown_path:
            if request.method in ("GET", "HEAD"):
                query = request.META.get("QUERY_STRING", "")
                return HttpResponsePermanentRedirect(request.path + "/" + (f"?{query}" if query else ""))
            detail = f"No API resource at {request.path}; API paths end with a slash: {request.path}/"
    return api_not_found(request, detail=detail)


def api_bad_request(
    request: HttpRequest, message: str, *, pointer: str = "/", exception: Exception | None = None
) -> JsonResponse:
    """400 for a request refused before any API view ran: the portal's own ``BadRequest`` (e.g. a NUL byte in the
    query string; ``message`` says what to change) is ``malformed-request``; a Host header outside
    ``ALLOWED_HOSTS`` (Django's ``DisallowedHost``) is ``invalid-host``; any other refusal (Django's
    ``SuspiciousOperation`` family, whose text is not for clients) is ``bad-request``."""
    if exception is None or type(exception) is BadRequest:
        problem_type, title = PROBLEM_TYPES[exceptions.ParseError]
        detail, code = message or _("The request is malformed and was not processed."), "malformed"
    elif isinstance(exception, DisallowedHost):
        problem_type, title, code = "invalid-host", "Invalid host header", "invalid_host"
        detail = _(
            "The Host header names a host this server does not answer for; send the request to the portal's own "
            "address."
        )
        pointer = "/"
    else:
        problem_type, title, code = "bad-request", "Bad request", "bad_request"
        detail, pointer = _("The request was refused as malformed and was not processed."), "/"
    body = problem(
        status_code=400,
        title=title,
        detail=detail,
        problem_type=problem_type,
        instance=request.path,
        request_id=_request_id(request),
        errors=[{"pointer": pointer, "message": detail, "code": code}],
    )
    return JsonResponse(body, status=status.HTTP_400_BAD_REQUEST, content_type=PROBLEM_CONTENT_TYPE)


def api_server_error(request: HttpRequest) -> JsonResponse:
    """500 for /api/ paths (Django's handler500 delegates here): no traceback, a request id to report."""
    request_id = _request_id(request)
    body = problem(
        status_code=500,
        title="Server error",
        detail=f"An unexpected error happened; quote request id {request_id} when reporting it.",
        problem_type="server-error",
        instance=request.path,
        request_id=request_id,
    )
    return JsonResponse(body, status=500, content_type=PROBLEM_CONTENT_TYPE)
