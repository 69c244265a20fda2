"""The committee's handling of a request before its decision: starting the review, availability, asking for changes,
conflict-of-interest declarations, reviewer assignment, votes beside the DUO match, and private comments.

Who may act: reviewers of the resource's biobank (``review_requests`` there or a committee seat) handle it; only
members with an active seat on the responsible committee (``committee_responsible``) declare, vote and comment; its
chair assigns. A resource the actor cannot read is a ``DoesNotExist`` (404); one they read but may not act on a
``ForbiddenError`` (403). Every refusal says what is wrong and what would be allowed.

Votes: one per member and resource, final once cast (a second vote is a 409) — a member who changes their mind says
so in a comment, and the chair's decision weighs it; this keeps the tally the decision records identical to the
votes the log shows.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.models import User
from biobank.audit.services import audit_record
from biobank.errors import ConflictError, DomainError, ForbiddenError

from ..choices import CommitteeRole, RequestStatus, ResourceStatus, VoteValue
from ..models import (
    AccessRequest,
    CommitteeComment,
    CommitteeMember,
    ConflictDeclaration,
    RequestResource,
    ReviewAssignment,
    Vote,
)
from ..review_match import resource_duo_match
from ..selectors import request_get_for, resources_visible_to, reviewing_biobank_ids
from .committees import committee_responsible, seat_of
from .workflow import event_record, request_transition, resource_transition


def _reviewable(*, actor: Any, resource: RequestResource) -> None:
    """404 unless ``actor`` reviews the resource's biobank."""
    if not reviewing_biobank_ids(user=actor).filter(pk=resource.biobank_id).exists():
        raise RequestResource.DoesNotExist(_("No such request resource that you review."))


def _seat(*, actor: Any, resource: RequestResource, doing: str) -> CommitteeMember:
    """The actor's active seat on the resource's committee: 404 if they cannot read it, 403 without a seat."""
    if not resources_visible_to(user=actor, request=resource.request).filter(pk=resource.pk).exists():
        raise RequestResource.DoesNotExist(_("No such request resource that you may see."))
    seat = seat_of(user=actor, resource=resource)
    if seat is None:
        raise ForbiddenError(
            _("You have no active seat on the committee that decides for %(biobank)s, so you cannot %(doing)s.")
            % {"biobank": resource.biobank, "doing": doing}
        )
    return seat


def _chair_seat(*, actor: Any, resource: RequestResource, doing: str) -> CommitteeMember:
    seat = _seat(actor=actor, resource=resource, doing=doing)
    if seat.role != CommitteeRole.CHAIR:
        raise ForbiddenError(
            _("Only the chair of the committee that decides for %(biobank)s can %(doing)s.")
            % {"biobank": resource.biobank, "doing": doing}
        )
    return seat


def declaration_of(*, user: Any, request: AccessRequest) -> ConflictDeclaration | None:
    return ConflictDeclaration.objects.filter(request=request, user_id=user.pk).first()


def is_recused(*, user: Any, request: AccessRequest) -> bool:
    return ConflictDeclaration.objects.filter(request=request, user_id=user.pk, has_conflict=True).exists()


def require_under_review(request: AccessRequest, *, doing: str) -> None:
    """Votes, assignments and decisions happen while the request as a whole is under review: not while the
    researcher is asked for changes, nor once it is withdrawn or decided (409 naming the request's state)."""
    status = AccessRequest.objects.values_list("status", flat=True).get(pk=request.pk)
    if status != RequestStatus.UNDER_REVIEW:
        raise ConflictError(
            _("The request is %(status)s; the committee can %(doing)s only while it is under review.")
            % {"status": RequestStatus(status).label, "doing": doing},
            field="status",
            code="transition",
        )


@transaction.atomic
def request_review_start(*, actor: User, request: AccessRequest) -> AccessRequest:
    """Start the review: a submitted request goes under review, and the actor's biobanks' contacted resources to
    checking availability (a second biobank starting later moves only its own resources)."""
    request_get_for(user=actor, pk=request.pk)  # a draft or a foreign request: 404
    request = AccessRequest.objects.select_for_update().get(pk=request.pk)
    mine = list(
        RequestResource.objects.filter(
            request=request, biobank_id__in=reviewing_biobank_ids(user=actor)
        ).select_related("biobank")
    )
    if not mine:
        raise ForbiddenError(_("You read this request but review none of its biobanks."))
    contacted = [r for r in mine if r.status == ResourceStatus.CONTACTED]
    if request.status != RequestStatus.UNDER_REVIEW:
        request_transition(request=request, to=RequestStatus.UNDER_REVIEW, actor=actor)
    elif not contacted:
        raise ConflictError(
            _("The review of this request has already started for your biobank(s); nothing is left to start."),
            field="status",
            code="transition",
        )
    for resource in contacted:
        resource_transition(resource=resource, to=ResourceStatus.CHECKING_AVAILABILITY, actor=actor)
    return request


