"""What a donor's withdrawal must do outside the consent records, and who is withdrawn.

The consent app records the withdrawal (``consent.services.acts``) together with a ``WithdrawalPropagation`` row,
the outbox of what must happen elsewhere; the apps above it act on it — specimens are consent-blocked, reservations
cancelled, shipments flagged, facts recomputed, later access requests and releases stopped — without the consent
app importing them: each registers a named effect from its ``AppConfig.ready()``, and
``consent.services.propagation.withdrawal_propagate`` runs each effect once, in its own transaction together with
the mark that it ran (``docs/dynamic-consent.md``, "Propagation"). The gate denies from the moment the withdrawal
commits; the effects follow after commit, or from the catch-up if the broker was down.

``withdrawn_donor_ids`` answers the standing question for a new specimen or import row: is this donor (as a
person: the whole merge family) withdrawn at a level that stops access or use, with no consent signed since?
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection
from django.utils import timezone

from .choices import ActOrigin, ConsentStatus, PolicyAction, PolicyDataClass, PolicyStateValue, WithdrawalLevel
from .gate import donor_families

# Levels after which nothing new leaves the biobank: the donor's material is blocked.
BLOCKING_LEVELS = (WithdrawalLevel.NO_FURTHER_ACCESS, WithdrawalLevel.NO_FURTHER_USE)


@dataclass(frozen=True)
class Withdrawal:
    """A recorded withdrawal (donor-level, of a module, or a choice changed to decline), as handed to each effect.

    ``blocks_material``: nothing of the donor's material may leave or be used any more (a level that stops access
    or use, or a module withdrawal that denies biomaterial use, storage or transfer); ``destroys_material``: "no
    further use", the material is to be destroyed (the disposal worklist).
    """

    donor_ids: frozenset[int]  # the whole merge family
    current_donor_id: int
    level: str
    effective: date
    reason: str
    blocks_material: bool = False
    destroys_material: bool = False
    kind: str = "level"
    module_code: str = ""
    policy_codes: tuple[str, ...] = ()
    propagation_id: int | None = None
    by_donor: bool = False


WithdrawalEffect = Callable[..., object]
_EFFECTS: dict[str, tuple[int, WithdrawalEffect]] = {}


def register_withdrawal_effect(effect: WithdrawalEffect, *, name: str | None = None, order: int = 50) -> None:
    """Register ``effect(*, actor, withdrawal) -> JSON-able result`` under ``name`` (default: its dotted name).

    Effects run by ``order``, then registration order, each once per withdrawal (``withdrawal_propagate`` records
    the name in the same transaction); they must also be safe to run again (acks_late), e.g. by selecting only what
    is not yet done. Registering the same name twice keeps the first. The donor's confirmation runs last (order 90).
    """
    key = name or f"{effect.__module__}.{getattr(effect, '__qualname__', repr(effect))}"
    _EFFECTS.setdefault(key, (order, effect))


def withdrawal_effects() -> list[tuple[str, WithdrawalEffect]]:
    """The registered effects in the order they run."""
    ranked = sorted(enumerate(_EFFECTS.items()), key=lambda item: (item[1][1][0], item[0]))
    return [(name, effect) for _index, (name, (_order, effect)) in ranked]


def blocks_material_of(level: str, policies: Iterable[object]) -> bool:
    """Whether a withdrawal stops all use of the donor's material (see ``Withdrawal``)."""
    if level in BLOCKING_LEVELS:
        return True
    return any(
        getattr(p, "data_class", "") == PolicyDataClass.BIOMATERIAL
        and getattr(p, "action", "") in (PolicyAction.USE, PolicyAction.TRANSFER, PolicyAction.STORE)
        for p in policies
    )


