"""After a database restore: re-anchoring the chain, a signed, reasoned and audited operator act (issue 9, item 12).

A restored database ends at the head of its backup, older than the checkpoints written since; and the events chained
after the restore take seq numbers those checkpoints name with other hashes. Verification then reports
``missing_rows`` or ``checkpoint_mismatch`` for good. ``audit_reanchor`` ends that, and only that:

1. the chain must be intact in itself (every link, hash and entry signature) and agree with every checkpoint up to
   the last one it still matches (seq ``after``) — a chain broken in any other way is refused, since re-anchoring
   would hide tampering;
2. an ``audit.reanchor`` event with the reason and what is set aside is chained;
3. an *anchor* line is signed for the new head: later verifications set aside the earlier lines above ``after`` and
   report the re-anchor (time, operator, reason) in their notes, every time.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from .chaining import audit_drain
from .checkpoints import Checkpoint, checkpoint_write, checkpoints_read
from .choices import AuditAction, BreakReason
from .reasons import steward_reason_clean
from .verification import VerifyResult, _effective, audit_verify

EXPLAINED_BY_A_RESTORE = {BreakReason.CHECKPOINT_MISMATCH.value, BreakReason.MISSING_ROWS.value}


class ReanchorRefused(Exception):
    """The chain is intact (nothing to do) or broken in a way a restore does not explain."""


@dataclass(frozen=True)
class Reanchor:
    anchor: Checkpoint
    after: int
    set_aside: list[int]
    before: VerifyResult
    after_result: VerifyResult


def _last_matching(lines: list[Checkpoint]) -> int:
    """The highest seq up to which every checkpoint still matches the chain (0 if the first one does not)."""
    seqs = sorted({line.seq for line in lines})
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, hash FROM audit_auditevent WHERE seq = ANY(%s)", [seqs])
        hashes = dict(cursor.fetchall())
    good = 0
    for line in sorted(lines, key=lambda c: c.seq):
        if hashes.get(line.seq) != line.hash:
            break
        good = line.seq
    return good


def audit_reanchor(*, operator: str, reason: str) -> Reanchor:
    """Re-anchor the chain at its current head after a restore; see the module docstring. Raises
    ``ReanchorRefused`` (nothing written) when the chain verifies already or is broken by more than a restore."""
    reason = steward_reason_clean(
        reason, prompt="State why the chain is re-anchored (which restore, from which backup)"
    )
    audit_drain()
    before = audit_verify()
    if before.ok:
        raise ReanchorRefused("The chain verifies against its checkpoints: there is nothing to re-anchor.")
    if before.reason not in EXPLAINED_BY_A_RESTORE:
        raise ReanchorRefused(
            f"The chain itself is broken at seq {before.broken_seq} ({before.reason}): {before.message}. A restore "
            "does not explain that; re-anchoring would hide it."
        )
    lines = _effective(checkpoints_read(), VerifyResult())
    after = _last_matching(lines)
    kept = audit_verify(checkpoint=[line for line in lines if line.seq <= after])
    if not kept.ok:
        raise ReanchorRefused(
            f"Up to the last checkpoint it still matches (seq {after}) the chain is broken at seq {kept.broken_seq} "
            f"({kept.reason}): {kept.message}. Re-anchoring would hide it."
        )
    set_aside = sorted({line.seq for line in lines if line.seq > after})
    from .services import audit_record

    with transaction.atomic():
        audit_record(
            actor="system:audit_reanchor",
            on_behalf_of=operator,
            action=AuditAction.AUDIT_REANCHOR,
            object_type="audit.chain",
            reason=reason,
            details={
                "after_seq": after,
                "head_seq_before": kept.last_seq,
                "checkpoints_set_aside": set_aside,
                "broken": {"seq": before.broken_seq, "reason": before.reason, "message": before.message},
            },
        )
    audit_drain()
    anchor = checkpoint_write(anchor={"after": after, "reason": reason, "by": operator})
    if anchor is None:  # cannot happen: the re-anchor event itself was just chained
        raise ReanchorRefused("The chain is empty: there is no head to anchor.")
    return Reanchor(anchor=anchor, after=after, set_aside=set_aside, before=before, after_result=audit_verify())
