"""Who hears of a request event, and telling them: one in-app notification and one e-mail per person concerned,
and (through ``services.webhooks``) one delivery per partner endpoint subscribed to the event.

``parties_for(event)`` is the routing table's one reader: researcher side (the researcher and confirmed team
members), the committees of the request's biobanks, or only the committee of one biobank for what the committee
keeps to itself (votes, private comments, conflict declarations, assignments). The actor never hears of their own
action. ``event_dispatch`` runs after the event's transaction commits (a listener of
``workflow.on_request_event``) in its own transaction; ``EventDispatch`` marks an event done so the beat catch-up
(``access_requests.notifications_missing``) redoes exactly what a crash or an outage lost.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Iterable
from datetime import timedelta
from enum import Enum
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.emails import queue_email
from biobank.accounts.models import Biobank, User
from biobank.audit.services import audit_record

from ..choices import MessageAudience, RequestStatus, ResourceStatus
from ..models import (
    AccessRequest,
    CommitteeMember,
    EventDispatch,
    Notification,
    RequestEvent,
    TeamMember,
)

logger = logging.getLogger(__name__)


class Audience(Enum):
    RESEARCHER = "researcher side"  # the researcher and confirmed team members
    ALL_COMMITTEES = "committees of every biobank of the request"
    RESOURCE_COMMITTEE = "committee of the event's biobank"  # its resource's, else data["biobank_id"]
    MESSAGE = "researcher side + all committees, or + one biobank's committee for a private message"


R, ALL, ONE, MSG = Audience.RESEARCHER, Audience.ALL_COMMITTEES, Audience.RESOURCE_COMMITTEE, Audience.MESSAGE

# Event kind (shell pattern) → who hears of it. The first matching row wins; the last row is the default.
ROUTES: list[tuple[str, frozenset[Audience]]] = [
    ("request.submitted", frozenset({R, ALL})),
    ("request.*", frozenset({R})),
    ("resource.*", frozenset({R, ONE})),
    # the committee's own business: never the researcher
    ("vote.*", frozenset({ONE})),
    ("comment.*", frozenset({ONE})),
    ("conflict.*", frozenset({ONE})),
    ("assignment.*", frozenset({ONE})),
    ("reminder.*", frozenset({ONE})),
    ("message.*", frozenset({MSG})),
    ("*", frozenset({R, ONE})),  # release.downloaded, entitlement.expiring, withdrawal.notified, …
]


def route_for(kind: str) -> frozenset[Audience]:
    """The audiences of an event kind (the first matching row of ``ROUTES``)."""
    return next(audience for pattern, audience in ROUTES if fnmatch.fnmatchcase(kind, pattern))


def researcher_side_ids(request: AccessRequest) -> set[int]:
    team = TeamMember.objects.filter(request=request, confirmed_at__isnull=False, user__isnull=False)
    return {request.researcher_id, *team.values_list("user_id", flat=True)}


def committee_member_ids(biobank_ids: Iterable[int]) -> set[int]:
    """Active members of the committee responsible for each biobank: its own, else its network's."""
    ids = set(biobank_ids)
    if not ids:
        return set()
    biobanks = Biobank.objects.filter(pk__in=ids)
    own = Q(committee__biobank_id__in=ids)
    network = Q(
        committee__network_id__in=biobanks.filter(committee__isnull=True, network__isnull=False).values("network_id")
    )
    seats = CommitteeMember.objects.filter(own | network, active=True, user__is_active=True)
    return set(seats.values_list("user_id", flat=True))


def _event_biobank_id(event: RequestEvent) -> int | None:
    if event.resource is not None:
        return event.resource.biobank_id
    value = (event.data or {}).get("biobank_id")
    return int(value) if value else None


def _request_biobank_ids(event: RequestEvent) -> set[int]:
    return set(event.request.resources.values_list("biobank_id", flat=True))


def parties_for(event: RequestEvent) -> set[int]:
    """The ids of the people to tell of ``event`` (see ``ROUTES``), never its actor."""
    audience = route_for(event.kind)
    people: set[int] = set()
    if R in audience:
        people |= researcher_side_ids(event.request)
    if ALL in audience:
        people |= committee_member_ids(_request_biobank_ids(event))
    if ONE in audience:
        biobank_id = _event_biobank_id(event)
        people |= committee_member_ids([biobank_id] if biobank_id else [])
    if MSG in audience:
        people |= researcher_side_ids(event.request)
        data = event.data or {}
        if data.get("audience") == MessageAudience.BIOBANK:
            biobank_id = _event_biobank_id(event)
            people |= committee_member_ids([biobank_id] if biobank_id else [])
        else:
            people |= committee_member_ids(_request_biobank_ids(event))
    if event.actor_id is not None:
        people.discard(event.actor_id)
    return people


