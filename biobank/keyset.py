"""Keyset cursors, one encoding for the portal's pages and the API: read strictly, or ``InvalidCursor``.

A keyset page is "the rows past position P in a unique, unchanging order" (no ``COUNT(*)``, stable under inserts).
The position is what both interfaces carry:

- the web pages put it in the query string as it is (``?before=123``, a row id a person can read), read with
  ``read_position``;
- the API wraps the same position with the paginator's direction and offset into an opaque token, the ``cursor``
  of its ``next``/``previous`` links (base64 of ``p=<position>&r=1&o=<offset>``), written by ``encode_cursor`` and
  read by ``decode_cursor``, whose integer positions go through ``read_position`` too.

Anything malformed (not base64, not ASCII, a NUL byte, a Unicode digit such as "²" that ``str.isdigit`` accepts and
``int`` or the database refuse) raises ``InvalidCursor`` naming the parameter and what is allowed: the web answers it
as a 400 page (``biobank.web.paging``), the API as a 400 problem pointing at ``/<parameter>``
(``biobank.api.pagination``). Never a 500.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from urllib import parse

from django.utils.translation import gettext as _

# A row id: ASCII digits only, at most 18 of them (it fits a bigint).
_POSITION = re.compile(r"[0-9]{1,18}")
# A text position (e.g. a biobank code): printable, no control character (PostgreSQL refuses a NUL in text).
_TEXT_POSITION = re.compile(r"[^\x00-\x1f\x7f]{1,200}")
_FLAG = re.compile(r"[01]")
MAX_TOKEN_LENGTH = 1000


class InvalidCursor(ValueError):
    """A cursor or position that the portal did not issue; ``message`` says what is allowed."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: past ``position`` (``None``: the first page), backwards if ``reverse``, skipping
    ``offset`` rows that share the position (only for orderings that are not unique)."""

    position: str | None = None
    reverse: bool = False
    offset: int = 0


def read_position(raw: str, *, name: str) -> int:
    """A row-id position as the web pages carry it (``?before=123``); ``InvalidCursor`` unless 1-18 digits 0-9."""
    if not _POSITION.fullmatch(raw):
        raise InvalidCursor(
            name,
            _("The parameter %(name)s must be a position of the list: 1 to 18 digits 0-9, as in the “Older” link.")
            % {"name": name},
        )
    return int(raw)


def encode_cursor(cursor: Cursor) -> str:
    """The opaque token of an API page link; ``decode_cursor`` reads it back to the same ``Cursor``."""
    tokens: dict[str, str] = {}
    if cursor.offset:
        tokens["o"] = str(cursor.offset)
    if cursor.reverse:
        tokens["r"] = "1"
    if cursor.position is not None:
        tokens["p"] = cursor.position
    return base64.b64encode(parse.urlencode(tokens).encode("ascii")).decode("ascii")


def decode_cursor(
    token: str, *, name: str = "cursor", integer_position: bool = False, max_offset: int = 1000
) -> Cursor:
    """Read an API page token strictly; ``integer_position`` when the ordering is a row id (``pk``, ``seq``)."""
    message = _("Invalid cursor; use the 'next' or 'previous' link of an earlier page as it is.")
    try:
        if len(token) > MAX_TOKEN_LENGTH:
            raise ValueError(token)
        querystring = base64.b64decode(token.encode("ascii"), validate=True).decode("ascii")
        tokens = parse.parse_qs(querystring, keep_blank_values=True, strict_parsing=bool(querystring))
    except (UnicodeError, binascii.Error, ValueError):
        raise InvalidCursor(name, message) from None
    if set(tokens) - {"o", "r", "p"} or any(len(values) != 1 for values in tokens.values()):
        raise InvalidCursor(name, message)
    offset = tokens.get("o", ["0"])[0]
    reverse = tokens.get("r", ["0"])[0]
    position = tokens.get("p", [None])[0]
    if not _POSITION.fullmatch(offset) or int(offset) > max_offset or not _FLAG.fullmatch(reverse):
        raise InvalidCursor(name, message)
    if position is not None:
        if integer_position and not _POSITION.fullmatch(position):
            raise InvalidCursor(name, message)
        if not _TEXT_POSITION.fullmatch(position):
            raise InvalidCursor(name, message)
    return Cursor(position=position, reverse=reverse == "1", offset=int(offset))
