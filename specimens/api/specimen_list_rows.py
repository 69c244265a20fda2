"""The specimen list's rows read as plain values, not model instances: the API's busiest answer, kept lean.

``SpecimenSerializer`` stays the definition of a row (the OpenAPI schema, the detail's shape). A page of the list is
built here from ``QuerySet.values()`` with the serializer's own fields converting each value, so every value is
formatted exactly as the serializer formats it; what is skipped is a model instance per row and per related row
and DRF's attribute lookup per field, which cost more than the rest of the request (docs/performance.md, "API
throughput"). ``tests/specimens/api/test_specimen_list_rows.py`` proves the two give the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any
from urllib.parse import quote

from django.db.models import QuerySet
from django.urls import reverse
from rest_framework.request import Request

from consent.models.donors import pid_display

from ..models import Specimen
from ..models.specimens import position_label
from .specimen_serializers import SpecimenSerializer

# The serializer's fields read straight from a column of the same name.
PLAIN = (
    *("barcode", "sample_type", "material_type", "sprec_code", "lineage", "status", "quantity", "unit"),
    *("concentration", "concentration_unit", "freeze_thaw_count", "collected_at", "received_at", "created_at"),
    "updated_at",
)
VALUES = (
    "pk", *PLAIN, "biobank__code", "collection__code", "donor__pid", "parent__barcode",
    *("box_id", "box__code", "box_row", "box_column"),
)  # fmt: skip
PLACEHOLDER = "0"
SAFE = "!$&'()*+,;=/~:@"  # what django.urls.reverse leaves unquoted in a path (RFC 3986 sub-delims, "/~:@")


def _url_parts(request: Request | None) -> tuple[str, str]:
    """The detail URL around its barcode: built once per page instead of a ``reverse`` per row."""
    path = reverse("api-specimen-detail", kwargs={"barcode": PLACEHOLDER})
    url = request.build_absolute_uri(path) if request is not None else path
    head, _placeholder, tail = url.rpartition(f"/{PLACEHOLDER}/")
    return f"{head}/", f"/{tail}"


@cache
def _converters() -> tuple[tuple[str, ...], list[tuple[str, Callable[[Any], Any]]]]:
    """The serializer's field names in order, and the conversion of each plain field (made once: building a
    ModelSerializer's fields costs about as much as converting a page; a field's conversion keeps no state and
    reads the active time zone when it runs)."""
    fields = SpecimenSerializer().fields
    return tuple(fields), [(name, fields[name].to_representation) for name in PLAIN]


def specimen_list_rows(queryset: QuerySet[Specimen], keys: Iterable[int], request: Request | None) -> list[dict]:
    """The rows of ``keys`` (in that order) from ``queryset``, as ``SpecimenSerializer(many=True).data`` gives them."""
    keys = list(keys)
    by_key = {row["pk"]: row for row in queryset.filter(pk__in=keys).order_by().values(*VALUES)}  # ordered below
    names, convert = _converters()
    head, tail = _url_parts(request)
    rows = []
    for key in keys:
        row = by_key.get(key)
        if row is None:
            continue
        out: dict[str, Any] = {"url": f"{head}{quote(row['barcode'], safe=SAFE)}{tail}"}
        for name, to_representation in convert:
            value = row[name]
            out[name] = None if value is None else to_representation(value)
        out["biobank"] = row["biobank__code"]
        out["collection"] = row["collection__code"]
        out["donor"] = pid_display(row["donor__pid"])
        out["parent"] = row["parent__barcode"]
        box, box_row, box_column = row["box_id"], row["box_row"], row["box_column"]
        out["position"] = (
            None
            if box is None or box_row is None or box_column is None
            else {"box": row["box__code"], "box_id": box, "row": box_row, "column": box_column,
                  "label": position_label(box_row, box_column)}
        )  # fmt: skip
        rows.append({name: out[name] for name in names})  # the serializer's field order
    return rows
