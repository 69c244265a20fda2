"""Optimistic concurrency for every API update endpoint: ``ETag`` on reads and writes, ``If-Match`` → 412.

A view that lets a resource be changed (``PUT``/``PATCH``) mixes in ``ETagMixin`` (``tests/api/test_shapes.py``
fails on one that does not):

- ``GET`` answers through ``etag_read`` (the body with an ``ETag``, or 304 without a body when ``If-None-Match``
  names the current version);
- ``PUT``/``PATCH`` call ``check_if_match`` on the locked object before changing it: an ``If-Match`` naming no
  current version is a 412 problem; no ``If-Match`` at all is allowed (the header is optional, as it always was);
- every answer that carries the object goes through ``with_etag``.

The schema: ``ETAG_RESPONSE_HEADER`` on the operations that answer an ETag, ``IF_MATCH_PARAMETER`` and 412 among
the ``problem_responses`` of the updates (``biobank.api.schema``).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils.http import parse_etags, quote_etag
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from .exceptions import PreconditionFailed


def etag_of(obj: Any, version_field: str = "updated_at") -> str:
    """A strong ETag that changes with every saved change of ``obj``.

    The version is ``obj.version`` where the model keeps a counter, else ``version_field`` (``updated_at`` is set on
    each update); the primary key is part of it so two objects never share a tag.
    """
    version = getattr(obj, "version", None)
    if version is None:
        value = getattr(obj, version_field)
        version = value.isoformat() if hasattr(value, "isoformat") else value
    return quote_etag(hashlib.sha256(f"{obj.pk}:{version}".encode()).hexdigest()[:32])


class ETagMixin:
    """ETag helpers for an ``APIView`` whose resource can be updated (see the module docstring)."""

    etag_version_field = "updated_at"

    def etag(self, obj: Any) -> str:
        return etag_of(obj, self.etag_version_field)

    def with_etag(self, response: Response, obj: Any) -> Response:
        response["ETag"] = self.etag(obj)
        return response

    def etag_read(self, request: Request, obj: Any, data: Any) -> Response:
        """200 with ``data`` and the ETag, or 304 without a body while the caller's copy is current."""
        # RFC 9110 §13.1.2: If-None-Match compares weakly, so W/"x" matches "x"; "*" matches any current version.
        known = {tag.removeprefix("W/") for tag in parse_etags(request.headers.get("If-None-Match", ""))}
        if self.etag(obj) in known or "*" in known:
            return self.with_etag(Response(status=status.HTTP_304_NOT_MODIFIED), obj)
        return self.with_etag(Response(data), obj)

    def check_if_match(self, request: Request, obj: Any) -> None:
        """RFC 9110 §13.1.1: ``*`` or one of the listed strong ETags must be the current one, else 412.

        Without ``If-Match`` the update goes ahead (last writer wins), as the catalogue has always allowed.
        """
        header = request.headers.get("If-Match")
        if header is None:
            return
        etags = parse_etags(header)
        if "*" not in etags and self.etag(obj) not in etags:
            raise PreconditionFailed()