@transaction.atomic
def resource_availability_set(
    *, actor: User, resource: RequestResource, available: bool, reason: str = ""
) -> RequestResource:
    """The biobank says whether it can serve its part: available (the committee votes) or unavailable (with why)."""
    resource.refresh_from_db()  # the state as stored now (and its request, re-read), not as the caller last saw it
    _reviewable(actor=actor, resource=resource)
    if resource.request.status != RequestStatus.UNDER_REVIEW:
        raise ConflictError(
            _("The request is %(status)s; availability is set while it is under review.")
            % {"status": resource.request.get_status_display()},
            field="status",
            code="transition",
        )
    if not available and not reason.strip():
        raise DomainError(
            _("Say why the resource is unavailable (reason is required)."), field="reason", code="required"
        )
    to = ResourceStatus.AVAILABLE if available else ResourceStatus.UNAVAILABLE
    resource_transition(resource=resource, to=to, actor=actor, reason=reason.strip())
    if not available:
        from .decisions import request_rollup

        request_rollup(request=resource.request, actor=actor)
    return resource


@transaction.atomic
def request_changes_request(*, actor: User, request: AccessRequest, reason: str) -> AccessRequest:
    """A chair of one of the request's biobanks sends it back to the researcher (under review → changes requested)."""
    request = request_get_for(user=actor, pk=request.pk)  # a draft or a foreign request: 404
    resources = list(
        RequestResource.objects.filter(
            request=request, biobank_id__in=reviewing_biobank_ids(user=actor)
        ).select_related("biobank")
    )
    if not resources:
        raise ForbiddenError(_("You read this request but review none of its biobanks."))
    seats = [seat_of(user=actor, resource=r) for r in resources]
    if not any(s is not None and s.role == CommitteeRole.CHAIR for s in seats):
        raise ForbiddenError(_("Only the chair of a committee deciding on this request can ask for changes."))
    if not reason.strip():
        raise DomainError(
            _("Say what the researcher should change (reason is required)."), field="reason", code="required"
        )
    return request_transition(request=request, to=RequestStatus.CHANGES_REQUESTED, actor=actor, reason=reason.strip())


@transaction.atomic
def conflict_declare(
    *, actor: User, request: AccessRequest, has_conflict: bool, statement: str = ""
) -> ConflictDeclaration:
    """A member's conflict-of-interest declaration on a request, once; a conflict recuses them (no vote, no
    assignment: their assignments on the request are withdrawn) but they still read it."""
    request = request_get_for(user=actor, pk=request.pk)  # a draft or a foreign request: 404
    resources = list(
        RequestResource.objects.filter(
            request=request, biobank_id__in=reviewing_biobank_ids(user=actor)
        ).select_related("biobank")
    )
    if not resources:
        raise ForbiddenError(_("You read this request but review none of its biobanks."))
    if not any(seat_of(user=actor, resource=r) for r in resources):
        raise ForbiddenError(_("Only members of a committee deciding on this request declare conflicts of interest."))
    if has_conflict and not statement.strip():
        raise DomainError(
            _("Describe the conflict of interest (statement is required)."), field="statement", code="required"
        )
    try:
        with transaction.atomic():
            declaration = ConflictDeclaration.objects.create(
                request=request, user=actor, has_conflict=has_conflict, statement=statement.strip()
            )
    except IntegrityError:
        raise ConflictError(
            _("You have already declared on this request; a declaration is made once."),
            field="has_conflict",
            code="declared",
        ) from None
    if has_conflict:
        ReviewAssignment.objects.filter(resource__request=request, reviewer=actor).delete()
    event_record(
        request=request,
        actor=actor,
        kind="conflict.declared",
        data={"has_conflict": has_conflict},
        audit_obj=declaration,
    )
    return declaration


