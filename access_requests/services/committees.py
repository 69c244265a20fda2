"""Data-access committees: who decides for a biobank (its own DAC, else its network's), creating and editing a
committee, and adding and removing its members (one active chair).

A committee is managed by the biobank's administrators (``manage_members``) or its DAC chair (``decide_requests``);
a network's committee by the administrators of any biobank of the network. Members are chosen among the people
holding a DAC role (``review_requests``) on the biobank (or on a biobank of the network); the chair also needs
``decide_requests``.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from guardian.shortcuts import get_users_with_perms

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank, Network, User
from biobank.accounts.selectors import biobank_ids_with_perm
from biobank.audit.services import audit_record
from biobank.errors import ConflictError, DomainError, ForbiddenError

from ..choices import CommitteeRole, DecisionRule
from ..models import Committee, CommitteeMember, RequestResource


def committee_responsible(biobank: Biobank) -> Committee | None:
    """The committee that decides for ``biobank``: its own, else its network's, else none."""
    own = Committee.objects.filter(biobank_id=biobank.pk).first()
    if own is not None or biobank.network_id is None:
        return own
    return Committee.objects.filter(network_id=biobank.network_id).first()


def seat_of(*, user: Any, resource: RequestResource) -> CommitteeMember | None:
    """``user``'s active seat on the committee responsible for the resource's biobank (None without one)."""
    committee = committee_responsible(resource.biobank)
    if committee is None or not getattr(user, "is_authenticated", False):
        return None
    return CommitteeMember.objects.filter(committee=committee, user_id=user.pk, active=True).first()


def _committee_biobanks(committee: Committee) -> QuerySet[Biobank]:
    if committee.biobank_id is not None:
        return Biobank.objects.filter(pk=committee.biobank_id)
    return Biobank.objects.filter(network__committee=committee)


def committee_may_manage(*, user: Any, biobank: Biobank | None = None, network: Network | None = None) -> bool:
    """Whether ``user`` manages the committee of ``biobank`` (admin or DAC chair) or of ``network`` (an admin)."""
    if biobank is not None:
        admins = biobank_ids_with_perm(user=user, perm=Perm.MANAGE_MEMBERS)
        chairs = biobank_ids_with_perm(user=user, perm=Perm.DECIDE_REQUESTS)
        return Biobank.objects.filter(Q(pk__in=admins) | Q(pk__in=chairs), pk=biobank.pk).exists()
    if network is not None:
        admins = biobank_ids_with_perm(user=user, perm=Perm.MANAGE_MEMBERS)
        return Biobank.objects.filter(pk__in=admins, network_id=network.pk).exists()
    return False


def _check_settings(*, name: str, decision_rule: str, quorum: int, review_days: int) -> None:
    if not name.strip():
        raise DomainError(_("The committee needs a name."), field="name", code="required")
    if decision_rule not in DecisionRule.values:
        raise DomainError(
            _("Unknown decision rule “%(rule)s”; allowed: %(allowed)s.")
            % {"rule": decision_rule, "allowed": ", ".join(DecisionRule.values)},
            field="decision_rule",
        )
    if quorum < 1:
        raise DomainError(_("The quorum must be at least 1 vote."), field="quorum")
    if not 1 <= review_days <= 365:
        raise DomainError(_("Days to review must be between 1 and 365."), field="review_days")


@transaction.atomic
def committee_create(
    *,
    actor: User,
    name: str,
    biobank: Biobank | None = None,
    network: Network | None = None,
    decision_rule: str = DecisionRule.MAJORITY,
    quorum: int = 2,
    review_days: int = 14,
) -> Committee:
    """Create the DAC of ``biobank`` or of ``network`` (exactly one of them)."""
    if (biobank is None) == (network is None):
        raise DomainError(_("A committee belongs to one biobank or to one network."), field="biobank")
    if not committee_may_manage(user=actor, biobank=biobank, network=network):
        raise ForbiddenError(_("Only the biobank's administrators or DAC chair manage its committee."))
    _check_settings(name=name, decision_rule=decision_rule, quorum=quorum, review_days=review_days)
    try:
        with transaction.atomic():
            committee = Committee.objects.create(
                biobank=biobank,
                network=network,
                name=name.strip(),
                decision_rule=decision_rule,
                quorum=quorum,
                review_days=review_days,
            )
    except IntegrityError:
        raise ConflictError(
            _("This biobank or network already has a committee; edit it instead."), code="exists"
        ) from None
    audit_record(
        actor=actor,
        action="access_request.committee_create",
        obj=committee,
        biobank=biobank,
        details={"rule": decision_rule, "quorum": quorum, "review_days": review_days},
    )
    return committee


