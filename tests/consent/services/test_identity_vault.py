"""The identity vault table: ciphertext at rest, readable with the key, exact lookups by blind index, and a key
rotation (new key appended, vault re-encrypted in batches) after which everything still reads and matches."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection

from biobank.audit.models import AuditOutbox
from biobank.crypto.keys import ENCRYPTION, append_key, encryption_keyring
from consent import services
from consent.models import IdentityRecord
from consent.vault_crypto import key_id_of, vault_lookup
from tests.consent.donor_fixtures import JANE

pytestmark = pytest.mark.django_db

PLAINTEXTS = (
    "Jane Marie",
    "Schmidt",
    "1970-03-07",
    "Hauptstraße",
    "MRN-0012345",
    "T22000129",
    "jane.schmidt",
    "1234567",
)


def raw_row(donor) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM consent_identityrecord WHERE donor_id = %s", [donor.pk])
        return " ".join(str(value) for value in cursor.fetchone())


def test_identifying_fields_are_ciphertext_in_the_database(donor_a):
    row = raw_row(donor_a)
    for plaintext in PLAINTEXTS:
        assert plaintext not in row
    assert row.count("v1:t1:") == 8  # eight encrypted fields under the test key


def test_the_vault_reads_them_back_with_the_key(donor_a):
    identity = services.identity_of(IdentityRecord.objects.get(donor=donor_a))
    assert identity.given_names == "Jane Marie" and identity.address == JANE["address"]
    assert identity.national_id == JANE["national_id"] and identity.phone == JANE["phone"]


def test_the_blind_index_finds_exact_matches_without_decrypting(donor_a, register):
    register(
        given_names="Paul",
        family_name="Weber",
        date_of_birth=date(1981, 11, 2),
        hospital_id="MRN-7",
        national_id="",
        email="paul@example.org",
    )
    records = IdentityRecord.objects.all()
    assert [r.donor_id for r in vault_lookup(records, "hospital_id", " mrn-0012345 ")] == [donor_a.pk]
    assert [r.donor_id for r in vault_lookup(records, "email", "JANE.Schmidt@example.org")] == [donor_a.pk]
    assert not vault_lookup(records, "hospital_id", "MRN-00123456").exists()


def test_a_key_rotation_keeps_everything_readable_and_findable(donor_a, register, consent_officer_a):
    held = register(family_name="Schmitt", hospital_id="X-1", national_id="", email="").review
    old_key = encryption_keyring().current_id
    new_key = append_key(ENCRYPTION, "t2")
    assert new_key != old_key
    # before the rotation: old rows are read and found under the old key
    assert vault_lookup(IdentityRecord.objects.all(), "hospital_id", "MRN-0012345").get().donor_id == donor_a.pk
    changed = services.identity_vault_rotate(batch_size=1)
    assert changed == 2  # the vault row and the pending registration
    record = IdentityRecord.objects.get(donor=donor_a)
    assert key_id_of(record.family_name) == "t2" and record.hospital_id_index.startswith("t2:")
    assert record.dob_index.startswith("t2:") and record.name_year_index.startswith("t2:")
    assert services.identity_of(record).family_name == "Schmidt"
    assert services.identity_of(held).family_name == "Schmitt"
    assert vault_lookup(IdentityRecord.objects.all(), "hospital_id", "MRN-0012345").get().donor_id == donor_a.pk
    assert "v1:t2:" in raw_row(donor_a) and "v1:t1:" not in raw_row(donor_a)
    # duplicate detection still works on rotated blocking keys
    again = register(given_names="Jane Marie", family_name="Schmidtt", hospital_id="X-9", national_id="", email="")
    assert again.review is not None and again.review.candidates.get().donor == donor_a
    assert services.identity_vault_rotate() == 0  # written under the new key already


def test_the_rotate_command_is_repeatable_and_audited(donor_a, capsys):
    append_key(ENCRYPTION, "t2")
    call_command("vault_rotate", "--batch-size", "10")
    assert "1 vault row" in capsys.readouterr().out
    call_command("vault_rotate")
    assert "0 vault rows" in capsys.readouterr().out
    events = AuditOutbox.objects.filter(action="identity_vault.rotate").order_by("id")
    assert [e.details["rows_changed"] for e in events] == [1, 0]
