"""The consent gate: may this donor's material or data be used for this purpose, at this date, as known then?

Everything that hands material or data out asks here. The answer is PERMITTED, DENIED or UNKNOWN with a reason and
the acts it rests on; "unknown counts as denied" unless the caller says otherwise. The rules are those of
docs/consent.md ("The donor's timeline"), after ../shared/docs/consent-model.md:

1. **The whole person.** A donor is its merge family: every donor merged into it and the one it was merged into,
   transitively, both ways. Asking with any PID of the family gives the family's answer, naming the current donor.
2. **Two times.** ``at`` is the date of the intended use; ``as_known_at`` the moment whose knowledge is used
   (default: now). Only acts recorded by ``as_known_at`` count, without those of consents invalidated by then.
3. **The fold** (``consent.timeline``): per policy code, the act with the latest effective date up to ``at``
   decides, on any document and any policy version; a withdrawal denies every consent signed before it, a consent
   signed after it counts again. An accepted act past its validity is expired.
4. **Roll-up.** accepted → PERMITTED; declined, refused, withdrawn, expired → DENIED; an unanswered module, a policy
   the donor was never asked about (``not_asked``), no act at all (``no_consent``) → UNKNOWN.
5. **DUO purposes** carry the class (material or data) and the action (use, transfer, store, …): only policies of
   that class and action answer. If any of them that covers the purpose is denied, the answer is denied; else an
   accepted policy whose DUO terms APPROVE permits; one whose terms ABSTAIN gives ``needs_committee`` (DENIED, with
   the conditions); never permitted by the gate alone.

``permitted_many`` answers for many donors in a constant number of queries (three), whatever their number.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.errors import DomainError

from .choices import ActOrigin, InvalidationStatus, PolicyAction, PolicyDataClass
from .choices import PolicyStateValue as S
from .duo import Match, duo_covers, duo_match, duo_purpose_resolve, duo_terms
from .models import ConsentInvalidation, Donor, Policy, PolicyState
from .timeline import DENYING, Act, Decision, decide, decide_per_code


class Answer(enum.StrEnum):
    PERMITTED = "permitted"
    DENIED = "denied"
    UNKNOWN = "unknown"


ROLL_UP: dict[str, Answer] = {
    S.ACCEPTED: Answer.PERMITTED,
    S.DECLINED: Answer.DENIED,
    S.REFUSED: Answer.DENIED,
    S.WITHDRAWN: Answer.DENIED,
    S.EXPIRED: Answer.DENIED,
    S.UNKNOWN: Answer.UNKNOWN,
    S.NOT_ASKED: Answer.UNKNOWN,
}
# A question about material asks the biomaterial policies; one about data the patient-data (and insurance-data)
# policies. The names people use are accepted too. A question that does not say asks every class: then a denial of
# any covering policy, of any class, denies (never a data policy answering for samples alone).
DATA_CLASSES: dict[str, tuple[str, ...]] = {
    "any": tuple(PolicyDataClass.values),
    PolicyDataClass.BIOMATERIAL: (PolicyDataClass.BIOMATERIAL,),
    "material": (PolicyDataClass.BIOMATERIAL,),
    PolicyDataClass.MEDICAL_DATA: (PolicyDataClass.MEDICAL_DATA,),
    "data": (PolicyDataClass.MEDICAL_DATA, PolicyDataClass.INSURANCE_DATA),
    PolicyDataClass.INSURANCE_DATA: (PolicyDataClass.INSURANCE_DATA,),
}


@dataclass(frozen=True)
class StateUsed:
    """One act the answer rests on, with its effective state on the asked date."""

    row_id: int
    consent_id: int | None
    policy_id: int
    policy_code: str
    policy_version: str
    module_code: str
    state: str  # as stored, or "expired"
    valid_from: date
    valid_to: date | None
    recorded_at: datetime
    donor_id: int = 0
    origin: str = "signature"


@dataclass(frozen=True)
class GateResult:
    donor_id: int  # the donor asked about
    answer: Answer
    code: str  # accepted, declined, refused, withdrawn, expired, unknown, not_asked, no_consent, needs_committee, …
    reason: str
    allowed: bool
    states: tuple[StateUsed, ...] = ()
    conditions: tuple[str, ...] = field(default=())
    current_donor_id: int = 0  # the donor that stands for the person now (the end of the merge chain)
    current_pid: str = ""

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def consent_ids(self) -> list[int]:
        return sorted({s.consent_id for s in self.states if s.consent_id is not None})


@dataclass(frozen=True)
class Question:
    """What is asked, checked once for all donors: a policy code, or a DUO purpose with its class, action, flags."""

    policy_code: str | None = None
    policy_biobank_id: int | None = None
    purpose: str | None = None
    data_classes: tuple[str, ...] = ()
    action: str = PolicyAction.USE
    disease: str = ""
    for_profit_organisation: bool = False
    commercial_use: bool = False
    methods_development: bool = False


def question(
    *,
    policy: Policy | str | None = None,
    duo_purpose: str | None = None,
    data_class: str | None = None,
    action: str | None = None,
    disease: str = "",
    for_profit: bool = False,
    for_profit_organisation: bool = False,
    commercial_use: bool = False,
    methods_development: bool = False,
) -> Question:
    """The checked question, or a ``DomainError`` naming the parameter and what is allowed."""
    if (policy is None) == (duo_purpose is None):
        raise ValueError("Ask the gate about exactly one of policy= or duo_purpose=.")
    if policy is not None:
        code = policy.code if isinstance(policy, Policy) else policy
        biobank_id = policy.biobank_id if isinstance(policy, Policy) else None
        return Question(policy_code=code, policy_biobank_id=biobank_id)
    purpose = duo_purpose_resolve(duo_purpose or "").id
    classes = DATA_CLASSES.get((data_class or "any").strip())
    if classes is None:
        raise DomainError(
            _(
                "data_class says what is used: one of %(classes)s (got %(class)s); leave it out to "
                "ask about every class at once."
            )
            % {"classes": ", ".join(DATA_CLASSES), "class": repr(data_class)},
            field="data_class",
            code="data_class",
        )
    action = (action or PolicyAction.USE).strip()
    if action not in PolicyAction.values:
        raise DomainError(
            _("action must be one of %(values)s (got %(action)s).")
            % {"values": ", ".join(PolicyAction.values), "action": repr(action)},
            field="action",
            code="action",
        )
    return Question(
        purpose=purpose,
        data_classes=classes,
        action=action,
        disease=disease.strip(),
        for_profit_organisation=for_profit or for_profit_organisation,
        commercial_use=for_profit or commercial_use,
        methods_development=methods_development,
    )


def _id(donor: Donor | int) -> int:
    return donor if isinstance(donor, int) else donor.pk


def permitted(
    *,
    donor: Donor | int,
    at: date | None = None,
    as_known_at: datetime | None = None,
    unknown_is_denied: bool = True,
    **ask: Any,
) -> GateResult:
    """The gate for one donor; see the module docstring. ``ask``: the arguments of ``question``."""
    return permitted_many(donors=[donor], at=at, as_known_at=as_known_at, unknown_is_denied=unknown_is_denied, **ask)[
        _id(donor)
    ]


# Each asked donor → the end of its merge chain (the current donor) → every donor of that family.
_FAMILY_SQL = """
WITH RECURSIVE up(asked, id, merged_into, depth) AS (
    SELECT d.id, d.id, d.merged_into_id, 0 FROM consent_donor d WHERE d.id = ANY(%s)
    UNION ALL
    SELECT up.asked, d.id, d.merged_into_id, up.depth + 1
      FROM up JOIN consent_donor d ON d.id = up.merged_into WHERE up.depth < 1000
), roots AS (
    SELECT asked, id AS root FROM up WHERE merged_into IS NULL
), down(root, id, depth) AS (
    SELECT DISTINCT root, root, 0 FROM roots
    UNION ALL
    SELECT down.root, d.id, down.depth + 1
      FROM down JOIN consent_donor d ON d.merged_into_id = down.id WHERE down.depth < 1000
)
SELECT roots.asked, roots.root, current.pid, down.id
  FROM roots JOIN down ON down.root = roots.root JOIN consent_donor current ON current.id = roots.root