@transaction.atomic
def committee_update(
    *, actor: User, committee: Committee, name: str, decision_rule: str, quorum: int, review_days: int
) -> Committee:
    """Change the committee's name, rule, quorum or review time (votes cast keep counting under the new rule)."""
    if not committee_may_manage(user=actor, biobank=committee.biobank, network=committee.network):
        raise ForbiddenError(_("Only the biobank's administrators or DAC chair manage its committee."))
    _check_settings(name=name, decision_rule=decision_rule, quorum=quorum, review_days=review_days)
    before = {f: getattr(committee, f) for f in ("name", "decision_rule", "quorum", "review_days")}
    after = {"name": name.strip(), "decision_rule": decision_rule, "quorum": quorum, "review_days": review_days}
    for field, value in after.items():
        setattr(committee, field, value)
    committee.save(update_fields=list(after))
    changes = {f: [before[f], after[f]] for f in after if before[f] != after[f]}
    audit_record(
        actor=actor, action="access_request.committee_update", obj=committee, biobank=committee.biobank, changes=changes
    )
    return committee


def committee_candidates(committee: Committee) -> QuerySet[User]:
    """People who may sit on ``committee``: active users with a DAC role (``review_requests``) on one of its
    biobanks (guardian group object permissions, as the roles grant them)."""
    ids: set[int] = set()
    for biobank in _committee_biobanks(committee):
        users = get_users_with_perms(
            biobank, only_with_perms_in=[Perm.REVIEW_REQUESTS.value], with_group_users=True, with_superusers=False
        )
        ids.update(user.pk for user in users if isinstance(user, User))
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "email")


@transaction.atomic
def committee_member_add(
    *, actor: User, committee: Committee, user: User, role: str = CommitteeRole.MEMBER
) -> CommitteeMember:
    """Seat ``user`` (a holder of a DAC role on the committee's biobank) as member or chair; one active chair."""
    if not committee_may_manage(user=actor, biobank=committee.biobank, network=committee.network):
        raise ForbiddenError(_("Only the biobank's administrators or DAC chair manage its committee."))
    if role not in CommitteeRole.values:
        raise DomainError(_("Unknown role; allowed: member, chair."), field="role")
    biobanks = _committee_biobanks(committee)
    needed = Perm.DECIDE_REQUESTS if role == CommitteeRole.CHAIR else Perm.REVIEW_REQUESTS
    if not biobanks.filter(pk__in=biobank_ids_with_perm(user=user, perm=needed)).exists():
        raise DomainError(
            _(
                "%(user)s holds no DAC role on the committee's biobank; a member needs the DAC member or DAC "
                "chair role, a chair the DAC chair role."
            )
            % {"user": user},
            field="user",
            code="role",
        )
    if role == CommitteeRole.CHAIR:
        current = committee.members.filter(role=CommitteeRole.CHAIR, active=True).exclude(user=user).first()
        if current is not None:
            raise ConflictError(
                _("%(chair)s is the committee's active chair; remove them first (one active chair).")
                % {"chair": current.user},
                field="role",
                code="chair",
            )
    seat, created = CommitteeMember.objects.get_or_create(
        committee=committee, user=user, defaults={"role": role, "active": True}
    )
    if not created:
        if seat.active and seat.role == role:
            raise ConflictError(_("%(user)s already sits on this committee.") % {"user": user}, field="user")
        seat.role, seat.active = role, True
        seat.save(update_fields=["role", "active"])
    audit_record(
        actor=actor,
        action="access_request.committee_member_add",
        obj=committee,
        biobank=committee.biobank,
        details={"user": user.pk, "role": role},
    )
    return seat


@transaction.atomic
def committee_member_remove(*, actor: User, seat: CommitteeMember) -> CommitteeMember:
    """Take a seat away (kept inactive: past votes still name their voter)."""
    committee = seat.committee
    if not committee_may_manage(user=actor, biobank=committee.biobank, network=committee.network):
        raise ForbiddenError(_("Only the biobank's administrators or DAC chair manage its committee."))
    if not seat.active:
        raise ConflictError(_("%(user)s no longer sits on this committee.") % {"user": seat.user}, field="user")
    seat.active = False
    seat.save(update_fields=["active"])
    audit_record(
        actor=actor,
        action="access_request.committee_member_remove",
        obj=committee,
        biobank=committee.biobank,
        details={"user": seat.user_id, "role": seat.role},
    )
    return seat