def request_url(request: AccessRequest) -> str:
    """The request's page (built by the request pages' helper); its notifications link there."""
    try:
        return reverse("access_requests:request_detail", args=[request.pk])
    except NoReverseMatch:
        return f"/requests/{request.pk}/"


def notification_text(event: RequestEvent) -> str:
    """One line, no free text from the event (a private comment or message stays on its page)."""
    number = event.request.number or _("draft")
    biobank = event.resource.biobank.name if event.resource is not None else ""
    kind = event.kind
    if kind.startswith("request.") and event.to_status in RequestStatus.values:
        status = RequestStatus(event.to_status).label
        return _("Request %(number)s is now: %(status)s.") % {"number": number, "status": status}
    if kind.startswith("resource.") and event.to_status in ResourceStatus.values:
        status = ResourceStatus(event.to_status).label
        return _("Request %(number)s at %(biobank)s is now: %(status)s.") % {
            "number": number,
            "biobank": biobank,
            "status": status,
        }
    if kind.startswith("vote."):
        return _("A committee vote was cast on request %(number)s.") % {"number": number}
    if kind.startswith("comment."):
        return _("A private committee comment was added to request %(number)s.") % {"number": number}
    if kind.startswith("message."):
        return _("A new message on request %(number)s.") % {"number": number}
    return _("Request %(number)s: %(what)s.") % {"number": number, "what": kind.replace(".", " ").replace("_", " ")}


def event_dispatch(*, event_id: int) -> EventDispatch | None:
    """Notify the event's parties (in-app + e-mail) and queue its webhook deliveries, once; ``None`` if done before.

    Atomic: the marker, the notifications, the e-mails and the deliveries commit together or not at all."""
    from .webhooks import webhook_deliveries_queue

    with transaction.atomic():
        event = RequestEvent.objects.select_related("request", "resource__biobank").get(pk=event_id)
        try:
            with transaction.atomic():
                dispatch = EventDispatch.objects.create(event=event)
        except IntegrityError:
            return None  # the listener and the catch-up met: the other one did it
        people = list(User.objects.filter(pk__in=parties_for(event), is_active=True).order_by("pk"))
        text = notification_text(event)
        url = request_url(event.request)
        Notification.objects.bulk_create(
            [Notification(user=person, request=event.request, event=event, text=text, url=url) for person in people]
        )
        for person in people:
            if person.email:
                queue_email(
                    template="access_requests/notification",
                    to=person.email,
                    context={"user": person, "text": text, "url": url, "number": event.request.number or ""},
                )
        dispatch.notified = len(people)
        dispatch.deliveries = webhook_deliveries_queue(event=event)
        dispatch.save(update_fields=["notified", "deliveries"])
        return dispatch


def event_dispatch_safely(event_id: int) -> None:
    """The listener: runs after the event's commit; an error is logged (the catch-up tries again), never raised."""
    try:
        event_dispatch(event_id=event_id)
    except Exception:
        logger.exception("Request event %s not dispatched; the catch-up will try again.", event_id)


def events_undispatched_catch_up(*, older_than: timedelta = timedelta(minutes=2), limit: int = 500) -> int:
    """Dispatch events older than ``older_than`` that have no ``EventDispatch`` yet; returns how many were done."""
    ids = list(
        RequestEvent.objects.filter(dispatch__isnull=True, created_at__lt=timezone.now() - older_than)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for event_id in ids:
        try:
            done += event_dispatch(event_id=event_id) is not None
        except Exception:
            logger.exception("Request event %s not dispatched by the catch-up.", event_id)
    return done


@transaction.atomic
def notifications_mark_read(*, actor: Any, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own notifications read (all unread ones when ``notification_ids`` is ``None``).

    Only the actor's rows are touched: someone else's id matches nothing. One audit event says how many."""
    rows = Notification.objects.filter(user_id=actor.pk, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    ids = list(rows.select_for_update().values_list("pk", flat=True))
    if not ids:
        return 0
    count = Notification.objects.filter(pk__in=ids).update(read_at=timezone.now())
    audit_record(
        actor=actor,
        action="access_request.notifications_read",
        object_type="access_requests.notification",
        object_id=ids[0] if len(ids) == 1 else None,
        details={"count": count},
    )
    return count