@transaction.atomic
def reviewer_assign(
    *, actor: User, resource: RequestResource, reviewer: User, due_on: date | None = None
) -> ReviewAssignment:
    """The chair assigns a member (active seat, not recused) to review the resource by ``due_on``
    (default: today + the committee's days to review)."""
    _chair_seat(actor=actor, resource=resource, doing=_("assign reviewers"))
    require_under_review(resource.request, doing=_("assign reviewers"))
    committee = committee_responsible(resource.biobank)
    assert committee is not None
    if not CommitteeMember.objects.filter(committee=committee, user=reviewer, active=True).exists():
        raise DomainError(
            _("%(user)s has no active seat on %(committee)s; assign one of its members.")
            % {"user": reviewer, "committee": committee},
            field="reviewer",
        )
    if is_recused(user=reviewer, request=resource.request):
        raise DomainError(
            _("%(user)s declared a conflict of interest on this request and is recused.") % {"user": reviewer},
            field="reviewer",
            code="recused",
        )
    if resource.status not in (ResourceStatus.CHECKING_AVAILABILITY, ResourceStatus.AVAILABLE):
        raise ConflictError(
            _("The resource is %(status)s; reviewers are assigned while availability is checked or votes are cast.")
            % {"status": resource.get_status_display()},
            field="status",
            code="transition",
        )
    due = due_on or timezone.localdate() + timedelta(days=committee.review_days)
    if due < timezone.localdate():
        raise DomainError(_("The due date %(due)s is in the past.") % {"due": due}, field="due_on")
    try:
        with transaction.atomic():
            assignment = ReviewAssignment.objects.create(
                resource=resource, reviewer=reviewer, due_on=due, assigned_by=actor
            )
    except IntegrityError:
        raise ConflictError(
            _("%(user)s is already assigned to this resource.") % {"user": reviewer}, field="reviewer", code="assigned"
        ) from None
    event_record(
        request=resource.request,
        resource=resource,
        actor=actor,
        kind="reviewer.assigned",
        data={"reviewer": reviewer.pk, "due_on": due.isoformat()},
        audit_obj=assignment,
    )
    return assignment


@transaction.atomic
def vote_cast(*, actor: User, resource: RequestResource, value: str, rationale: str) -> Vote:
    """A member's vote with its rationale; the DUO match the voter saw is stored beside it."""
    resource.refresh_from_db()  # the state as stored now (and its request, re-read), not as the caller last saw it
    resource = RequestResource.objects.select_for_update().select_related("request", "biobank").get(pk=resource.pk)
    _seat(actor=actor, resource=resource, doing=_("vote on it"))
    declaration = declaration_of(user=actor, request=resource.request)
    if declaration is None:
        raise ConflictError(
            _("Declare whether you have a conflict of interest on this request before you vote."),
            field="conflict",
            code="undeclared",
        )
    if declaration.has_conflict:
        raise ForbiddenError(_("You declared a conflict of interest on this request and are recused: you cannot vote."))
    if hasattr(resource, "decision"):
        raise ConflictError(
            _("The committee has already decided on this resource; a vote after the decision is not counted."),
            field="value",
            code="decided",
        )
    require_under_review(resource.request, doing=_("vote"))
    if resource.status != ResourceStatus.AVAILABLE:
        raise ConflictError(
            _("The resource is %(status)s; votes are cast once the biobank has said it is available.")
            % {"status": resource.get_status_display()},
            field="status",
            code="transition",
        )
    if value not in VoteValue.values:
        raise DomainError(_("Vote approve or reject."), field="value")
    if not rationale.strip():
        raise DomainError(_("Give the rationale for your vote."), field="rationale", code="required")
    match = resource_duo_match(resource)
    try:
        with transaction.atomic():
            vote = Vote.objects.create(
                resource=resource,
                voter=actor,
                value=value,
                rationale=rationale.strip(),
                duo_decision=match["decision"],
            )
    except IntegrityError:
        raise ConflictError(
            _("You have already voted on this resource; a vote is final once cast."), field="value", code="voted"
        ) from None
    ReviewAssignment.objects.filter(resource=resource, reviewer=actor, completed_at__isnull=True).update(
        completed_at=timezone.now()
    )
    event_record(
        request=resource.request,
        resource=resource,
        actor=actor,
        kind="vote.cast",
        data={"value": value, "duo_decision": match["decision"]},
        audit_obj=vote,
    )
    return vote


@transaction.atomic
def comment_add(*, actor: User, resource: RequestResource, text: str) -> CommitteeComment:
    """A private note among the committee (never shown to the researcher)."""
    _seat(actor=actor, resource=resource, doing=_("comment"))
    if not text.strip():
        raise DomainError(_("The comment is empty."), field="text", code="required")
    comment = CommitteeComment.objects.create(resource=resource, author=actor, text=text.strip())
    # Audited but not in the request's own log: that log is shown to the researcher, the comment is private.
    audit_record(
        actor=actor,
        action="access_request.comment_add",
        obj=comment,
        biobank=resource.biobank_id,
        details={"request": resource.request.number or resource.request_id},
    )
    return comment
