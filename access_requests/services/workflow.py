"""The two-level state machine's primitives: every status change of a request or of one of its biobank resources
goes through :func:`request_transition` / :func:`resource_transition`, and every other action worth a line in the
request's log through :func:`event_record`.

Each checks the transition table beside the status enum (``access_requests.choices``), locks the row, writes the
request's own immutable event (REMS) and an audit event in the caller's transaction, touches the resource (the
5-day reminder counts from there), and asks the registered listeners to act after commit (notifications, webhooks).
The public verbs (submit, vote, decide, grant, …) live in the other service modules and call these; none of them
sets ``status`` itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.audit.services import audit_record
from biobank.errors import ConflictError
from biobank.ops.after_commit import after_commit

from ..choices import REQUEST_ALLOWED_TRANSITIONS, RESOURCE_ALLOWED_TRANSITIONS, RequestStatus, ResourceStatus
from ..models import AccessRequest, RequestEvent, RequestResource

logger = logging.getLogger(__name__)
EventListener = Callable[[int], None]
_listeners: list[EventListener] = []


class TransitionRefused(ConflictError):
    """A status change the table does not allow from the current status (409), with what is allowed instead."""


def on_request_event(listener: EventListener) -> None:
    """Call ``listener(event_id)`` in a worker after commit for every request event (notifications and webhooks
    register here); a lost task is redone by the listener's own catch-up."""
    if listener not in _listeners:
        _listeners.append(listener)


def _after_commit(event: RequestEvent) -> None:
    from ..tasks_events import event_listeners_run

    after_commit(event_listeners_run, event_id=event.pk)


def listeners_run(*, event_id: int) -> int:
    """Call every registered listener with ``event_id`` (in the worker); one failing never stops the others."""
    ran = 0
    for listener in list(_listeners):
        try:
            listener(event_id)
        except Exception:  # a listener's own catch-up redoes its work; the others must still run
            logger.exception("Listener %s failed on request event %s.", listener, event_id)
            continue
        ran += 1
    return ran


def _refuse(kind: str, current: str, to: str, allowed: frozenset[str], labels: Mapping[str, Any]) -> TransitionRefused:
    options = ", ".join(str(labels[s]) for s in sorted(allowed)) or _("none: this is a final state")
    return TransitionRefused(
        _("The %(kind)s is %(current)s; it cannot become %(to)s. From %(current)s it can become: %(options)s.")
        % {"kind": kind, "current": labels[current], "to": labels.get(to, to), "options": options},
        field="status",
        code="transition",
    )


def event_record(
    *,
    request: AccessRequest,
    actor: Any,
    kind: str,
    resource: RequestResource | None = None,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
    from_status: str = "",
    to_status: str = "",
    audit_obj: Any = None,
) -> RequestEvent:
    """One line in the request's log and one audit event (action ``access_request.<kind>``), in this transaction."""
    user = actor if getattr(actor, "is_authenticated", False) and hasattr(actor, "pk") else None
    event = RequestEvent.objects.create(
        request=request,
        resource=resource,
        actor=user,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=dict(data or {}),
    )
    changes = {"status": [from_status, to_status]} if to_status else None
    audit_record(
        actor=actor,
        action=f"access_request.{kind.replace('-', '_')}",
        obj=audit_obj or resource or request,
        biobank=resource.biobank_id if resource is not None else None,
        changes=changes,
        reason=reason or None,
        details={"request": request.number or request.pk, **({"data": dict(data)} if data else {})},
    )
    if resource is not None:
        RequestResource.objects.filter(pk=resource.pk).update(touched_at=timezone.now(), reminded_at=None)
    _after_commit(event)
    return event


@transaction.atomic
def request_transition(
    *, request: AccessRequest, to: str, actor: Any, reason: str = "", data: Mapping[str, Any] | None = None
) -> AccessRequest:
    """Move the request to ``to`` if the table allows it from its current (locked, fresh) status."""
    locked = AccessRequest.objects.select_for_update().get(pk=request.pk)
    allowed = REQUEST_ALLOWED_TRANSITIONS[locked.status]
    if to not in allowed:
        raise _refuse(str(_("request")), locked.status, to, allowed, dict(RequestStatus.choices))
    before = locked.status
    now = timezone.now()
    fields = {"status": to, "updated_at": now}
    if to == RequestStatus.SUBMITTED and locked.submitted_at is None:
        fields["submitted_at"] = now
    if to in (RequestStatus.DECIDED, RequestStatus.REJECTED):
        fields["decided_at"] = now
    if to in (RequestStatus.CLOSED, RequestStatus.WITHDRAWN, RequestStatus.REVOKED):
        fields["closed_at"] = now
    AccessRequest.objects.filter(pk=locked.pk).update(**fields)
    for name, value in fields.items():
        setattr(request, name, value)
    event_record(
        request=request, actor=actor, kind=f"request.{to}", reason=reason, data=data, from_status=before, to_status=to
    )
    return request


@transaction.atomic
def resource_transition(
    *, resource: RequestResource, to: str, actor: Any, reason: str = "", data: Mapping[str, Any] | None = None
) -> RequestResource:
    """Move one biobank's part of a request to ``to`` if the table allows it from its current status."""
    locked = RequestResource.objects.select_for_update().select_related("request").get(pk=resource.pk)
    allowed = RESOURCE_ALLOWED_TRANSITIONS[locked.status]
    if to not in allowed:
        raise _refuse(str(_("resource")), locked.status, to, allowed, dict(ResourceStatus.choices))
    before = locked.status
    RequestResource.objects.filter(pk=locked.pk).update(status=to)
    resource.status = to
    event_record(
        request=locked.request,
        resource=resource,
        actor=actor,
        kind=f"resource.{to}",
        reason=reason,
        data=data,
        from_status=before,
        to_status=to,
    )
    return resource


def request_number_assign(request: AccessRequest) -> str:
    """``AR-<year>-<id, 5 digits>``: stable, readable on the phone, unique because the id is."""
    if not request.number:
        request.number = f"AR-{timezone.localdate().year}-{request.pk:05d}"
        AccessRequest.objects.filter(pk=request.pk, number__isnull=True).update(number=request.number)
    return request.number
