"""Versioned keys read from files outside the database (ENCRYPTION_KEY_FILE, PSEUDONYM_KEY_FILE).

File format, one key a line, the newest last (it is the current key; older lines stay so old data stays readable)::

    # comments and blank lines are ignored
    k2025a:6YbWm0m4...base64 of 32 random bytes...=
    k2026a:Qm9iYmxl...=

A key id is 1-32 characters of ``A-Z a-z 0-9 _ -`` (it is written into every ciphertext, so no ``:``); a key is 32
bytes, standard or URL-safe base64. Rotating means appending a line (``manage.py keys_add``) and then re-encrypting
or re-pseudonymising; a line is removed only once nothing refers to its id any more.

Development and test profiles generate a missing file once, with a random key and mode 0600, and only under
``VAR_DIR/keys/``. Production never generates a key: a missing or unreadable file stops the request with
``ImproperlyConfigured`` naming the setting, because a freshly generated key would silently make every existing
ciphertext unreadable and every pseudonym different.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import os
import re
import secrets
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

KEY_BYTES = 32
KEY_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
ENCRYPTION = "ENCRYPTION_KEY_FILE"
PSEUDONYM = "PSEUDONYM_KEY_FILE"
_SETTINGS = (ENCRYPTION, PSEUDONYM)


class UnknownKeyError(LookupError):
    """A ciphertext or pseudonym version names a key id that is not (any more) in the key file."""


@dataclass(frozen=True)
class Keyring:
    """The keys of one file, oldest first; the last one is current. Never logged, never stored in the database."""

    setting: str
    path: Path
    keys: tuple[tuple[str, bytes], ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", dict(self.keys))

    def __repr__(self) -> str:  # never print key material, not even in a traceback
        return f"<Keyring {self.setting} {self.path} ids={self.key_ids}>"

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(key_id for key_id, _ in self.keys)

    @property
    def current_id(self) -> str:
        return self.keys[-1][0]

    @property
    def current(self) -> bytes:
        return self.keys[-1][1]

    def get(self, key_id: str) -> bytes:
        try:
            return self._by_id[key_id]  # type: ignore[attr-defined]
        except KeyError:
            raise UnknownKeyError(
                f"Key id {key_id!r} is not in {self.setting} ({self.path}); it holds {', '.join(self.key_ids)}. "
                "Was a key removed from the file before everything was re-encrypted or re-pseudonymised?"
            ) from None


def parse_keyring(text: str, *, setting: str, path: Path) -> Keyring:
    """Parse a key file's text; every error names the file and the line, never the key itself."""
    keys: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key_id, sep, encoded = line.partition(":")
        where = f"{setting} ({path}), line {number}"
        if not sep or not KEY_ID_RE.match(key_id):
            raise ImproperlyConfigured(
                f"{where}: expected 'key_id:base64key' with a key id of 1-32 letters, digits, '_' or '-'."
            )
        if key_id in seen:
            raise ImproperlyConfigured(f"{where}: key id {key_id!r} appears twice; key ids must be unique.")
        try:
            material = base64.b64decode(encoded.strip().replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(f"{where}: the key of {key_id!r} is not valid base64.") from None
        if len(material) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"{where}: the key of {key_id!r} is {len(material)} bytes; it must be {KEY_BYTES} random bytes."
            )
        seen.add(key_id)
        keys.append((key_id, material))
    if not keys:
        raise ImproperlyConfigured(f"{setting} ({path}) holds no key; add a line 'key_id:base64key'.")
    return Keyring(setting=setting, path=path, keys=tuple(keys))


def new_key_line(key_id: str | None = None) -> str:
    """A fresh ``key_id:base64key`` line (32 bytes from the OS's CSPRNG)."""
    key_id = key_id or "k" + secrets.token_hex(4)
    if not KEY_ID_RE.match(key_id):
        raise ValueError(f"Invalid key id {key_id!r}: use 1-32 letters, digits, '_' or '-'.")
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"


def _generation_allowed(path: Path) -> bool:
    """Only development and test generate keys, and only inside VAR_DIR/keys/ (never an operator's path)."""
    allowed = getattr(settings, "KEY_FILES_GENERATE", getattr(settings, "DEMO_MODE", False))
    if not allowed:
        return False
    keys_dir = (Path(settings.VAR_DIR) / "keys").resolve()
    return path.resolve().parent == keys_dir


def _generate(path: Path) -> None:
    """Create ``path`` with one key, mode 0600, atomically: concurrent test processes end up with the same file."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(
                "# Generated for development/test. Production reads its own file and never generates one.\n"
                + new_key_line("dev1")
                + "\n"
            )
        with contextlib.suppress(FileExistsError):  # another process won the race: keep its file
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    logger.warning("Generated a development key file %s (never do this in production).", path)


def append_key(setting: str, key_id: str | None = None) -> str:
    """Append a new key to the file named by ``setting``; it becomes the current key. Returns its id."""
    ring = keyring(setting)
    line = new_key_line(key_id)
    new_id = line.partition(":")[0]
    if new_id in ring.key_ids:
        raise ValueError(f"Key id {new_id!r} is already in {setting} ({ring.path}).")
    with ring.path.open("a") as handle:
        handle.write(line + "\n")
    _cache.pop(setting, None)
    return new_id


_cache: dict[str, tuple[tuple[str, int, int, int], Keyring]] = {}
_lock = threading.Lock()


def keyring(setting: str) -> Keyring:
    """The keyring named by ``setting`` (``ENCRYPTION_KEY_FILE`` or ``PSEUDONYM_KEY_FILE``).

    Re-read when the file changes (a ``stat`` per call), so an appended key is used without a restart.
    """
    if setting not in _SETTINGS:
        raise ValueError(f"Unknown key file setting {setting!r}; known: {', '.join(_SETTINGS)}.")
    path = Path(getattr(settings, setting))
    try:
        info = path.stat()
    except FileNotFoundError:
        if not _generation_allowed(path):
            raise ImproperlyConfigured(
                f"{setting} points to {path}, which does not exist. Create it (manage.py keys_add, or one line "
                "'key_id:base64 of 32 random bytes', mode 0600) or restore it from the key backup; keys are "
                "never generated outside development and test."
            ) from None
        _generate(path)
        info = path.stat()
    signature = (str(path), info.st_ino, info.st_size, info.st_mtime_ns)
    cached = _cache.get(setting)
    if cached and cached[0] == signature:
        return cached[1]
    with _lock:
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise ImproperlyConfigured(f"{setting} ({path}) is writable by group or others; chmod 600 it.")
        if info.st_mode & stat.S_IROTH:
            logger.warning("%s (%s) is readable by every user of the machine; chmod 600 it.", setting, path)
        try:
            text = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as error:
            raise ImproperlyConfigured(f"{setting} ({path}) cannot be read: {error.__class__.__name__}.") from None
        ring = parse_keyring(text, setting=setting, path=path)
        _cache[setting] = (signature, ring)
        return ring


def encryption_keyring() -> Keyring:
    return keyring(ENCRYPTION)


def pseudonym_keyring() -> Keyring:
    return keyring(PSEUDONYM)
