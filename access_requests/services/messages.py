"""Messages on a request between the researcher's side and the biobanks (BBMRI-ERIC Negotiator: public and private).

The researcher (or a confirmed team member) writes to all parties or privately to one of the request's biobanks;
committee members and staff write to all, or privately within one of their own biobanks. A private message is read
only by that biobank's reviewers and the researcher's side (``messages_visible_to``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from biobank.accounts.models import Biobank, User
from biobank.errors import DomainError

from ..choices import MessageAudience, RequestStatus
from ..models import AccessRequest, RequestMessage
from ..selectors import request_get_for, reviewing_biobank_ids
from .workflow import event_record

MAX_BODY = 10_000


def is_researcher_side(*, user: Any, request: AccessRequest) -> bool:
    """The request's researcher or a confirmed team member."""
    user_id = getattr(user, "pk", None) or 0
    return request.researcher_id == user_id or request.team.filter(user_id=user_id, confirmed_at__isnull=False).exists()


def messages_visible_to(*, user: Any, request: AccessRequest) -> QuerySet[RequestMessage]:
    """The request's messages ``user`` may read: all for the researcher's side, public and their biobanks' private
    ones for reviewers."""
    messages = RequestMessage.objects.filter(request=request).select_related("author", "biobank")
    if is_researcher_side(user=user, request=request):
        return messages
    return messages.filter(Q(audience=MessageAudience.ALL) | Q(biobank_id__in=reviewing_biobank_ids(user=user)))


@transaction.atomic
def message_post(
    *,
    actor: User,
    request: AccessRequest,
    body: str,
    audience: str = MessageAudience.ALL,
    biobank: Biobank | None = None,
) -> RequestMessage:
    """Post a message on ``request`` (to all, or privately to/within one biobank of the request)."""
    request = request_get_for(user=actor, pk=request.pk)  # 404 for a request the actor cannot read
    if request.status == RequestStatus.DRAFT:
        raise DomainError(_("A draft has no one to write to yet; submit it first."), field="body", code="draft")
    body = body.strip()
    if not body:
        raise DomainError(_("The message is empty."), field="body", code="required")
    if len(body) > MAX_BODY:
        raise DomainError(
            _("The message has %(n)d characters; at most %(max)d are allowed.") % {"n": len(body), "max": MAX_BODY},
            field="body",
        )
    if audience not in MessageAudience.values:
        raise DomainError(_("The audience is “all” or “biobank”."), field="audience")
    request_biobanks = Biobank.objects.filter(request_resources__request=request)
    researcher = is_researcher_side(user=actor, request=request)
    allowed = request_biobanks if researcher else request_biobanks.filter(pk__in=reviewing_biobank_ids(user=actor))
    if audience == MessageAudience.ALL:
        biobank = None
    else:
        if biobank is None and not researcher and allowed.count() == 1:
            biobank = allowed.first()
        if biobank is None or not allowed.filter(pk=biobank.pk).exists():
            names = ", ".join(b.code for b in allowed) or _("none")
            raise DomainError(
                _("A private message names one biobank of the request that you may write to: %(names)s.")
                % {"names": names},
                field="biobank",
            )
    message = RequestMessage.objects.create(
        request=request, audience=audience, biobank=biobank, author=actor, body=body
    )
    event_record(
        request=request,
        actor=actor,
        kind="message.posted",
        data={"audience": audience, **({"biobank": biobank.code} if biobank else {})},
        audit_obj=message,
    )
    return message
