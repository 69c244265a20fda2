"""An uploaded file kept across a form error (issue 16, item 6): the officer chose the scan once and fixes the other
fields without choosing it again.

The file waits encrypted under ``MEDIA_ROOT/kept-uploads/`` with a random key held only in the person's session
(a copy of the disk alone reads nothing); the form carries a random token in a hidden field naming it. It is bound
to the session that uploaded it: another session's token finds nothing. It is dropped once the form succeeds, and
any kept file older than ``MAX_AGE`` goes when the next one is kept.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import HttpRequest

SESSION_KEY = "kept_uploads"
MAX_AGE = 3600  # seconds
MAX_BYTES = 10 * 1024 * 1024  # as the scan upload accepts (larger files are refused, not kept)


@dataclass(frozen=True)
class Kept:
    token: str
    name: str
    file: UploadedFile


def _directory() -> Path:
    path = Path(settings.MEDIA_ROOT) / "kept-uploads"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _path(token: str) -> Path:
    return _directory() / f"{token}.bin"


def _sweep() -> None:
    limit = time.time() - MAX_AGE
    for path in _directory().glob("*.bin"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:  # another request swept it
            pass


def keep(request: HttpRequest, file: UploadedFile, *, previous: str = "") -> Kept | None:
    """Keep ``file`` for this session (replacing the kept file ``previous``); ``None`` if it cannot be kept."""
    size = file.size or 0
    if not size or size > MAX_BYTES:
        return None
    _sweep()
    drop(request, previous)
    file.seek(0)
    data = file.read()
    key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    token = secrets.token_urlsafe(24)
    path = _path(token)
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(nonce + AESGCM(key).encrypt(nonce, data, token.encode()))
    name = Path(file.name or "upload").name[:200]
    content_type = file.content_type or "application/octet-stream"
    kept = request.session.get(SESSION_KEY, {})
    kept[token] = {"key": key.hex(), "name": name, "content_type": content_type}
    request.session[SESSION_KEY] = kept
    file.seek(0)
    return Kept(token, name, file)


def load(request: HttpRequest, token: str) -> Kept | None:
    """The file this session kept under ``token``; ``None`` for an unknown, foreign or expired token."""
    entry = request.session.get(SESSION_KEY, {}).get(token or "")
    if entry is None:
        return None
    try:
        blob = _path(token).read_bytes()
        data = AESGCM(bytes.fromhex(entry["key"])).decrypt(blob[:12], blob[12:], token.encode())
    except (OSError, ValueError, InvalidTag):  # swept, or not what this session wrote
        drop(request, token)
        return None
    return Kept(token, entry["name"], SimpleUploadedFile(entry["name"], data, entry["content_type"]))


def drop(request: HttpRequest, token: str) -> None:
    """Forget the kept file ``token`` (after success, or when another file replaces it)."""
    if not token:
        return
    kept = request.session.get(SESSION_KEY, {})
    if kept.pop(token, None) is not None:
        request.session[SESSION_KEY] = kept
        _path(token).unlink(missing_ok=True)
