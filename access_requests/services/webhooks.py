"""Signed webhooks for partner systems: endpoints a biobank admin manages, one outbox row per event and endpoint,
delivered by ``access_requests.webhook_deliver`` with exponential backoff.

Each POST carries a JSON body without personal data or free text, and the headers ``X-Biobank-Event``,
``X-Biobank-Delivery``, ``X-Biobank-Timestamp`` and ``X-Biobank-Signature: sha256=<hex HMAC-SHA256(secret,
timestamp + "." + body)>`` (the recipe partners use to check it is in docs/access-requests-notifications.md).
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import json
import logging
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests as http
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.api.utc import UtcDateTimeField
from biobank.audit.services import audit_record
from biobank.errors import ConflictError, DomainError, InvalidFields
from biobank.ops.after_commit import after_commit

from ..choices import WebhookDeliveryStatus
from ..models import RequestEvent, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 10
KIND_PATTERN = re.compile(r"^[a-z_]+\.([a-z_]+|\*)$")
USER_AGENT = "BiobankPortal-Webhooks/1"


def backoff(attempts: int) -> timedelta:
    """After the ``attempts``-th failure the next try is 1, 2, 4, 8, 16 … minutes later."""
    return timedelta(minutes=2 ** (attempts - 1))


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_verify(*, secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """The partner's side of the recipe (kept here so a test proves the documented recipe works)."""
    return hmac.compare_digest(signature(secret=secret, timestamp=timestamp, body=body), header)


def _validate(url: str, events: Iterable[str]) -> tuple[str, list[str]]:
    errors: dict[str, list[str]] = {}
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        errors["url"] = [
            _("The URL %(url)s cannot receive webhooks: only http:// and https:// addresses with a host are allowed.")
            % {"url": url or "''"}
        ]
    kinds = sorted({kind.strip() for kind in events if kind.strip()})
    wrong = [kind for kind in kinds if not KIND_PATTERN.match(kind)]
    if wrong:
        errors["events"] = [
            _(
                "Unknown event kind(s): %(kinds)s. Use kinds such as request.submitted, resource.available, "
                "vote.cast or a whole family such as resource.*; leave empty for all."
            )
            % {"kinds": ", ".join(wrong)}
        ]
    if errors:
        raise InvalidFields(errors)
    return url, kinds


@transaction.atomic
def webhook_endpoint_create(*, actor: Any, biobank: Any, url: str, events: Iterable[str] = ()) -> WebhookEndpoint:
    """A new endpoint with a fresh secret (the caller shows it once). The caller checked MANAGE_API_TOKENS."""
    url, kinds = _validate(url, events)
    endpoint = WebhookEndpoint.objects.create(
        biobank=biobank, url=url, events=kinds, secret=secrets.token_hex(32), created_by=actor
    )
    audit_record(
        actor=actor,
        action="access_request.webhook_create",
        obj=endpoint,
        biobank=biobank,
        details={"url": url, "events": kinds or ["*"]},
    )
    return endpoint


