"""Keyset paging of the portal's long lists (``?before=<id>``): the position is read strictly, or the page is a 400.

``str.isdigit`` accepts superscripts and other Unicode digits ("²") that ``int`` cannot read, so the old check let
them through to a 500. The position is a row id: ASCII digits only, at most 18 of them (it fits a bigint).
"""

from __future__ import annotations

import re

from django.core.exceptions import BadRequest
from django.http import HttpRequest
from django.utils.translation import gettext as _

_POSITION = re.compile(r"[0-9]{1,18}")


def before_position(request: HttpRequest, name: str = "before") -> int | None:
    """The ``before`` position of the page asked for, ``None`` for the first page; ``BadRequest`` if malformed."""
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    if not _POSITION.fullmatch(raw):
        raise BadRequest(
            _("The parameter %(name)s must be a position of the list: 1 to 18 digits 0-9, as in the “Older” link.")
            % {"name": name}
        )
    return int(raw)
