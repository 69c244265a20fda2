"""Request ids: every request gets one (or keeps a well-formed X-Request-ID from the proxy), every log line of
that request carries it, and the response returns it so a user's report can be matched to the logs."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .logging import request_id_var

_VALID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


class RequestIdMiddleware:
    header = "X-Request-ID"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(self.header, "")
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        # Not reset on the way out: Django logs 4xx/5xx responses ("django.request") after the middleware has
        # returned. The ``request_finished`` signal clears it (see ``OpsConfig.ready``).
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[self.header] = request_id
        return response