@transaction.atomic
def webhook_endpoint_deactivate(*, actor: Any, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Stop sending to an endpoint; its pending deliveries are given up."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not locked.active:
        raise ConflictError(_("This webhook endpoint is already inactive."), field="active", code="inactive")
    WebhookEndpoint.objects.filter(pk=locked.pk).update(active=False)
    endpoint.active = False
    locked.deliveries.filter(status=WebhookDeliveryStatus.PENDING).update(
        status=WebhookDeliveryStatus.FAILED, last_error=_("The endpoint was deactivated.")
    )
    audit_record(
        actor=actor,
        action="access_request.webhook_deactivate",
        obj=endpoint,
        biobank=endpoint.biobank_id,
        changes={"active": [True, False]},
    )
    return endpoint


@transaction.atomic
def webhook_delivery_redeliver(*, actor: Any, delivery: WebhookDelivery) -> WebhookDelivery:
    """Try a failed delivery again from the start (attempts reset), now."""
    locked = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    if locked.status != WebhookDeliveryStatus.FAILED:
        raise ConflictError(
            _("Only a failed delivery can be sent again; this one is %(status)s.")
            % {"status": locked.get_status_display()},
            field="status",
            code="not_failed",
        )
    if not locked.endpoint.active:
        raise DomainError(_("The endpoint is inactive; nothing can be sent to it."), field="endpoint", code="inactive")
    locked.status = WebhookDeliveryStatus.PENDING
    locked.attempts = 0
    locked.next_attempt_at = timezone.now()
    locked.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit_record(
        actor=actor,
        action="access_request.webhook_redeliver",
        obj=locked,
        biobank=locked.endpoint.biobank_id,
        changes={"status": [WebhookDeliveryStatus.FAILED, WebhookDeliveryStatus.PENDING]},
    )
    from ..tasks_webhooks import webhook_deliver

    after_commit(webhook_deliver, delivery_id=locked.pk)
    return locked


def event_payload(event: RequestEvent) -> dict[str, Any]:
    """What a partner learns: kind, request number, the biobank part's code and status, the change and its time.
    No names, no e-mail addresses, no free text (reasons, comments, messages)."""
    resource = event.resource
    return {
        "id": event.pk,
        "event": event.kind,
        "request": event.request.number,
        "resource": (
            {"biobank": resource.biobank.code, "status": event.to_status or resource.status}
            if resource is not None
            else None
        ),
        "from": event.from_status or None,
        "to": event.to_status or None,
        "at": UtcDateTimeField().to_representation(event.created_at),  # UTC ending in Z, as the REST API writes
    }


def _event_biobank_ids(event: RequestEvent) -> set[int]:
    """The event's resource's biobank; for request-level events every biobank of the request (a private message:
    only the biobank it was addressed to)."""
    if event.resource is not None:
        return {event.resource.biobank_id}
    data = event.data or {}
    if data.get("audience") == "biobank" and data.get("biobank_id"):
        return {int(data["biobank_id"])}
    return set(event.request.resources.values_list("biobank_id", flat=True))


def subscribed(endpoint: WebhookEndpoint, kind: str) -> bool:
    return not endpoint.events or any(fnmatch.fnmatchcase(kind, pattern) for pattern in endpoint.events)


def webhook_deliveries_queue(*, event: RequestEvent) -> int:
    """One outbox row per active endpoint subscribed to the event, sent after commit (call inside a transaction)."""
    endpoints = WebhookEndpoint.objects.filter(biobank_id__in=_event_biobank_ids(event), active=True)
    payload = event_payload(event)
    now = timezone.now()
    rows = [
        WebhookDelivery(endpoint=endpoint, event=event.kind, payload=payload, next_attempt_at=now)
        for endpoint in endpoints
        if subscribed(endpoint, event.kind)
    ]
    WebhookDelivery.objects.bulk_create(rows)
    from ..tasks_webhooks import webhook_deliver

    for row in rows:
        after_commit(webhook_deliver, delivery_id=row.pk)
    return len(rows)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """The transport (tests replace it or point it at a local server); redirects are not followed."""
    response = http.post(url, data=body, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False)
    return response.status_code, response.text[:200]


def webhook_delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> bool:
    """Send one pending, due delivery; ``True`` if delivered. Locked with SKIP LOCKED (a second worker skips it).

    A 2xx answer delivers it; anything else (an error status, a timeout, a refused connection) counts an attempt
    and schedules the next after ``backoff(attempts)``, or gives up after ``MAX_ATTEMPTS``."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status=WebhookDeliveryStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return False
        endpoint = delivery.endpoint
        body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
        timestamp = str(int(now.timestamp()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Biobank-Event": delivery.event,
            "X-Biobank-Delivery": str(delivery.pk),
            "X-Biobank-Timestamp": timestamp,
            "X-Biobank-Signature": signature(secret=endpoint.secret, timestamp=timestamp, body=body),
        }
        delivery.attempts += 1
        try:
            status, text = _post(endpoint.url, body, headers)
            error = "" if 200 <= status < 300 else f"HTTP {status}: {text}"
        except Exception as exc:  # timeouts, refused connections, TLS errors: counted, retried
            error = f"{type(exc).__name__}: {exc}"
        if not error:
            delivery.status = WebhookDeliveryStatus.DELIVERED
            delivery.delivered_at = now
            delivery.last_error = ""
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDeliveryStatus.FAILED
            delivery.last_error = error[:500]
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            delivery.last_error = error[:500]
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "last_error", "delivered_at"])
        if error:
            logger.warning("Webhook delivery %s to %s failed: %s", delivery.pk, endpoint.url, delivery.last_error)
        return not error


def webhook_deliveries_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Send every pending delivery whose time has come (the beat task); returns how many were delivered."""
    now = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(status=WebhookDeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(webhook_delivery_attempt(delivery_id=pk, now=now) for pk in ids)
