"""``Idempotency-Key``: a retried write (a timeout, a lost answer) is answered, not done twice.

As Stripe does it: the header is optional. A client that sends ``Idempotency-Key: <any 1-255 printable ASCII
characters, e.g. a UUID>`` with a ``POST`` gets, for every later request with the same key, the first answer again
(same status, same body byte for byte, same ``Location``/``ETag``, plus ``Idempotent-Replayed: true``) and nothing is
written again. The same key with another request (method, path or body) is a 422 problem. Keys are per principal
(a person or an API token): two partner systems cannot see each other's answers. They are kept at least
``IDEMPOTENCY_KEEP`` (24 hours); an older key counts as new.

Only a successful answer (2xx) is kept: a request refused (invalid input, a 403, a 409) leaves no key behind, so the
client may fix it and retry with the same key, as with Stripe's validation errors.

Concurrency: the key row is inserted in the same transaction as the write it guards, before the write. A second
request with the same key blocks on the unique index until the first one ends; if that one committed, the second
replays its answer; if it rolled back, the second goes ahead. So of two concurrent requests exactly one writes.

A view uses it as ``return idempotent(request, lambda: self._create(request))`` (any ``APIView`` write) and adds
``IDEMPOTENCY_KEY_PARAMETER`` and ``REPLAYED_RESPONSE_HEADER`` to its ``@extend_schema`` parameters.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from biobank.accounts.models import IdempotencyKey, User
from biobank.accounts.principals import TokenPrincipal
from biobank.errors import ConflictError, UnprocessableError

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
IDEMPOTENCY_KEEP = timedelta(hours=24)
KEPT_HEADERS = ("Location", "ETag")
_KEY = re.compile(r"[\x21-\x7e]{1,255}")

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    type=str,
    description="Optional; 1-255 printable ASCII characters (a UUID). A retry with the same key gets the first "
    "answer again (same status and body, `Idempotent-Replayed: true`) and writes nothing; the same key with "
    "another body is a 422. Keys are per person or token and kept at least 24 hours; only successful answers "
    "are kept.",
)
REPLAYED_RESPONSE_HEADER = OpenApiParameter(
    REPLAYED_HEADER,
    str,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description="`true` when the answer is the replay of an earlier request with the same `Idempotency-Key`.",
)


def principal_key(user: Any) -> str:
    """``user:<id>`` for a person, ``token:<id>`` for an API token: whose keys are whose."""
    if isinstance(user, TokenPrincipal):
        return f"token:{user.token.pk}"
    if isinstance(user, User):
        return f"user:{user.pk}"
    raise exceptions.NotAuthenticated()


def request_fingerprint(request: Request) -> str:
    """SHA-256 of the method, the path and the body as canonical JSON (key order and spacing do not matter)."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(f"{request.method}\n{request.path}\n{body}".encode()).hexdigest()


def _key_of(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not _KEY.fullmatch(key):
        raise exceptions.ValidationError(
            {HEADER: [_("The Idempotency-Key header takes 1 to 255 printable ASCII characters, e.g. a UUID.")]}
        )
    return key


def _claim(principal: str, key: str, fingerprint: str) -> IdempotencyKey:
    """The new row for this key (the request goes ahead), or the committed row of an earlier request (a replay)."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(principal=principal, key=key, fingerprint=fingerprint)
        except IntegrityError:
            pass  # committed by another request, possibly after we waited for it
        existing = IdempotencyKey.objects.filter(principal=principal, key=key).first()
        if existing is None:
            continue  # purged meanwhile: claim it again
        if existing.created_at < timezone.now() - IDEMPOTENCY_KEEP:
            existing.delete()
            continue
        return existing
    raise ConflictError(
        _("Another request with this Idempotency-Key is being processed; retry in a moment."), code="idempotency"
    )


def _replay(record: IdempotencyKey, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        raise UnprocessableError(
            _(
                "This Idempotency-Key was used for another request (a different method, path or body); "
                "use a new key for a new request."
            ),
            field=HEADER,
            code="idempotency_key_reused",
        )
    response = HttpResponse(record.response_body, status=record.response_status, content_type="application/json")
    for name, value in record.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(request: Request, write: Callable[[], Response]) -> Response | HttpResponse:
    """Run ``write`` once per ``Idempotency-Key`` of the caller (see the module docstring); without the header, run
    it as it is."""
    key = _key_of(request)
    if key is None:
        return write()
    principal, fingerprint = principal_key(request.user), request_fingerprint(request)
    with transaction.atomic():
        record = _claim(principal, key, fingerprint)
        if record.response_status is not None:
            return _replay(record, fingerprint)
        response = write()
        if not 200 <= response.status_code < 300:
            record.delete()  # only successes are kept: a refused request may be retried with the same key
            return response
        body = JSONRenderer().render(response.data).decode()
        record.response_status = response.status_code
        record.response_body = body
        record.response_headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        record.save(update_fields=["response_status", "response_body", "response_headers"])
    return response


def idempotency_keys_purge(*, older_than: timedelta = IDEMPOTENCY_KEEP) -> int:
    """Delete the keys older than ``older_than`` (the beat task ``accounts.idempotency_keys_purge``)."""
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
