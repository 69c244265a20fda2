"""Keyset paging of the portal's long lists (``?before=<id>``): the position is read strictly, or the page is a 400.

The position is read by ``biobank.keyset.read_position``, the same reader the API's cursors use: ASCII digits only,
at most 18 of them (``str.isdigit`` accepts superscripts such as "²" that ``int`` cannot read).
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest

from biobank.keyset import InvalidCursor, read_position


def before_position(request: HttpRequest, name: str = "before") -> int | None:
    """The ``before`` position of the page asked for, ``None`` for the first page; ``BadRequest`` if malformed."""
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    try:
        return read_position(raw, name=name)
    except InvalidCursor as error:
        raise BadRequest(error.message) from None
