"""Requests the database cannot store are refused at the door: a NUL byte in the path or in a query parameter.

PostgreSQL text cannot hold NUL (psycopg refuses it with ``ValueError``), so such a value reaching any filter or
lookup turned into a 500. No URL of the portal has a reason to carry one, so this middleware answers 400 before
any view runs — problem+json under ``/api/`` (pointer ``/<parameter>``), the 400 page with the same message
elsewhere. Bodies are checked where they are parsed: form and serializer fields refuse NUL themselves
(``ProhibitNullCharactersValidator``).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

NUL = "\x00"


def nul_byte_problem(request: HttpRequest) -> tuple[str, str] | None:
    """(message, JSON pointer) naming the first place a NUL byte hides in the request line, or ``None``."""
    if NUL in request.path:
        return _("The address contains a NUL byte (%00), which no address of the portal may contain."), "/"
    query = request.META.get("QUERY_STRING", "")
    if "%00" not in query and NUL not in query:
        return None
    for name, value in parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="replace"):
        if NUL in name or NUL in value:
            shown = name.replace(NUL, "%00")
            return (
                _("The query parameter %(name)s contains a NUL byte (%%00), which no parameter may contain.")
                % {"name": shown},
                f"/{shown}",
            )
    return None


class NulByteMiddleware:
    """Answers 400 to a request whose path or query string carries a NUL byte (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = nul_byte_problem(request)
        if found is None:
            return self.get_response(request)
        message, pointer = found
        from biobank.urls import handler400

        return handler400(request, BadRequest(message), pointer=pointer)
