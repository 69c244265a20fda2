"""Request bodies are capped before anything reads them (issue 9, item 17).

A 300 MB anonymous multipart POST used to be parsed and spooled to disk before the view answered 403. This
middleware, first in the chain after the request id, compares the declared ``Content-Length`` with the limit of the
address and answers 413 before a byte of the body is read: problem+json under ``/api/``, a short page elsewhere.
Limits (``settings.REQUEST_BODY_MAX_BYTES`` and ``REQUEST_BODY_LIMITS``; docs/security.md lists them): 1 MiB for
every request, 11 MiB for the scan upload (a 10 MB scan and its form). Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``
caps form data without a declared length; the TLS proxy carries the largest limit too (docs/deployment.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _


@cache
def _limits() -> tuple[tuple[re.Pattern[str], int], ...]:
    return tuple((re.compile(pattern), limit) for pattern, limit in settings.REQUEST_BODY_LIMITS)


def body_limit_for(path: str) -> int:
    """The largest body, in bytes, that a request to ``path`` may declare."""
    for pattern, limit in _limits():
        if pattern.match(path):
            return limit
    return int(settings.REQUEST_BODY_MAX_BYTES)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MiB" if size >= 1024 * 1024 else f"{size // 1024} KiB"


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django answers a malformed length itself
        limit = body_limit_for(request.path)
        if declared <= limit:
            return self.get_response(request)
        message = _("The request body is %(size)s; at most %(limit)s is accepted here.") % {
            "size": _megabytes(declared),
            "limit": _megabytes(limit),
        }
        if request.path.startswith("/api/"):
            body = {
                "type": "/api/problems/too-large",
                "title": "Request body too large",
                "status": 413,
                "detail": message,
                "instance": request.path,
            }
            return JsonResponse(body, status=413, content_type="application/problem+json")
        title = _("Too large")
        page = f"<!doctype html><title>{escape(title)}</title><h1>413</h1><p>{escape(message)}</p>"
        return HttpResponse(page, status=413)
