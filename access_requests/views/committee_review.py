"""The committee's review pages: the queue (/requests/review/) and one resource's review screen
(/requests/review/<pk>/) with the DUO match beside the votes, and its actions (start, availability, conflict, vote,
comment, assignment, changes, decision) and the decision letter.

Reads go through ``review_resource_get_for`` (a resource of a biobank the person does not review is a 404); each
action calls its service, which decides who may (403) and what is valid (the message is shown on the screen)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError, ForbiddenError
from biobank.web.export import Column, export_format, export_links, export_response

from ..choices import RELEASE_ATTRIBUTES, CommitteeRole, ConditionKind, DecisionOutcome, VoteValue
from ..letters import decision_letter_filename, decision_letter_pdf
from ..models import CommitteeMember, Decision, RequestResource, ReviewAssignment
from ..review_match import resource_duo_match
from ..selectors import review_resource_get_for, review_resources_visible_to
from ..services.committees import committee_responsible, seat_of
from ..services.decisions import resource_decide, resource_tally
from ..services.messages import messages_visible_to
from ..services.review import (
    comment_add,
    conflict_declare,
    declaration_of,
    request_changes_request,
    request_review_start,
    resource_availability_set,
    reviewer_assign,
    vote_cast,
)


def _resource(request: AuthenticatedHttpRequest, pk: int) -> RequestResource:
    try:
        return review_resource_get_for(user=request.user, pk=pk)
    except RequestResource.DoesNotExist:
        raise Http404(_("No such request that you review.")) from None


# The committees' table of the queue page, as it shows it.
QUEUE_COLUMNS = (
    Column(gettext_lazy("Number"), "request.number"),
    Column(gettext_lazy("Title"), "request.title"),
    Column(gettext_lazy("Researcher"), "request.researcher.full_name"),
    Column(gettext_lazy("Biobank"), "biobank.name"),
    Column(gettext_lazy("Request status"), "request.get_status_display"),
    Column(gettext_lazy("Resource status"), "get_status_display"),
    Column(gettext_lazy("Submitted"), "request.submitted_at"),
)


@login_required
@require_GET
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """My reviews with their due dates, then every resource before its decision at the committees' biobanks; the
    export (``?format=``) is the second table, every row of it."""
    everything = review_resources_visible_to(user=request.user).order_by("-request__submitted_at", "pk")
    fmt = export_format(request)
    if fmt is not None:
        return export_response(items=everything, columns=QUEUE_COLUMNS, name="committee-requests", export_format=fmt)
    mine = (
        ReviewAssignment.objects.filter(reviewer=request.user, completed_at__isnull=True)
        .select_related("resource__request", "resource__biobank")
        .order_by("due_on", "pk")
    )
    context = {"mine": mine, "resources": everything[:200], "export": export_links(request)}
    return render(request, "access_requests/committee/queue.html", context)


@login_required
@require_GET
def review_screen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    resource = _resource(request, pk)
    access_request = resource.request
    seat = seat_of(user=request.user, resource=resource)
    committee = committee_responsible(resource.biobank)
    members = (
        CommitteeMember.objects.filter(committee=committee, active=True).select_related("user") if committee else []
    )
    context = {
        "resource": resource,
        "access_request": access_request,
        "seat": seat,
        "is_chair": seat is not None and seat.role == CommitteeRole.CHAIR,
        "declaration": declaration_of(user=request.user, request=access_request),
        "match": resource_duo_match(resource),
        "votes": resource.votes.select_related("voter"),
        "tally": resource_tally(resource) if committee else None,
        "comments": resource.comments.select_related("author"),
        "assignments": resource.assignments.select_related("reviewer"),
        "members": members,
        "decision": Decision.objects.filter(resource=resource).select_related("decided_by").first(),
        "conditions": resource.conditions.all(),
        "thread": messages_visible_to(user=request.user, request=access_request),
        "message_biobanks": [resource.biobank],
        "vote_values": VoteValue.choices,
        "outcomes": DecisionOutcome.choices,
        "condition_kinds": [c for c in ConditionKind.choices if c[0] != ConditionKind.DUO_MODIFIER],
        "attributes": list(RELEASE_ATTRIBUTES.items()),
        "back": request.path,
    }
    return render(request, "access_requests/committee/review.html", context)


def _date(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(_("“%(v)s” is not a date (YYYY-MM-DD).") % {"v": value}, field=field) from None


def _decide(request: AuthenticatedHttpRequest, resource: RequestResource) -> Any:
    post = request.POST
    conditions = [
        {"kind": kind, "text": post.get(f"condition_text_{kind}", ""), "due_on": post.get(f"condition_due_{kind}")}
        for kind in post.getlist("condition")
    ]
    return resource_decide(
        actor=request.user,
        resource=resource,
        outcome=post.get("outcome", ""),
        rationale=post.get("rationale", ""),
        conditions=conditions,
        attributes=post.getlist("attributes"),
        access_ends_on=_date(post.get("access_ends_on", ""), "access_ends_on"),
    )


def _assign(request: AuthenticatedHttpRequest, resource: RequestResource) -> Any:
    committee = committee_responsible(resource.biobank)
    seat = CommitteeMember.objects.filter(committee=committee, active=True, user_id=request.POST.get("reviewer") or 0)
    found = seat.select_related("user").first()
    if found is None:
        raise DomainError(_("Choose a member of the committee."), field="reviewer")
    due = _date(request.POST.get("due_on", ""), "due_on")
    return reviewer_assign(actor=request.user, resource=resource, reviewer=found.user, due_on=due)


ACTIONS: dict[str, tuple[Callable[[AuthenticatedHttpRequest, RequestResource], Any], str]] = {
    "start": (lambda r, res: request_review_start(actor=r.user, request=res.request), _("The review has started.")),
    "available": (
        lambda r, res: resource_availability_set(actor=r.user, resource=res, available=True),
        _("Marked available: the committee can vote."),
    ),
    "unavailable": (
        lambda r, res: resource_availability_set(
            actor=r.user, resource=res, available=False, reason=r.POST.get("reason", "")
        ),
        _("Marked unavailable."),
    ),
    "conflict": (
        lambda r, res: conflict_declare(
            actor=r.user,
            request=res.request,
            has_conflict=r.POST.get("has_conflict") == "yes",
            statement=r.POST.get("statement", ""),
        ),
        _("Your declaration is recorded."),
    ),
    "vote": (
        lambda r, res: vote_cast(
            actor=r.user, resource=res, value=r.POST.get("value", ""), rationale=r.POST.get("rationale", "")
        ),
        _("Your vote is recorded."),
    ),
    "comment": (
        lambda r, res: comment_add(actor=r.user, resource=res, text=r.POST.get("text", "")),
        _("Comment added."),
    ),
    "assign": (_assign, _("Reviewer assigned.")),
    "changes": (
        lambda r, res: request_changes_request(actor=r.user, request=res.request, reason=r.POST.get("reason", "")),
        _("The researcher is asked for changes."),
    ),
    "decide": (_decide, _("The decision is recorded.")),
}


@login_required
@require_POST
def review_act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    resource = _resource(request, pk)
    if action not in ACTIONS:
        raise Http404(_("No such action."))
    handler, done = ACTIONS[action]
    try:
        handler(request, resource)
    except ForbiddenError:
        raise  # the browser's 403 page
    except DomainError as error:
        messages.error(request, error.message)
    except RequestResource.DoesNotExist:
        raise Http404(_("No such request that you review.")) from None
    else:
        messages.success(request, str(done))
    return redirect("access_requests:review_screen", pk=resource.pk)


@login_required
@require_GET
def decision_letter(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The decision letter: for the committee (reviewers of the biobank) and the researcher's side."""
    decision = (
        Decision.objects.filter(resource_id=pk)
        .select_related("resource__request__researcher", "resource__biobank", "decided_by")
        .first()
    )
    if decision is None:
        raise Http404(_("No decision on this resource yet."))
    from ..selectors import requests_visible_to, resources_visible_to

    if not requests_visible_to(user=request.user).filter(pk=decision.resource.request_id).exists() or not (
        resources_visible_to(user=request.user, request=decision.resource.request).filter(pk=pk).exists()
    ):
        raise Http404(_("No decision on this resource yet."))
    response = HttpResponse(decision_letter_pdf(decision), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{decision_letter_filename(decision)}"'
    return response