"""


@dataclass
class Family:
    """A merge family: the current donor (end of the chain), its PID, and every donor id in it."""

    root: int
    pid: str
    members: set[int]


def donor_families(donor_ids: list[int]) -> dict[int, Family]:
    """``{asked donor id: its family}`` in one query (query 1)."""
    families: dict[int, Family] = {}
    with connection.cursor() as cursor:
        cursor.execute(_FAMILY_SQL, [donor_ids])
        for asked, root, pid, member in cursor.fetchall():
            families.setdefault(asked, Family(root, pid, set())).members.add(member)
    return families


def _known_acts(member_ids: Iterable[int], *, at: date, known: datetime | None) -> Any:
    """The family's acts effective by ``at`` and known at ``known`` (``None``: everything recorded so far — the
    database sets the recorded times, so "now" is read from the database's clock, not the web server's)."""
    decided = {"decided_at__lte": known} if known is not None else {}
    recorded = {"recorded_at__lte": known} if known is not None else {}
    invalidated = ConsentInvalidation.objects.filter(status=InvalidationStatus.APPROVED, **decided).values("consent_id")
    # An invalidated form's signed acts count for no time (as known from the decision on); a withdrawal that staff
    # recorded through that form's page is the donor's own act and stays.
    return PolicyState.objects.filter(donor_id__in=list(member_ids), valid_from__lte=at, **recorded).exclude(
        origin=ActOrigin.SIGNATURE, consent_id__in=invalidated
    )


_ACT_FIELDS = (
    "id",
    "donor_id",
    "consent_id",
    "policy_id",
    "policy__code",
    "policy__version",
    "module__code",
    "origin",
    "state",
    "valid_from",
    "valid_to",
    "recorded_at",
    "policy__duo_terms",
    "policy__duo_disease",
)


def act_of(row: PolicyState) -> Act:
    """A stored act as the fold reads it (``policy`` and ``module`` should be selected with the row)."""
    return Act(
        row.pk,
        row.donor_id,
        row.consent_id,
        row.policy_id,
        row.policy.code,
        row.policy.version,
        row.module.code if row.module is not None else "",
        row.origin,
        row.state,
        row.valid_from,
        row.valid_to,
        row.recorded_at,
        tuple(row.policy.duo_terms or ()),
        row.policy.duo_disease or "",
    )


def _act(row: tuple) -> Act:
    pk, donor_id, consent_id, policy_id, code, version, module_code, *rest, terms, disease = row
    origin, state, valid_from, valid_to, recorded_at = rest
    return Act(
        pk,
        donor_id,
        consent_id,
        policy_id,
        code,
        version,
        module_code or "",
        origin,
        state,
        valid_from,
        valid_to,
        recorded_at,
        duo_terms=tuple(terms or ()),
        duo_disease=disease or "",
    )


def permitted_many(
    *,
    donors: Iterable[Donor | int],
    at: date | None = None,
    as_known_at: datetime | None = None,
    unknown_is_denied: bool = True,
    **ask: Any,
) -> dict[int, GateResult]:
    """The gate for many donors at once: ``{donor id: GateResult}``, in three queries whatever their number."""
    asked = question(**ask)
    at = at or timezone.localdate()
    known = as_known_at
    donor_ids = list(dict.fromkeys(_id(d) for d in donors))
    families = donor_families(donor_ids)
    member_of = {member: fam.root for fam in families.values() for member in fam.members}
    base = _known_acts(member_of, at=at, known=known)
    # Which families had any act known then (query 2): tells "not asked" from "no consent".
    with_any = {member_of[d] for d in base.order_by().values_list("donor_id", flat=True).distinct()}
    rows = base
    if asked.policy_code is not None:
        rows = rows.filter(policy__code=asked.policy_code)
        if asked.policy_biobank_id is not None:
            rows = rows.filter(policy__biobank_id=asked.policy_biobank_id)
    else:
        # Versions group by code: a code answers when any of its versions is of the asked class and action, and then
        # every act on any version of it is folded (a later version's withdrawal is not lost to a changed action).
        codes = Policy.objects.filter(data_class__in=asked.data_classes, action=asked.action).values("code")
        rows = rows.filter(policy__code__in=codes)
    by_family: dict[int, list[Act]] = defaultdict(list)
    for row in rows.order_by().values_list(*_ACT_FIELDS):  # query 3
        act = _act(row)
        by_family[member_of[act.donor_id]].append(act)
    results = {}
    for donor_id in donor_ids:
        family = families.get(donor_id)
        if family is None:
            results[donor_id] = _result(donor_id, None, _no_consent(at, as_known_at), unknown_is_denied)
            continue
        acts = by_family[family.root]
        outcome = _policy_answer(acts, at) if asked.purpose is None else _duo_answer(acts, asked, at)
        if outcome is None:
            if family.root in with_any:
                outcome = _Outcome(Answer.UNKNOWN, S.NOT_ASKED, "The donor's consents do not ask about this.")
            else:
                outcome = _no_consent(at, as_known_at)
        results[donor_id] = _result(donor_id, family, outcome, unknown_is_denied)
    return results


def decisions_for(*, donor: Donor | int, codes: Iterable[str], at: date) -> dict[str, Decision]:
    """The fold per policy code for one donor's family on ``at``, as known now (what staff see before acting)."""
    family = donor_families([_id(donor)]).get(_id(donor))
    if family is None:
        return {}
    rows = _known_acts(family.members, at=at, known=None).filter(policy__code__in=list(codes))
    return decide_per_code((_act(row) for row in rows.order_by().values_list(*_ACT_FIELDS)), at)


