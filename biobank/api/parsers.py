"""The API's JSON parser: DRF's, with a limit on nesting.

Python's JSON decoder recurses once per level, so a body nested 100,000 levels deep ran out of stack (a
``RecursionError``, i.e. a 500), and one nested a few hundred levels deep would reach every later step that walks
the data. No request of this API nests deeper than a handful of levels, so anything past ``MAX_JSON_DEPTH`` is a
400 (problem+json, ``malformed-request``) before a view sees it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 32


def _too_deep(data: Any, limit: int) -> bool:
    """True if ``data`` nests lists/objects more than ``limit`` levels deep (iterative: no recursion of our own)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    """``DEFAULT_PARSER_CLASSES`` of the API: JSON nested deeper than ``MAX_JSON_DEPTH`` levels is a 400."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        too_deep = f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels; no request needs that many."
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(too_deep) from None
        if _too_deep(data, MAX_JSON_DEPTH):
            raise ParseError(too_deep)
        return data
