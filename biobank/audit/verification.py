"""Verifying the chain: recompute every hash, check every link and sequence number, compare with signed checkpoints.

The rows are streamed with ``COPY (SELECT …) TO STDOUT`` — PostgreSQL's fastest way to stream a result, without
model instances or per-column Python objects: one line per entry reaches ``_Walker.write``, which splits it and
rebuilds the canonical JSON with the same template as the drain (``canonical.py``). Lines with no backslash other
than NULL markers (nearly all) take a fast path; any other line is unescaped field by field.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from hashlib import sha256
from hmac import compare_digest
from json.encoder import encode_basestring as _s
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _

from .canonical import _TEMPLATE, GENESIS_HASH, TIMESTAMP_SQL_FORMAT, canonical_entry
from .checkpoints import Checkpoint, CheckpointError, checkpoints_read
from .choices import BreakReason
from .integrity import hmac256, subkey

_TS = "to_char({} AT TIME ZONE 'UTC', '" + TIMESTAMP_SQL_FORMAT + "')"
# Column order of a COPY line: seq, prev_hash, hash, then the ``canonical_entry`` arguments after seq, then mac.
_COPY_SELECT = (
    "SELECT seq, prev_hash, hash, "
    + _TS.format("chained_at")
    + ", action, actor_id, actor_label, actor_type, biobank_id, changes, abbrev(client_ip), details, object_id, "
    "object_type, " + _TS.format("occurred_at") + ", on_behalf_of, reason, request_id, user_agent, mac "
    "FROM audit_auditevent WHERE seq >= {from_seq:d} ORDER BY seq"
)
_COPY_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)")


def _unescape(value: str) -> str | None:
    if value == "\\N":
        return None

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] == "x" and len(code) > 1:
            return chr(int(code[1:], 16))
        if code[0] in "01234567":
            return chr(int(code, 8))
        return _COPY_ESCAPES.get(code, code)

    return _ESCAPE.sub(one, value)


@dataclass
class VerifyResult:
    """What a verification found: ``ok`` with ``count`` entries checked, or where and why the chain breaks."""

    ok: bool = True
    count: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    broken_seq: int | None = None
    reason: str = ""
    message: str = ""
    checkpoint_seq: int | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def fail(self, seq: int | None, reason: BreakReason, message: str) -> None:
        if self.ok:  # the first break is the one that matters
            self.ok, self.broken_seq, self.reason, self.message = False, seq, reason.value, message

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


class _Stop(Exception):
    pass


class _Walker:
    """Receives the COPY stream line by line and checks each entry against the previous one."""

    def __init__(self, *, from_seq: int, prev_hash: str | None, checkpoints: dict[int, list[Checkpoint]]) -> None:
        self.expected_seq = from_seq
        self.prev = prev_hash  # None: trust the first row's prev_hash (verification starting mid-chain)
        self.checkpoints = checkpoints
        self.count = 0
        self.last_seq: int | None = None
        self.result = VerifyResult()
        self.signature = hmac256(subkey("event")).hexdigest
        # First entry without a MAC (chained before migration 0004) that no matching checkpoint has covered yet.
        self.unsigned_from: int | None = None

    def write(self, data: bytes) -> None:
        line = data.decode()[:-1]
        f = line.split("\t")
        if line.count("\\") == f.count("\\N"):
            # Fast path: the only backslashes are NULL markers, one in each field that is exactly ``\N``. COPY doubles
            # a data backslash and escapes a tab or newline with one, so a backslash anywhere else makes these differ.
            seq = int(f[0])
            canon = _TEMPLATE % (
                _s(f[4]),
                _s(f[5]),
                _s(f[6]),
                _s(f[7]),
                "null" if f[8] == "\\N" else f[8],
                f[3],
                "null" if f[9] == "\\N" else f[9],
                "null" if f[10] == "\\N" else _s(f[10]),
                "null" if f[11] == "\\N" else f[11],
                _s(f[12]),
                _s(f[13]),
                f[14],
                _s(f[15]),
                _s(f[16]),
                _s(f[17]),
                seq,
                _s(f[18]),
            )
        else:
            u = [_unescape(value) for value in f]
            seq = int(u[0])  # type: ignore[arg-type]
            f = u  # type: ignore[assignment]
            canon = canonical_entry(seq, *u[3:19])  # type: ignore[arg-type]
        if seq != self.expected_seq:
            self._break(
                self.expected_seq,
                BreakReason.GAP,
                f"entry {self.expected_seq} is missing: the chain jumps from {self.expected_seq - 1} to {seq}",
            )
        prev_hash, stored = f[1], f[2]
        if self.prev is not None and prev_hash != self.prev:
            self._break(
                seq,
                BreakReason.PREV_HASH_MISMATCH,
                f"entry {seq} does not link to entry {seq - 1}: its prev_hash {prev_hash[:12]}… differs from the hash "
                f"{self.prev[:12]}… of entry {seq - 1} (one of them was altered)",
            )
        digest = sha256((prev_hash + canon).encode()).hexdigest()
        if digest != stored:
            self._break(
                seq,
                BreakReason.HASH_MISMATCH,
                f"entry {seq} was altered: its content hashes to {digest[:12]}…, not to its stored hash {stored[:12]}…",
            )
        mac = f[19]
        if not mac:
            if self.unsigned_from is None:
                self.unsigned_from = seq
        elif not compare_digest(mac, self.signature(stored.encode())):
            self._break(
                seq,
                BreakReason.MAC_MISMATCH,
                f"entry {seq} does not carry the drain's signature: it was forged, or rewritten or renumbered with "
                f"recomputed hashes (the signature needs the audit key, which the database does not hold)",
            )
        for checkpoint in self.checkpoints.get(seq, ()):
            if checkpoint.hash != stored:
                since = f"after seq {self.unsigned_from - 1}" if self.unsigned_from else f"at or before seq {seq}"
                self._break(
                    self.unsigned_from or seq,
                    BreakReason.CHECKPOINT_MISMATCH,
                    f"entry {seq} differs from the checkpoint signed at {checkpoint.time} (line {checkpoint.line_no}):"
                    f" the chain was rewritten {since}",
                )
            self.unsigned_from = None  # the signed head vouches for every entry up to it
        self.prev = stored
        self.expected_seq = seq + 1
        self.last_seq = seq
        self.count += 1

    def _break(self, seq: int, reason: BreakReason, message: str) -> None:
        self.result.fail(seq, reason, message)
        raise _Stop


def _effective(lines: list[Checkpoint], result: VerifyResult) -> list[Checkpoint]:
    """The checkpoints that apply, in file order: an anchor line (``audit_reanchor`` after a restore) sets aside
    the earlier lines above its ``after`` seq, and every verification reports that it did."""
    effective: list[Checkpoint] = []
    for line in lines:
        if line.is_anchor:
            after = line.after if line.after is not None else line.seq
            superseded = [c for c in effective if c.seq > after]
            effective = [c for c in effective if c.seq <= after]
            result.notes.append(
                f"re-anchored at seq {line.seq} on {line.time} by {line.by or 'an operator'} (checkpoint line "
                f"{line.line_no}): {line.reason} — {len(superseded)} earlier checkpoint(s) above seq {after} set aside"
            )
        effective.append(line)
    return effective


def audit_verify(
    *,
    from_seq: int = 1,
    checkpoint: Checkpoint | Iterable[Checkpoint] | None = None,
    from_checkpoint: bool = False,
    checkpoint_path: str | Path | None = None,
) -> VerifyResult:
    """Verify the chain from ``from_seq`` (1: from the genesis) and against signed checkpoints.

    ``checkpoint``: one or more checkpoints to compare with; by default every line of ``AUDIT_CHECKPOINT_PATH``
    (or ``checkpoint_path``). ``from_checkpoint``: start at the latest checkpoint instead of the genesis — it must
    still match its entry, and everything after it is verified. Returns the count verified and, on tamper, the first
    broken ``seq`` and why; never raises for a broken chain.
    """
    started = time.perf_counter()
    result = VerifyResult()
    if checkpoint is None:
        try:
            checkpoints = checkpoints_read(checkpoint_path)
        except CheckpointError as error:
            result.fail(None, BreakReason.BAD_CHECKPOINT, str(error))
            return result
    elif isinstance(checkpoint, Checkpoint):
        checkpoints = [checkpoint]
    else:
        checkpoints = list(checkpoint)
    checkpoints = _effective(checkpoints, result)
    latest = max(checkpoints, key=lambda c: c.seq, default=None)
    result.checkpoint_seq = latest.seq if latest else None
    if latest is None:
        result.notes.append("no signed checkpoint: a rewrite of the whole chain would not be detected")
    if from_checkpoint:
        if latest is None:
            raise ValueError(_("There is no signed checkpoint to start from."))
        from_seq = latest.seq
    prev_hash = GENESIS_HASH if from_seq <= 1 else None
    from_seq = max(from_seq, 1)
    by_seq: dict[int, list[Checkpoint]] = {}
    for line in checkpoints:
        if line.seq >= from_seq:
            by_seq.setdefault(line.seq, []).append(line)
    walker = _Walker(from_seq=from_seq, prev_hash=prev_hash, checkpoints=by_seq)
    walker.result = result
    with transaction.atomic(), connection.cursor() as cursor, contextlib.suppress(_Stop):
        cursor.copy_expert(f"COPY ({_COPY_SELECT.format(from_seq=from_seq)}) TO STDOUT", walker)
    result.count = walker.count
    result.first_seq = from_seq if walker.count else None
    result.last_seq = walker.last_seq
    if result.ok and latest is not None and (walker.last_seq or 0) < latest.seq:
        missing_from = (walker.last_seq or from_seq - 1) + 1
        result.fail(
            missing_from,
            BreakReason.MISSING_ROWS,
            f"entries {missing_from} to {latest.seq} are missing: the checkpoint signed at {latest.time} covers seq "
            f"{latest.seq} but the chain ends at {walker.last_seq or 'nothing'}",
        )
    if result.ok and walker.unsigned_from is not None:
        result.fail(
            walker.unsigned_from,
            BreakReason.UNSIGNED,
            f"entry {walker.unsigned_from} carries no signature and no signed checkpoint covers it: it was not "
            f"appended by the drain",
        )
    result.seconds = time.perf_counter() - started
    if result.ok:
        result.message = (
            f"{result.count} entries verified"
            + (f" (seq {result.first_seq} to {result.last_seq})" if result.count else "")
            + (f", consistent with the checkpoint at seq {latest.seq}" if latest else "")
        )
    return result
