"""What a donor's withdrawal must do outside the consent records, and who is withdrawn.

The consent app records the withdrawal (``consent.services.acts.donor_withdraw``); the apps above it act on it —
specimens are consent-blocked, later access requests and releases are stopped — without the consent app importing
them: each registers an effect from its ``AppConfig.ready()``, and ``donor_withdraw`` runs every effect inside its
own transaction, so a withdrawal is never recorded without its effects (or the other way round).

``withdrawn_donor_ids`` answers the standing question for a new specimen or import row: is this donor (as a
person: the whole merge family) withdrawn at a level that stops access or use, with no consent signed since?
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.utils import timezone

from biobank.accounts.principals import Actor

from .choices import ActOrigin, WithdrawalLevel
from .gate import donor_families

# Levels after which nothing new leaves the biobank: the donor's material is blocked.
BLOCKING_LEVELS = (WithdrawalLevel.NO_FURTHER_ACCESS, WithdrawalLevel.NO_FURTHER_USE)


@dataclass(frozen=True)
class Withdrawal:
    """A recorded donor-level withdrawal, as handed to each registered effect."""

    donor_ids: frozenset[int]  # the whole merge family
    current_donor_id: int
    level: str
    effective: date
    reason: str

    @property
    def blocks_material(self) -> bool:
        return self.level in BLOCKING_LEVELS


WithdrawalEffect = Callable[..., object]
_EFFECTS: list[WithdrawalEffect] = []


def register_withdrawal_effect(effect: WithdrawalEffect) -> None:
    """``effect(*, actor, withdrawal)`` runs in the withdrawal's transaction; registering twice is harmless."""
    if effect not in _EFFECTS:
        _EFFECTS.append(effect)


def withdrawal_effects_run(*, actor: Actor, withdrawal: Withdrawal) -> None:
    for effect in _EFFECTS:
        effect(actor=actor, withdrawal=withdrawal)


_LAST_ACTS_SQL = """
SELECT donor_id,
       max(valid_from) FILTER (WHERE origin = %s AND withdrawal_level = ANY(%s)),
       max(valid_from) FILTER (WHERE origin = %s)
  FROM consent_policystate
 WHERE donor_id = ANY(%s) AND valid_from <= %s
 GROUP BY donor_id
"""


def withdrawn_donor_ids(donor_ids: Iterable[int], *, on: date | None = None) -> set[int]:
    """Which of ``donor_ids`` stand for a person withdrawn at a blocking level by ``on`` (default today) with no
    signed consent effective after that withdrawal. Two queries (arrays, not IN lists: an import asks about 100,000
    donors at once), whatever the number of donors."""
    asked = sorted(set(donor_ids))
    if not asked:
        return set()
    on = on or timezone.localdate()
    families = donor_families(asked)
    member_of = {member: donor for donor, family in families.items() for member in family.members}
    withdrawn_on: dict[int, date] = {}
    signed_on: dict[int, date] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            _LAST_ACTS_SQL,
            [ActOrigin.WITHDRAWAL, list(BLOCKING_LEVELS), ActOrigin.SIGNATURE, list(member_of), on],
        )
        for member, withdrawn, signed in cursor.fetchall():
            donor = member_of[member]
            if withdrawn is not None:
                withdrawn_on[donor] = max(withdrawn_on.get(donor, withdrawn), withdrawn)
            if signed is not None:
                signed_on[donor] = max(signed_on.get(donor, signed), signed)
    return {donor for donor, day in withdrawn_on.items() if signed_on.get(donor, date.min) <= day}
