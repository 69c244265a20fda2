"""Errors as RFC 9457 problem details (``application/problem+json``).

Every API error has ``type``, ``title``, ``status`` and ``detail``; validation errors add ``errors``, one entry per
field with a JSON pointer to the offending input (``/field`` or ``/items/3/field``) and the message.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from biobank.errors import DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "/api/problems/"


def _flatten(detail: Any, pointer: str = "") -> list[dict[str, str]]:
    """Turn DRF's nested error dict/list into a flat list of {pointer, message, code}."""
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            sub = "" if key == "non_field_errors" else f"{pointer}/{key}"
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
            out.extend(_flatten(item, f"{pointer}/{index}"))
        return out
    return [{"pointer": pointer or "/", "message": str(detail), "code": getattr(detail, "code", "invalid")}]


def problem(
    *, status_code: int, title: str, detail: str, code: str, instance: str = "", errors: list | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status_code,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return body


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    instance = request.path if request is not None else ""
    if isinstance(exc, DomainError):
        errors = [{"pointer": f"/{exc.field}" if exc.field else "/", "message": exc.message, "code": exc.code}]
        return Response(
            problem(
                status_code=exc.status_code,
                title=exc.title,
                detail=exc.message,
                code=exc.code,
                instance=instance,
                errors=errors,
            ),
            status=exc.status_code,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handler answers with problem+json too
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = "; ".join(f"{e['pointer']}: {e['message']}" for e in errors[:5])
        body = problem(
            status_code=response.status_code,
            title="Invalid input",
            detail=detail,
            code="validation",
            instance=instance,
            errors=errors,
        )
    else:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        body = problem(
            status_code=response.status_code,
            title=str(exc.default_detail).rstrip("."),
            detail=str(detail),
            code=str(code),
            instance=instance,
        )
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            body["retry_after"] = int(exc.wait)
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """404 for paths under /api/ that match no route (Django's handler404 delegates here)."""
    body = problem(
        status_code=404,
        title="Not found",
        detail=f"No API resource at {request.path}.",
        code="not_found",
        instance=request.path,
    )
    return JsonResponse(body, status=status.HTTP_404_NOT_FOUND, content_type=PROBLEM_CONTENT_TYPE)


def api_server_error(request: HttpRequest) -> JsonResponse:
    request_id = getattr(request, "request_id", "")
    body = problem(
        status_code=500,
        title="Server error",
        detail=f"An unexpected error happened; quote request id {request_id} when reporting it.",
        code="server_error",
        instance=request.path,
    )
    return JsonResponse(body, status=500, content_type=PROBLEM_CONTENT_TYPE)
