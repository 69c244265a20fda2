"""Signed checkpoints of the chain head, kept outside the database.

Every few minutes ``checkpoint_write`` appends one line ``{"hash":…,"kid":…,"seq":…,"time":…,"mac":…}`` (HMAC-SHA256
over the other fields' canonical JSON, key from ``AUDIT_HMAC_KEY_FILE``) to ``AUDIT_CHECKPOINT_PATH`` and, with
``AUDIT_CHECKPOINT_SYSLOG=true``, to syslog too (so a copy leaves the machine). Someone who rewrites the whole chain
with fresh hashes cannot forge these lines without the key, so ``audit_verify`` catches the rewrite.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import logging.handlers
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from .canonical import format_timestamp

logger = logging.getLogger(__name__)


class CheckpointError(Exception):
    """A checkpoint line is malformed or its signature does not verify."""

    def __init__(self, message: str, *, line_no: int) -> None:
        super().__init__(message)
        self.line_no = line_no


@dataclass(frozen=True)
class Checkpoint:
    """A signed line: the head at ``seq`` had ``hash``. An *anchor* line (``kind="anchor"``, written by
    ``manage.py audit_reanchor`` after a restore) also says that the lines before it above seq ``after`` no longer
    apply, why (``reason``), and who re-anchored (``by``)."""

    seq: int
    hash: str
    time: str
    line_no: int = 0
    kind: str = "checkpoint"
    after: int | None = None
    reason: str = ""
    by: str = ""

    @property
    def is_anchor(self) -> bool:
        return self.kind == "anchor"


ANCHOR_FIELDS = ("after", "by", "kind", "reason")


def _key_path() -> Path:
    return Path(settings.AUDIT_HMAC_KEY_FILE)


def hmac_key() -> bytes:
    """The checkpoint key. Development creates one (0600) on first use; production requires the file to exist."""
    path = _key_path()
    if not path.exists():
        if not settings.AUDIT_HMAC_KEY_AUTOCREATE:
            raise ImproperlyConfigured(f"AUDIT_HMAC_KEY_FILE {path} does not exist; create it (32 random bytes, hex).")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it a moment ago
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
    key = path.read_text().strip()
    if len(key) < 32:
        raise ImproperlyConfigured(f"AUDIT_HMAC_KEY_FILE {path} holds fewer than 32 characters; use 32 random bytes.")
    return key.encode()


def _key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def _payload(fields: dict) -> bytes:
    """What the MAC covers: every field of the line but the MAC, as sorted compact JSON (for a plain checkpoint
    exactly ``{"hash","kid","seq","time"}``, as ever)."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_line(*, seq: int, chain_hash: str, time: str, key: bytes | None = None, anchor: dict | None = None) -> str:
    """One signed line; ``anchor`` (``after``, ``reason``, ``by``) makes it an anchor line."""
    key = key or hmac_key()
    fields: dict = {"hash": chain_hash, "kid": _key_id(key), "seq": seq, "time": time}
    if anchor is not None:
        fields.update(kind="anchor", after=anchor["after"], reason=anchor["reason"], by=anchor["by"])
    mac = hmac.new(key, _payload(fields), hashlib.sha256).hexdigest()
    return json.dumps({**fields, "mac": mac}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def parse_line(line: str, *, line_no: int, key: bytes) -> Checkpoint:
    try:
        data = json.loads(line)
        if not isinstance(data, dict):
            raise TypeError
        mac = data.pop("mac")
        seq, chain_hash, time = data["seq"], data["hash"], data["time"]
        kind = data.get("kind", "checkpoint")
        if set(data) - {"hash", "kid", "seq", "time", *ANCHOR_FIELDS}:
            raise KeyError
    except (ValueError, KeyError, TypeError):
        raise CheckpointError(f"checkpoint line {line_no} is not a checkpoint", line_no=line_no) from None
    expected = hmac.new(key, _payload(data), hashlib.sha256).hexdigest()
    if not isinstance(mac, str) or not hmac.compare_digest(mac, expected):
        raise CheckpointError(
            f"checkpoint line {line_no} (seq {seq}) has an invalid signature: edited, or signed with another key",
            line_no=line_no,
        )
    return Checkpoint(
        seq=int(seq),
        hash=str(chain_hash),
        time=str(time),
        line_no=line_no,
        kind=str(kind),
        after=None if data.get("after") is None else int(data["after"]),
        reason=str(data.get("reason", "")),
        by=str(data.get("by", "")),
    )


def checkpoints_read(path: str | Path | None = None) -> list[Checkpoint]:
    """Every checkpoint in the file, oldest first. Raises ``CheckpointError`` at the first forged line."""
    path = Path(path or settings.AUDIT_CHECKPOINT_PATH)
    if not path.exists():
        return []
    key = hmac_key()
    with path.open(encoding="utf-8") as handle:
        return [
            parse_line(line, line_no=number, key=key) for number, line in enumerate(handle, start=1) if line.strip()
        ]


def _syslog_handler() -> logging.Handler:
    address: str | tuple[str, int] = settings.AUDIT_CHECKPOINT_SYSLOG_ADDRESS
    if isinstance(address, str) and ":" in address and not address.startswith("/"):
        host, port = address.rsplit(":", 1)
        address = (host, int(port))
    return logging.handlers.SysLogHandler(address=address, facility=logging.handlers.SysLogHandler.LOG_AUTH)


def _append(line: str) -> None:
    if settings.AUDIT_CHECKPOINT_PATH:
        path = Path(settings.AUDIT_CHECKPOINT_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
        try:
            os.write(fd, (line + "\n").encode())  # one append: concurrent writers never interleave a line
            os.fsync(fd)
        finally:
            os.close(fd)
    if settings.AUDIT_CHECKPOINT_SYSLOG:
        handler = _syslog_handler()
        try:
            handler.emit(
                logging.makeLogRecord(
                    {"msg": "biobank-audit-checkpoint " + line, "levelno": logging.INFO, "levelname": "INFO"}
                )
            )
        finally:
            handler.close()


def _head() -> tuple[int, str] | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1")
        return cursor.fetchone()


def checkpoint_write(*, anchor: dict | None = None) -> Checkpoint | None:
    """Sign the current head and append it to the sink(s). Nothing to sign while the chain is empty.

    The head is durable when it is visible: the drain commits synchronously (``chaining._drain_batch``), so no line
    names a head that a crash could still lose (issue 9, item 12). ``anchor``: see ``audit_reanchor``.
    """
    head = _head()
    if head is None:
        return None
    seq, chain_hash = head
    time = format_timestamp(timezone.now())
    _append(sign_line(seq=seq, chain_hash=chain_hash, time=time, anchor=anchor))
    if anchor is not None:
        return Checkpoint(seq=seq, hash=chain_hash, time=time, kind="anchor", **anchor)
    return Checkpoint(seq=seq, hash=chain_hash, time=time)