@dataclass(frozen=True)
class _Outcome:
    answer: Answer
    code: str
    reason: str
    states: tuple[StateUsed, ...] = ()
    conditions: tuple[str, ...] = ()


def _no_consent(at: date, known: datetime | None) -> _Outcome:
    when = timezone.localtime(known or timezone.now()).strftime("%Y-%m-%d %H:%M")
    return _Outcome(Answer.UNKNOWN, "no_consent", f"No consent of this donor effective by {at} was known at {when}.")


def _result(donor_id: int, family: Family | None, outcome: _Outcome, unknown_is_denied: bool) -> GateResult:
    # "Unknown" may be allowed when the caller says so; "no consent at all" never is.
    lenient = outcome.answer == Answer.UNKNOWN and not unknown_is_denied and outcome.code != "no_consent"
    allowed = outcome.answer == Answer.PERMITTED or lenient
    return GateResult(
        donor_id,
        outcome.answer,
        outcome.code,
        outcome.reason,
        allowed,
        outcome.states,
        outcome.conditions,
        family.root if family else donor_id,
        family.pid if family else "",
    )


def used(decision: Decision) -> StateUsed:
    act = decision.act
    return StateUsed(
        act.id,
        act.consent_id,
        act.policy_id,
        act.policy_code,
        act.policy_version,
        act.module_code,
        decision.state,
        act.valid_from,
        act.valid_to,
        act.recorded_at,
        act.donor_id,
        act.origin,
    )


