"""The consent gate: may this donor's material or data be used for this purpose, at this date, as known then?

Everything that hands material or data out asks here. The answer is PERMITTED, DENIED or UNKNOWN with a reason and
the per-policy state rows it used; "unknown counts as denied" unless the caller says otherwise.

Rules (documented in docs/consent.md as well):

1. **Two times.** ``at`` is the date of the intended use; ``as_known_at`` the moment whose knowledge is used
   (default: now). Only state rows recorded by ``as_known_at`` and effective by ``at`` count.
2. **Withdrawals are not retroactive.** A withdrawal effective on day D denies use from D on. Asking about D-1 —
   also as known later, after the withdrawal was recorded — still answers permitted: a withdrawal stops further use
   and does not undo use that already happened. Asking about a date as known before a consent was recorded (or,
   for a scanned form, before its QC approval) finds nothing known: UNKNOWN, denied by default.
3. **Per policy.** Within a consent, the latest row of each module carrying the policy counts; across modules the
   most restrictive answer wins (withdrawn, then declined, then accepted, then expired, then unknown). Across
   consents, the most recently signed consent that covers the policy decides (a re-consent replaces an older one).
4. **Expiry.** An accepted row past its ``valid_to`` (shortest of template, module and policy validity) is expired:
   DENIED.
5. **Roll-up.** accepted → PERMITTED; declined, withdrawn, expired → DENIED; unknown, not asked (the donor's
   consents do not contain the policy), no consent → UNKNOWN.
6. **DUO purposes** (``consent.duo``): permitted if an accepted policy's DUO terms APPROVE the purpose. If only
   policies whose modifiers make the match ABSTAIN (PUB, IRB, GS, …) are accepted, the gate answers DENIED with
   ``code="needs_committee"`` and the conditions: a data access committee decides, never the gate alone. For-profit
   purposes are denied on NPU/NCU/NPUNCU.
7. **Merged donors.** Consents of a donor merged into another count for the surviving donor.

``permitted_many`` answers for many donors in a constant number of queries (three), whatever their number.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from .choices import PolicyStateValue
from .duo import DS, Match, duo_match, duo_purpose_resolve, duo_terms
from .models import Donor, Policy, PolicyState


class Answer(enum.StrEnum):
    PERMITTED = "permitted"
    DENIED = "denied"
    UNKNOWN = "unknown"


ROLL_UP = {
    PolicyStateValue.ACCEPTED: Answer.PERMITTED,
    PolicyStateValue.DECLINED: Answer.DENIED,
    PolicyStateValue.WITHDRAWN: Answer.DENIED,
    PolicyStateValue.EXPIRED: Answer.DENIED,
    PolicyStateValue.UNKNOWN: Answer.UNKNOWN,
    PolicyStateValue.NOT_ASKED: Answer.UNKNOWN,
}
# Across the modules of one consent that carry the same policy, the first of these present wins.
SEVERITY = (
    PolicyStateValue.WITHDRAWN,
    PolicyStateValue.DECLINED,
    PolicyStateValue.ACCEPTED,
    PolicyStateValue.EXPIRED,
    PolicyStateValue.UNKNOWN,
)


@dataclass(frozen=True)
class StateUsed:
    """One policy-state row the answer rests on, with its effective state on the asked date."""

    row_id: int
    consent_id: int
    policy_id: int
    policy_code: str
    policy_version: str
    module_code: str
    state: str  # as stored, or "expired"
    valid_from: date
    valid_to: date | None
    recorded_at: datetime


@dataclass(frozen=True)
class GateResult:
    donor_id: int
    answer: Answer
    code: str  # accepted, declined, withdrawn, expired, unknown, not_asked, no_consent, needs_committee, not_covered
    reason: str
    allowed: bool
    states: tuple[StateUsed, ...] = ()
    conditions: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def consent_ids(self) -> list[int]:
        return sorted({s.consent_id for s in self.states})


def _id(donor: Donor | int) -> int:
    return donor if isinstance(donor, int) else donor.pk


def permitted(
    *,
    donor: Donor | int,
    policy: Policy | str | None = None,
    duo_purpose: str | None = None,
    at: date | None = None,
    as_known_at: datetime | None = None,
    unknown_is_denied: bool = True,
    for_profit: bool = False,
    disease: str = "",
) -> GateResult:
    """The gate for one donor; see the module docstring for the rules. Give ``policy`` or ``duo_purpose``."""
    return permitted_many(
        donors=[donor],
        policy=policy,
        duo_purpose=duo_purpose,
        at=at,
        as_known_at=as_known_at,
        unknown_is_denied=unknown_is_denied,
        for_profit=for_profit,
        disease=disease,
    )[_id(donor)]


def permitted_many(
    *,
    donors: Iterable[Donor | int],
    policy: Policy | str | None = None,
    duo_purpose: str | None = None,
    at: date | None = None,
    as_known_at: datetime | None = None,
    unknown_is_denied: bool = True,
    for_profit: bool = False,
    disease: str = "",
) -> dict[int, GateResult]:
    """The gate for many donors at once: ``{donor id: GateResult}``, in three queries whatever their number."""
    if (policy is None) == (duo_purpose is None):
        raise ValueError("Ask the gate about exactly one of policy= or duo_purpose=.")
    at = at or timezone.localdate()
    known = as_known_at or timezone.now()
    donor_ids = list(dict.fromkeys(_id(d) for d in donors))
    # Consents of donors merged into an asked donor count for it (query 1).
    owner = {pk: pk for pk in donor_ids}
    for source, target in Donor.objects.filter(merged_into__in=donor_ids).values_list("pk", "merged_into"):
        owner[source] = target
    base = PolicyState.objects.filter(donor_id__in=list(owner), recorded_at__lte=known, valid_from__lte=at)
    # Which donors had any consent known then (query 2): tells "not asked" from "no consent".
    with_any = {owner[d] for d in base.values_list("donor_id", flat=True).distinct()}
    rows = base.select_related("policy", "module", "consent")
    if duo_purpose is not None:
        purpose = duo_purpose_resolve(duo_purpose).id
        permissions = [t.id for t in duo_terms().values() if t.kind == "permission"]
        rows = rows.filter(policy__duo_terms__overlap=permissions)
    else:
        code = policy.code if isinstance(policy, Policy) else policy
        rows = rows.filter(policy__code=code)
        if isinstance(policy, Policy) and policy.biobank_id is not None:
            rows = rows.filter(policy__biobank_id=policy.biobank_id)
    by_donor: dict[int, list[PolicyState]] = defaultdict(list)
    for row in rows:  # query 3
        by_donor[owner[row.donor_id]].append(row)
    results = {}
    for donor_id in donor_ids:
        if duo_purpose is not None:
            result = _duo_answer(by_donor[donor_id], purpose, at, for_profit, disease)
        else:
            result = _policy_answer(by_donor[donor_id], at)
        if result is None:
            if donor_id in with_any:
                result = (Answer.UNKNOWN, "not_asked", "The donor's consents do not ask about this.", ())
            else:
                when = timezone.localtime(known).strftime("%Y-%m-%d %H:%M")
                reason = f"No consent of this donor effective by {at} was known at {when}."
                result = (Answer.UNKNOWN, "no_consent", reason, ())
        answer, code, reason, states = result[:4]
        conditions = result[4] if len(result) > 4 else ()
        allowed = answer == Answer.PERMITTED or (answer == Answer.UNKNOWN and not unknown_is_denied)
        results[donor_id] = GateResult(donor_id, answer, code, reason, allowed, tuple(states), tuple(conditions))
    return results


def _used(row: PolicyState, at: date) -> StateUsed:
    state = row.state
    if state == PolicyStateValue.ACCEPTED and row.valid_to is not None and row.valid_to < at:
        state = PolicyStateValue.EXPIRED
    return StateUsed(
        row.pk,
        row.consent_id,
        row.policy_id,
        row.policy.code,
        row.policy.version,
        row.module.code,
        state,
        row.valid_from,
        row.valid_to,
        row.recorded_at,
    )


def policy_state(rows: list[PolicyState], at: date) -> tuple[str, list[StateUsed]] | None:
    """Effective state of one policy from its rows (rules 3 and 4): the latest consent, the latest row per module."""
    if not rows:
        return None
    latest_consent = max(rows, key=lambda r: (r.consent.signed_on, r.consent.recorded_at, r.consent_id)).consent_id
    streams: dict[tuple[int, int], PolicyState] = {}
    for row in rows:
        if row.consent_id != latest_consent:
            continue
        key = (row.module_id, row.policy_id)
        current = streams.get(key)
        if current is None or (row.valid_from, row.recorded_at, row.pk) > (
            current.valid_from,
            current.recorded_at,
            current.pk,
        ):
            streams[key] = row
    used = [_used(row, at) for row in streams.values()]
    present = {u.state for u in used}
    state = next((s for s in SEVERITY if s in present), PolicyStateValue.UNKNOWN)
    return state, sorted(used, key=lambda u: (u.policy_code, u.module_code))


def _describe(state: str, used: list[StateUsed]) -> str:
    first = next((u for u in used if u.state == state), used[0])
    if state == PolicyStateValue.WITHDRAWN:
        return f"Policy {first.policy_code} was withdrawn (module {first.module_code}) from {first.valid_from} on."
    if state == PolicyStateValue.DECLINED:
        return f"Policy {first.policy_code} was declined (module {first.module_code})."
    if state == PolicyStateValue.EXPIRED:
        return f"The consent to policy {first.policy_code} expired after {first.valid_to}."
    if state == PolicyStateValue.ACCEPTED:
        until = f" until {first.valid_to}" if first.valid_to else ""
        return f"Policy {first.policy_code} was accepted from {first.valid_from}{until} (module {first.module_code})."
    return f"The donor did not answer about policy {first.policy_code} (module {first.module_code})."


def _policy_answer(rows: list[PolicyState], at: date) -> tuple | None:
    result = policy_state(rows, at)
    if result is None:
        return None
    state, used = result
    return ROLL_UP[state], state, _describe(state, used), used


def _duo_answer(rows: list[PolicyState], purpose: str, at: date, for_profit: bool, disease: str) -> tuple | None:
    by_policy: dict[int, list[PolicyState]] = defaultdict(list)
    for row in rows:
        by_policy[row.policy_id].append(row)
    if not by_policy:
        return None
    approve, abstain, unknown, denied = [], [], [], []
    for policy_rows in by_policy.values():
        policy = policy_rows[0].policy
        match, conditions = duo_match(
            purpose=purpose,
            terms=policy.duo_terms,
            for_profit=for_profit,
            disease=disease if purpose == DS else "",
            policy_disease=policy.duo_disease,
        )
        if match == Match.DENY:
            continue
        state, used = policy_state(policy_rows, at)  # type: ignore[misc]
        entry = (state, used, conditions)
        if ROLL_UP[state] == Answer.PERMITTED:
            (approve if match == Match.APPROVE else abstain).append(entry)
        elif ROLL_UP[state] == Answer.UNKNOWN:
            unknown.append(entry)
        else:
            denied.append(entry)
    label = duo_terms()[purpose].shorthand
    if approve:
        used = [u for _, us, _ in approve for u in us]
        codes = ", ".join(sorted({u.policy_code for u in used}))
        return Answer.PERMITTED, "accepted", f"{label} use is covered by accepted polic(ies) {codes}.", used
    if abstain:
        used = [u for _, us, _ in abstain for u in us]
        conditions = sorted({c for _, _, cs in abstain for c in cs})
        names = ", ".join(duo_terms()[c].shorthand for c in conditions)
        return (
            Answer.DENIED,
            "needs_committee",
            f"{label} use is consented only with conditions ({names}); a data access committee must decide.",
            used,
            conditions,
        )
    if unknown:
        used = [u for _, us, _ in unknown for u in us]
        return Answer.UNKNOWN, "unknown", f"The donor did not answer about the policies covering {label} use.", used
    if denied:
        state, used, _ = denied[0]
        return Answer.DENIED, state, _describe(state, used), [u for _, us, _ in denied for u in us]
    profit = " for-profit" if for_profit else ""
    used = [_used(r, at) for r in rows]
    return Answer.DENIED, "not_covered", f"The donor's consents do not cover{profit} {label} use.", used
