"""The specimen list's rows written as JSON by PostgreSQL: the API's busiest answer, kept lean.

``SpecimenSerializer`` stays the definition of a row (the OpenAPI schema, the detail's shape). A page of the list is
one call of the database function ``specimen_list_rows`` (specimens migration 0011), which joins the page's
specimens to their biobank, collection, donor, parent and box and writes each row's JSON as the serializer's fields
would, in the serializer's field order. What that skips is Python converting about twenty values per row and encoding
them again, which cost more than the rest of the request (docs/performance.md, "Sixth pass"); being a PL/pgSQL
function, its query is planned once per database session instead of on every request.

The one value the function leaves to Python is the URL of a specimen whose barcode a URL path cannot hold as it is
(characters to quote, or a ``.``/``..`` segment, which a URL resolves; ``barcode_problem`` refuses both, but older
rows may have them): Python builds it as the serializer does.
``tests/specimens/api/test_specimen_list_rows.py`` proves the rows equal the serializer's, byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import quote

from django.db import connection
from django.urls import NoReverseMatch, reverse
from rest_framework.request import Request

from biobank.api.renderers import RenderedRows

from .specimen_serializers import barcode_url

PLACEHOLDER = "0"
SAFE = "!$&'()*+,;=/~:@"  # what django.urls.reverse leaves unquoted in a path (RFC 3986 sub-delims, "/~:@")
NULL_URL = '{"url":null'


def _url_parts(request: Request | None) -> tuple[str, str]:
    """The detail URL around its barcode: built once per page instead of a ``reverse`` per row."""
    path = reverse("api-specimen-detail", kwargs={"barcode": PLACEHOLDER})
    url = request.build_absolute_uri(path) if request is not None else path
    head, _placeholder, tail = url.rpartition(f"/{PLACEHOLDER}/")
    return f"{head}/", f"/{tail}"


def specimen_list_rows(keys: Iterable[int], request: Request | None) -> RenderedRows:
    """The rows of ``keys`` (in that order; a key with no specimen is left out), as ``SpecimenSerializer`` writes
    them. The caller chose the keys among the specimens its user may see."""
    head, tail = _url_parts(request)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM specimen_list_rows(%s::bigint[], %s, %s)", [list(keys), head, tail])
        rows = cursor.fetchall()
    return RenderedRows([
        text if barcode is None else '{"url":' + json.dumps(_url(barcode, request, head, tail), ensure_ascii=False)
        + text[len(NULL_URL):]
        for barcode, text in rows
    ])  # fmt: skip


def _url(barcode: str, request: Request | None, head: str, tail: str) -> str:
    """The URL of a barcode the function could not append as it is: the serializer's (``reverse`` quotes it, and
    ``build_absolute_uri`` resolves a ``.`` or ``..`` segment); a barcode no route can hold (a newline) quoted."""
    try:
        return barcode_url(barcode, request)
    except NoReverseMatch:
        return f"{head}{quote(barcode, safe=SAFE)}{tail}"
