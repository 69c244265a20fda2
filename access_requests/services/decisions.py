"""The committee's decision on one resource, by its rule, and the request's roll-up over its resources.

Rules (``Committee.decision_rule``), counted over the votes of non-recused members:

- **majority**: at least ``quorum`` votes; more approvals than rejections approves, more rejections rejects; a tie is
  broken by the chair's own vote, and without it there is no decision yet;
- **unanimity**: at least ``quorum`` votes; all approving approves, any rejection rejects;
- **chair decides**: the chair's own vote is the decision (quorum not needed).

The chair (``decide_requests`` and the chair seat) records the decision; one the rule does not support is refused
with the tally in the message. Approval sets the conditions (structured ones, plus one ``duo_modifier`` condition
per DUO term the match abstained on), the approved release attributes and the access end date, and moves the
resource to conditions indicated; rejection makes it unavailable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.choices import Perm
from biobank.accounts.models import User
from biobank.accounts.selectors import biobank_ids_with_perm
from biobank.errors import ConflictError, DomainError, ForbiddenError

from ..choices import (
    RELEASE_ATTRIBUTES,
    CommitteeRole,
    ConditionKind,
    DecisionOutcome,
    DecisionRule,
    RequestStatus,
    ResourceStatus,
    VoteValue,
)
from ..models import AccessRequest, Condition, ConflictDeclaration, Decision, RequestResource, Vote
from ..review_match import resource_duo_match
from .committees import committee_responsible
from .review import _chair_seat, declaration_of, require_under_review
from .workflow import request_transition, resource_transition

BEFORE_DECISION = frozenset({ResourceStatus.CONTACTED, ResourceStatus.CHECKING_AVAILABILITY, ResourceStatus.AVAILABLE})
APPROVED_STATES = frozenset(
    {ResourceStatus.CONDITIONS_INDICATED, ResourceStatus.CONDITIONS_ACCEPTED, ResourceStatus.ACCESS_GRANTED}
)


@dataclass(frozen=True)
class Tally:
    """What the votes say under a rule: counts, the chair's vote, and the outcome (None: no decision yet)."""

    rule: str
    quorum: int
    approve: int
    reject: int
    recused: int
    chair_vote: str | None
    outcome: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        return _(
            "%(approve)d approve, %(reject)d reject (quorum %(quorum)d, rule: %(rule)s, chair's vote: %(chair)s, "
            "%(recused)d recused)"
        ) % {
            "approve": self.approve,
            "reject": self.reject,
            "quorum": self.quorum,
            "rule": DecisionRule(self.rule).label,
            "chair": self.chair_vote or _("none"),
            "recused": self.recused,
        }


def tally_outcome(*, rule: str, quorum: int, approve: int, reject: int, chair_vote: str | None) -> str | None:
    """The outcome the rule gives for these counts (``DecisionOutcome`` value), or None while it gives none."""
    if rule == DecisionRule.CHAIR:
        if chair_vote is None:
            return None
        return DecisionOutcome.APPROVED if chair_vote == VoteValue.APPROVE else DecisionOutcome.REJECTED
    if approve + reject < quorum:
        return None
    if rule == DecisionRule.UNANIMITY:
        return DecisionOutcome.REJECTED if reject else DecisionOutcome.APPROVED
    if approve > reject:
        return DecisionOutcome.APPROVED
    if reject > approve:
        return DecisionOutcome.REJECTED
    if chair_vote is None:
        return None
    return DecisionOutcome.APPROVED if chair_vote == VoteValue.APPROVE else DecisionOutcome.REJECTED


def resource_tally(resource: RequestResource) -> Tally:
    """Count the resource's votes (recused members' votes excluded) under its committee's rule."""
    committee = committee_responsible(resource.biobank)
    if committee is None:
        raise DomainError(
            _("%(biobank)s has no committee to decide.") % {"biobank": resource.biobank}, code="committee"
        )
    recused = set(
        ConflictDeclaration.objects.filter(request_id=resource.request_id, has_conflict=True).values_list(
            "user_id", flat=True
        )
    )
    chair_id = committee.members.filter(role=CommitteeRole.CHAIR, active=True).values_list("user_id", flat=True).first()
    approve = reject = 0
    chair_vote = None
    for voter_id, value in Vote.objects.filter(resource=resource).values_list("voter_id", "value"):
        if voter_id in recused:
            continue
        approve += value == VoteValue.APPROVE
        reject += value == VoteValue.REJECT
        if voter_id == chair_id:
            chair_vote = value
    outcome = tally_outcome(
        rule=committee.decision_rule, quorum=committee.quorum, approve=approve, reject=reject, chair_vote=chair_vote
    )
    return Tally(committee.decision_rule, committee.quorum, approve, reject, len(recused), chair_vote, outcome)


