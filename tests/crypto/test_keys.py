"""Key files: format, generation only in development/test under var/keys/, never in production."""

from __future__ import annotations

import base64
import stat
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from biobank.crypto import keys
from biobank.crypto.keys import UnknownKeyError, append_key, keyring, new_key_line, parse_keyring
from tests.pseudonyms.keyfiles import point_key_files_to


def parse(text: str):
    return parse_keyring(text, setting="PSEUDONYM_KEY_FILE", path=Path("/k"))


def test_the_newest_key_is_the_last_line_and_comments_are_ignored():
    first, second = new_key_line("old"), new_key_line("new")
    ring = parse(f"# keys\n{first}\n\n{second}\n")
    assert ring.key_ids == ("old", "new")
    assert ring.current_id == "new"
    assert ring.get("old") != ring.current


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "holds no key"),
        ("no-colon-here", "line 1: expected 'key_id:base64key'"),
        ("bad id:AAAA", "line 1: expected 'key_id:base64key'"),
        ("k1:!!!not base64", "line 1: the key of 'k1' is not valid base64"),
        ("k1:AAAA", "line 1: the key of 'k1' is 3 bytes; it must be 32"),
    ],
)
def test_a_malformed_key_file_names_the_line_and_the_problem(text, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse(text)


def test_a_duplicate_key_id_is_refused():
    line = new_key_line("k1")
    with pytest.raises(ImproperlyConfigured, match="line 2: key id 'k1' appears twice"):
        parse(f"{line}\n{line}\n")


def test_an_unknown_key_id_says_which_ids_the_file_holds():
    ring = parse(new_key_line("k1"))
    with pytest.raises(UnknownKeyError, match=r"Key id 'gone' is not in PSEUDONYM_KEY_FILE .* it holds k1"):
        ring.get("gone")


def test_the_keyring_never_shows_key_material():
    ring = parse(new_key_line("k1"))
    assert ring.current.hex() not in repr(ring)
    assert str(ring.current) not in repr(ring)


def test_development_and_test_generate_a_missing_file_once_with_mode_0600(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.PSEUDONYM_KEY_FILE = tmp_path / "var" / "keys" / "pseudonym.keys"
    ring = keyring("PSEUDONYM_KEY_FILE")
    assert ring.key_ids == ("dev1",)
    assert stat.S_IMODE(settings.PSEUDONYM_KEY_FILE.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.PSEUDONYM_KEY_FILE.parent.stat().st_mode) == 0o700
    assert keyring("PSEUDONYM_KEY_FILE").current == ring.current  # read again, not regenerated


def test_production_never_generates_a_key(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.KEY_FILES_GENERATE = False
    settings.ENCRYPTION_KEY_FILE = tmp_path / "var" / "keys" / "encryption.keys"
    with pytest.raises(ImproperlyConfigured, match=r"ENCRYPTION_KEY_FILE points to .* which does not exist"):
        keyring("ENCRYPTION_KEY_FILE")
    assert not settings.ENCRYPTION_KEY_FILE.exists()


def test_no_key_is_generated_outside_var_keys(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.ENCRYPTION_KEY_FILE = tmp_path / "elsewhere" / "encryption.keys"
    with pytest.raises(ImproperlyConfigured, match="does not exist"):
        keyring("ENCRYPTION_KEY_FILE")


def test_a_key_file_writable_by_others_is_refused(settings, tmp_path):
    path = tmp_path / "pseudonym.keys"
    path.write_text(new_key_line("k1") + "\n")
    path.chmod(0o666)
    settings.PSEUDONYM_KEY_FILE = path
    with pytest.raises(ImproperlyConfigured, match="writable by group or others"):
        keyring("PSEUDONYM_KEY_FILE")


def test_an_appended_key_becomes_current_without_a_restart(settings, tmp_path):
    (tmp_path / "own").mkdir()
    point_key_files_to(settings, tmp_path / "own")
    before = keyring("ENCRYPTION_KEY_FILE")
    new_id = append_key("ENCRYPTION_KEY_FILE", "k2")
    after = keyring("ENCRYPTION_KEY_FILE")
    assert new_id == "k2"
    assert after.key_ids == (*before.key_ids, "k2")
    assert after.current_id == "k2"


def test_only_the_two_key_file_settings_are_known():
    with pytest.raises(ValueError, match="Unknown key file setting"):
        keys.keyring("SECRET_KEY")


def test_the_keys_add_command_appends_a_current_key_without_printing_it(settings, tmp_path):
    (tmp_path / "cmd").mkdir()
    point_key_files_to(settings, tmp_path / "cmd")
    out = StringIO()
    call_command("keys_add", "pseudonym", "--id", "p2", stdout=out)
    ring = keyring("PSEUDONYM_KEY_FILE")
    assert ring.key_ids == ("t1", "p2")
    assert "Added key p2" in out.getvalue()
    assert base64.b64encode(ring.current).decode() not in out.getvalue()


def test_the_keys_add_command_refuses_a_duplicate_id(settings, tmp_path):
    (tmp_path / "cmd").mkdir()
    point_key_files_to(settings, tmp_path / "cmd")
    with pytest.raises(CommandError, match="already in"):
        call_command("keys_add", "encryption", "--id", "t1")
