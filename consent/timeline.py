"""The fold of a donor's timeline: which act decides about one policy on a date (docs/consent.md, "The fold").

Pure functions over plain ``Act`` values, so the rule can be read, tested and property-tested without a database;
``consent.gate`` loads the acts (the whole merge family, recorded by ``as_known_at``, invalidations applied) and
asks here.

1. Only acts effective by the asked date count (the caller filters on knowledge time and invalidations).
2. "Not answered" (an optional module left blank) is not an act about the policy: it decides nothing, and only
   tells "the donor was asked but did not answer" (UNKNOWN) from "never asked" when nothing else exists.
3. Per policy code the act with the latest effective date decides; on the same date the later recorded one; acts
   recorded together (one signature) on the same date: the more restrictive one (withdrawn, refused, declined,
   accepted; of two acceptances, the one with the shorter validity). Which document or which policy version an
   act sits on does not matter.
4. An accepted act past its last valid day is ``expired``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from .choices import PolicyStateValue as S

# On the same effective date and recorded time, the first of these wins.
RESTRICTIVENESS: dict[str, int] = {S.WITHDRAWN: 0, S.REFUSED: 1, S.DECLINED: 2, S.ACCEPTED: 3}
DENYING = frozenset({S.WITHDRAWN, S.REFUSED, S.DECLINED, S.EXPIRED})


@dataclass(frozen=True)
class Act:
    """One act of the timeline, as the gate reads it."""

    id: int
    donor_id: int
    consent_id: int | None
    policy_id: int
    policy_code: str
    policy_version: str
    module_code: str
    origin: str
    state: str  # accepted, declined, refused, withdrawn, unknown
    valid_from: date
    valid_to: date | None
    recorded_at: datetime
    duo_terms: tuple[str, ...] = ()
    duo_disease: str = ""


@dataclass(frozen=True)
class Decision:
    """What the timeline says about one policy code on a date: the state and the act it rests on."""

    state: str  # accepted, expired, declined, refused, withdrawn, unknown
    act: Act


def _order(act: Act) -> tuple[date, datetime, int, int]:
    # Last: of acts otherwise equal (one policy in two modules of one signature), the shorter validity.
    shorter = -act.valid_to.toordinal() if act.valid_to is not None else -(10**9)
    return (act.valid_from, act.recorded_at, -RESTRICTIVENESS.get(act.state, 9), shorter)


def decide(acts: Iterable[Act], at: date) -> Decision | None:
    """The decision for one policy code on ``at`` from its acts; ``None`` when no act is effective by then."""
    effective = [a for a in acts if a.valid_from <= at]
    if not effective:
        return None
    decisive = [a for a in effective if a.state in RESTRICTIVENESS]
    if not decisive:
        return Decision(S.UNKNOWN, max(effective, key=_order))
    act = max(decisive, key=_order)
    if act.state == S.ACCEPTED and act.valid_to is not None and act.valid_to < at:
        return Decision(S.EXPIRED, act)
    return Decision(act.state, act)


def decide_per_code(acts: Iterable[Act], at: date) -> dict[str, Decision]:
    """``decide`` for every policy code among ``acts``."""
    by_code: dict[str, list[Act]] = {}
    for act in acts:
        by_code.setdefault(act.policy_code, []).append(act)
    decisions = {code: decide(group, at) for code, group in by_code.items()}
    return {code: d for code, d in decisions.items() if d is not None}
