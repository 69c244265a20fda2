"""The API's JSON renderer: DRF's, plus rows that arrive already written as JSON.

The busiest list (the specimens') has PostgreSQL write each row's JSON (``specimens.api.specimen_list_rows``):
converting every value in Python and encoding it again cost more than the rest of the request. Such rows travel
as ``RenderedRows``; the renderer writes them into the answer as they are, and everything else as DRF would. The
answer's bytes are DRF's own: compact separators, UTF-8 rather than ``\\u`` escapes, U+2028 and U+2029 escaped.
A client that asks for indentation (``Accept: application/json; indent=4``) gets the rows parsed and indented
like any other answer (and so would every client if ``UNICODE_JSON`` were turned off).

``RenderedRows`` also reads as the list of rows it holds (parsed when first read), so ``Response.data`` stays what
DRF code and tests expect of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, overload

from rest_framework import renderers


class RenderedRows(Sequence[Any]):
    """Rows each already written as one JSON value (``texts``), in order."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self._parsed: list[Any] | None = None

    def _rows(self) -> list[Any]:
        if self._parsed is None:
            self._parsed = [json.loads(text) for text in self.texts]
        return self._parsed

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        return self._rows()[index]

    def __len__(self) -> int:
        return len(self.texts)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RenderedRows):
            return self.texts == other.texts
        return isinstance(other, Sequence) and not isinstance(other, str) and self._rows() == list(other)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the list it stands for

    def __repr__(self) -> str:
        return f"RenderedRows({self.texts!r})"


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if not isinstance(data, dict) or not any(isinstance(value, RenderedRows) for value in data.values()):
            return super().render(data, accepted_media_type, renderer_context)
        if self.ensure_ascii or self.get_indent(accepted_media_type or "", renderer_context or {}) is not None:
            plain = {key: list(value) if isinstance(value, RenderedRows) else value for key, value in data.items()}
            return super().render(plain, accepted_media_type, renderer_context)
        parts = []
        for key, value in data.items():
            if isinstance(value, RenderedRows):
                text = "[" + ",".join(value.texts) + "]"
                text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")  # as DRF does
            else:
                text = super().render(value, accepted_media_type, renderer_context).decode() or "null"
            parts.append(json.dumps(str(key), ensure_ascii=self.ensure_ascii) + ":" + text)
        return ("{" + ",".join(parts) + "}").encode()