def _conditions(conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for position, item in enumerate(conditions, start=1):
        kind = item.get("kind", "")
        if kind not in ConditionKind.values or kind == ConditionKind.DUO_MODIFIER:
            allowed = ", ".join(v for v in ConditionKind.values if v != ConditionKind.DUO_MODIFIER)
            raise DomainError(
                _("Condition %(n)d: unknown kind “%(kind)s”; allowed: %(allowed)s.")
                % {"n": position, "kind": kind, "allowed": allowed},
                field=f"conditions[{position - 1}].kind",
            )
        text = str(item.get("text") or "").strip()
        due_on = item.get("due_on") or None
        if isinstance(due_on, str):
            try:
                due_on = date.fromisoformat(due_on)
            except ValueError:
                raise DomainError(
                    _("Condition %(n)d: “%(v)s” is not a date (YYYY-MM-DD).") % {"n": position, "v": due_on},
                    field=f"conditions[{position - 1}].due_on",
                ) from None
        if kind == ConditionKind.DATA_DESTRUCTION and due_on is None:
            raise DomainError(
                _("Condition %(n)d: data destruction needs the date by which the data are destroyed.")
                % {"n": position},
                field=f"conditions[{position - 1}].due_on",
            )
        if kind == ConditionKind.OTHER and not text:
            raise DomainError(
                _("Condition %(n)d: an “other” condition needs its text.") % {"n": position},
                field=f"conditions[{position - 1}].text",
            )
        rows.append({"kind": kind, "text": text, "due_on": due_on})
    return rows


@transaction.atomic
def resource_decide(
    *,
    actor: User,
    resource: RequestResource,
    outcome: str,
    rationale: str,
    conditions: list[dict[str, Any]] | None = None,
    attributes: list[str] | None = None,
    access_ends_on: date | None = None,
) -> Decision:
    """The chair records the committee's decision on one resource, if its rule supports ``outcome``."""
    resource.refresh_from_db()  # the state as stored now (and its request, re-read), not as the caller last saw it
    resource = RequestResource.objects.select_for_update().select_related("request", "biobank").get(pk=resource.pk)
    _chair_seat(actor=actor, resource=resource, doing=_("decide"))
    if not biobank_ids_with_perm(user=actor, perm=Perm.DECIDE_REQUESTS).filter(pk=resource.biobank_id).exists():
        raise ForbiddenError(_("Deciding needs the DAC chair role on %(biobank)s.") % {"biobank": resource.biobank})
    if Decision.objects.filter(resource=resource).exists():
        raise ConflictError(_("This resource is already decided."), field="outcome", code="decided")
    require_under_review(resource.request, doing=_("decide"))
    declaration = declaration_of(user=actor, request=resource.request)
    if declaration is None:
        raise ConflictError(
            _("Declare whether you have a conflict of interest on this request before you decide."),
            field="conflict",
            code="undeclared",
        )
    if declaration.has_conflict:
        raise ForbiddenError(
            _("You declared a conflict of interest on this request and are recused: you cannot decide.")
        )
    if resource.status != ResourceStatus.AVAILABLE:
        raise ConflictError(
            _("The resource is %(status)s; the committee decides once it is available and voted on.")
            % {"status": resource.get_status_display()},
            field="status",
            code="transition",
        )
    if outcome not in DecisionOutcome.values:
        raise DomainError(_("The outcome is approved or rejected."), field="outcome")
    if not rationale.strip():
        raise DomainError(_("Give the rationale for the decision."), field="rationale", code="required")
    tally = resource_tally(resource)
    if tally.outcome != outcome:
        supported = DecisionOutcome(tally.outcome).label if tally.outcome else _("no decision yet")
        raise ConflictError(
            _("The votes do not support “%(outcome)s”: %(tally)s gives %(supported)s.")
            % {"outcome": DecisionOutcome(outcome).label, "tally": tally.describe(), "supported": supported},
            field="outcome",
            code="tally",
        )
    attributes = list(attributes or [])
    unknown = [a for a in attributes if a not in RELEASE_ATTRIBUTES]
    if unknown:
        raise DomainError(
            _("Unknown release attributes: %(unknown)s; allowed: %(allowed)s.")
            % {"unknown": ", ".join(unknown), "allowed": ", ".join(RELEASE_ATTRIBUTES)},
            field="attributes",
        )
    approved = outcome == DecisionOutcome.APPROVED
    rows = _conditions(conditions or []) if approved else []
    if approved and access_ends_on is not None and access_ends_on <= timezone.localdate():
        raise DomainError(_("The access end date must be in the future."), field="access_ends_on")
    match = resource_duo_match(resource)
    decision = Decision.objects.create(
        resource=resource,
        outcome=outcome,
        rationale=rationale.strip(),
        duo_match=dict(match),
        tally=tally.as_dict(),
        decided_by=actor,
        access_ends_on=access_ends_on if approved else None,
    )
    if approved:
        for row in rows:
            Condition.objects.create(resource=resource, created_by=actor, **row)
        for item in match["conditions"]:
            Condition.objects.create(
                resource=resource,
                kind=ConditionKind.DUO_MODIFIER,
                text=item["label"],
                duo_term=item["term"],
                created_by=actor,
            )
        RequestResource.objects.filter(pk=resource.pk).update(approved_attributes=attributes)
        resource.approved_attributes = attributes
    resource_transition(
        resource=resource,
        to=ResourceStatus.CONDITIONS_INDICATED if approved else ResourceStatus.UNAVAILABLE,
        actor=actor,
        reason=rationale.strip(),
        data={"outcome": outcome, "tally": tally.as_dict(), "duo": match["decision"]},
    )
    request_rollup(request=resource.request, actor=actor)
    return decision


@transaction.atomic
def request_rollup(*, request: AccessRequest, actor: Any) -> AccessRequest:
    """Once no resource is still before a decision: any approved → the request is decided; all unavailable →
    rejected. Otherwise (or when the request is not under review) nothing changes."""
    request = AccessRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.UNDER_REVIEW:
        return request
    statuses = set(RequestResource.objects.filter(request=request).values_list("status", flat=True))
    if not statuses or statuses & BEFORE_DECISION:
        return request
    if statuses & APPROVED_STATES:
        return request_transition(request=request, to=RequestStatus.DECIDED, actor=actor)
    if statuses == {ResourceStatus.UNAVAILABLE}:
        return request_transition(request=request, to=RequestStatus.REJECTED, actor=actor)
    return request
