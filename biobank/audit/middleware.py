"""Request context for audit events, and an audit event for every refused request.

``AuditContextMiddleware`` sits right after ``RequestIdMiddleware``: it records the client's address and user agent
(``client_address``: behind the TLS proxy, the client's, per ``TRUSTED_PROXY_COUNT``)
in a context variable that ``audit_record`` reads (the request id comes from ``biobank.ops.logging``).

Permission denied: every response with status 403 — a Django view raising ``PermissionDenied``, a DRF permission
check, a CSRF failure — is recorded as ``access.denied`` once the response is built. Looking at the response rather
than at exceptions catches DRF too (DRF handles its exceptions before any middleware sees them). 404s are not
recorded: a scoped 404 cannot be told from a mistyped address, and recording every 404 would flood the trail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from biobank.ops.client_address import client_address

from .context import reset_request_context, set_request_context

logger = logging.getLogger(__name__)


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_request_context(
            client_ip=client_address(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
        )
        try:
            response = self.get_response(request)
            if response.status_code == 403:
                self._record_denied(request)
        finally:
            reset_request_context(token)
        return response

    @staticmethod
    def _record_denied(request: HttpRequest) -> None:
        from .services import audit_access_denied

        try:
            audit_access_denied(actor=getattr(request, "user", None), method=request.method or "", path=request.path)
        except Exception:  # never turn a 403 into a 500; the log says what went wrong
            logger.exception("Could not record the access-denied event for %s", request.path)