# Per donor record, the newest act (effective date, then recorded time, as the fold orders them) of each kind:
# ``w`` stops the use of material (a withdrawal at a blocking level, or the withdrawal of a policy about using,
# storing or transferring biomaterial: a module, or a withdrawal form); ``d`` is a "no further use" withdrawal (the
# material is to be destroyed); ``s`` is an acceptance of such a biomaterial policy, signed (it lifts both).
_LAST_ACTS_SQL = """
SELECT DISTINCT ON (ps.donor_id, k.kind) ps.donor_id, k.kind, ps.valid_from, ps.recorded_at
  FROM consent_policystate ps
  JOIN consent_policy p ON p.id = ps.policy_id
  LEFT JOIN consent_consent c ON c.id = ps.consent_id
 CROSS JOIN LATERAL unnest(ARRAY[
       CASE WHEN (ps.origin = %(withdrawal)s AND ps.withdrawal_level = ANY(%(levels)s))
              OR (ps.state = %(withdrawn)s AND p.data_class = %(material)s AND p.action = ANY(%(actions)s))
            THEN 'w' END,
       CASE WHEN ps.origin = %(withdrawal)s AND ps.withdrawal_level = %(destroy)s THEN 'd' END,
       CASE WHEN ps.origin = %(signature)s AND ps.state = %(accepted)s
             AND p.data_class = %(material)s AND p.action = ANY(%(actions)s)
            THEN 's' END
   ]) AS k(kind)
 WHERE k.kind IS NOT NULL AND ps.donor_id = ANY(%(members)s) AND ps.valid_from <= %(on)s
   -- a signed act counts only while its form counts (an invalidated form's acts count for no time, as in the
   -- fold); a withdrawal staff recorded through a form's page is the donor's act and stays
   AND (ps.origin = %(withdrawal)s OR c.status = %(valid)s)
 ORDER BY ps.donor_id, k.kind, ps.valid_from DESC, ps.recorded_at DESC
"""
MATERIAL_ACTIONS = [PolicyAction.USE.value, PolicyAction.TRANSFER.value, PolicyAction.STORE.value]

Moment = tuple[date, datetime]


@dataclass(frozen=True)
class MaterialState:
    """Which asked donors stand for a person whose material is blocked, and whose material is to be destroyed."""

    blocked: set[int]
    to_destroy: set[int]


def material_state(donor_ids: Iterable[int], *, on: date | None = None) -> MaterialState:
    """The standing material withdrawals of the persons ``donor_ids`` stand for, by ``on`` (default today).

    Blocked: a blocking withdrawal (level or biomaterial policy) newer than the newest signed acceptance of a
    biomaterial policy; to destroy: likewise for a "no further use" withdrawal. "Newer" orders acts as the gate's
    fold does — effective date, then recorded time — so a consent signed again on the day of the withdrawal lifts
    it. Two queries (arrays, not IN lists: an import asks about 100,000 donors at once), whatever their number.
    """
    asked = sorted(set(donor_ids))
    if not asked:
        return MaterialState(set(), set())
    on = on or timezone.localdate()
    families = donor_families(asked)
    # Acts are filed under the person (the family's root), so every PID asked of one family gets its answer.
    member_of = {member: family.root for family in families.values() for member in family.members}
    newest: dict[tuple[int, str], Moment] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            _LAST_ACTS_SQL,
            {
                "withdrawal": ActOrigin.WITHDRAWAL.value,
                "levels": [level.value for level in BLOCKING_LEVELS],
                "destroy": WithdrawalLevel.NO_FURTHER_USE.value,
                "withdrawn": PolicyStateValue.WITHDRAWN.value,
                "material": PolicyDataClass.BIOMATERIAL.value,
                "actions": MATERIAL_ACTIONS,
                "signature": ActOrigin.SIGNATURE.value,
                "accepted": PolicyStateValue.ACCEPTED.value,
                "valid": ConsentStatus.VALID.value,
                "members": list(member_of),
                "on": on,
            },
        )
        for member, kind, valid_from, recorded_at in cursor.fetchall():
            key = (member_of[member], kind)
            moment = (valid_from, recorded_at)
            if key not in newest or newest[key] < moment:
                newest[key] = moment

    def standing(root: int, kind: str) -> bool:
        act, lifted = newest.get((root, kind)), newest.get((root, "s"))
        return act is not None and (lifted is None or lifted < act)

    return MaterialState(
        blocked={donor for donor, family in families.items() if standing(family.root, "w")},
        to_destroy={donor for donor, family in families.items() if standing(family.root, "d")},
    )


def withdrawn_donor_ids(donor_ids: Iterable[int], *, on: date | None = None) -> set[int]:
    """Which of ``donor_ids`` stand for a person whose material is blocked by ``on`` (default today): withdrawn at a
    blocking level, or from biomaterial use, storage or transfer, with no acceptance of biomaterial use signed
    after that withdrawal (``material_state``)."""
    return material_state(donor_ids, on=on).blocked


def disposal_donor_ids(donor_ids: Iterable[int], *, on: date | None = None) -> set[int]:
    """Which of ``donor_ids`` stand for a person whose "no further use" withdrawal stands: their material is to be
    destroyed (``material_state``)."""
    return material_state(donor_ids, on=on).to_destroy