def describe(decision: Decision) -> str:
    act, state = decision.act, decision.state
    where = f" (module {act.module_code})" if act.module_code else " (donor-level withdrawal)"
    if state == S.WITHDRAWN:
        return f"Policy {act.policy_code} was withdrawn{where} from {act.valid_from} on."
    if state == S.REFUSED:
        return f"Policy {act.policy_code} was refused on a refusal form signed {act.valid_from}."
    if state == S.DECLINED:
        return f"Policy {act.policy_code} was declined{where} on {act.valid_from}."
    if state == S.EXPIRED:
        return f"The consent to policy {act.policy_code} expired after {act.valid_to}."
    if state == S.ACCEPTED:
        until = f" until {act.valid_to}" if act.valid_to else ""
        return f"Policy {act.policy_code} was accepted from {act.valid_from}{until}{where}."
    return f"The donor did not answer about policy {act.policy_code}{where}."


def _policy_answer(acts: list[Act], at: date) -> _Outcome | None:
    decision = decide(acts, at)
    if decision is None:
        return None
    return _Outcome(ROLL_UP[decision.state], decision.state, describe(decision), (used(decision),))


def _duo_answer(acts: list[Act], asked: Question, at: date) -> _Outcome | None:
    decisions = decide_per_code(acts, at)
    if not decisions:
        return None
    purpose = asked.purpose or ""
    denied, approve, abstain, unknown = [], [], [], []
    conditions: set[str] = set()
    for decision in decisions.values():
        act = decision.act
        if decision.state in DENYING:
            covered = duo_covers(
                purpose=purpose, terms=act.duo_terms, disease=asked.disease, policy_disease=act.duo_disease
            )
            if covered != Match.DENY:
                denied.append(decision)
            continue
        match, terms = duo_match(
            purpose=purpose,
            terms=act.duo_terms,
            disease=asked.disease,
            policy_disease=act.duo_disease,
            for_profit_organisation=asked.for_profit_organisation,
            commercial_use=asked.commercial_use,
            methods_development=asked.methods_development,
        )
        if match == Match.DENY:
            continue
        if decision.state == S.UNKNOWN:
            unknown.append(decision)
        elif match == Match.APPROVE:
            approve.append(decision)
        else:
            abstain.append(decision)
            conditions.update(terms)
    label = duo_terms()[purpose].shorthand
    if denied:
        first = min(denied, key=lambda d: d.act.policy_code)
        return _Outcome(Answer.DENIED, first.state, describe(first), tuple(used(d) for d in denied))
    if approve:
        codes = ", ".join(sorted(d.act.policy_code for d in approve))
        reason = f"{label} use is covered by accepted polic(ies) {codes}."
        return _Outcome(Answer.PERMITTED, S.ACCEPTED, reason, tuple(used(d) for d in approve))
    if abstain:
        names = ", ".join(duo_terms()[c].shorthand for c in sorted(conditions))
        reason = f"{label} use is consented only with conditions ({names}); a data access committee must decide."
        states = tuple(used(d) for d in abstain)
        return _Outcome(Answer.DENIED, "needs_committee", reason, states, tuple(sorted(conditions)))
    if unknown:
        reason = f"The donor did not answer about the policies covering {label} use."
        return _Outcome(Answer.UNKNOWN, S.UNKNOWN, reason, tuple(used(d) for d in unknown))
    flags = " for-profit" if asked.for_profit_organisation else (" commercial" if asked.commercial_use else "")
    reason = f"The donor's consents do not cover{flags} {label} use of this kind."
    return _Outcome(Answer.DENIED, "not_covered", reason, tuple(used(d) for d in decisions.values()))
