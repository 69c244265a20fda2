"""Key files for tests: every test gets its own, under its tmp_path, so nothing touches var/keys/ or another test."""

from __future__ import annotations

from pathlib import Path

from biobank.crypto.keys import new_key_line


def point_key_files_to(settings, directory: Path) -> Path:  # type: ignore[no-untyped-def]
    keys = directory / "keys"
    keys.mkdir(mode=0o700)
    for setting, name in (("ENCRYPTION_KEY_FILE", "encryption.keys"), ("PSEUDONYM_KEY_FILE", "pseudonym.keys")):
        path = keys / name
        path.write_text(new_key_line("t1") + "\n")
        path.chmod(0o600)
        setattr(settings, setting, path)
    settings.VAR_DIR = directory
    return keys
