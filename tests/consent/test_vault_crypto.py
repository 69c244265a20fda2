"""Identity-vault cryptography: ciphertext at rest, authentication, associated data, rotation, blind index.

The vault's own table arrives with the donor registry, so these tests use a test-only table with the same shape
(a subject reference, encrypted identifying fields, blind indexes), created for the test in PostgreSQL.
"""

from __future__ import annotations

import base64

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps

from biobank.crypto.keys import append_key, encryption_keyring
from consent import vault_crypto
from consent.vault_crypto import (
    BLIND_INDEX_MAX_LENGTH,
    EncryptedTextField,
    VaultError,
    VaultIntegrityError,
    VaultKeyError,
    blind_index,
    blind_index_candidates,
    decrypt,
    encrypt,
    reencrypt,
    vault_get,
    vault_lookup,
    vault_reencrypt,
    vault_rotate,
    vault_set,
)

pytestmark = pytest.mark.django_db

HOSPITAL_ID = "consent.identityrecord.hospital_id"


@pytest.fixture
def Record():
    with isolate_apps("consent"):

        class IdentityRecord(models.Model):
            subject_ref = models.CharField(max_length=100, unique=True)
            family_name = EncryptedTextField(null=True, normaliser="name")
            hospital_id = EncryptedTextField(null=True, blind_index="hospital_id_index", normaliser="identifier")
            hospital_id_index = models.CharField(max_length=BLIND_INDEX_MAX_LENGTH, null=True, db_index=True)

            class Meta:
                app_label = "consent"
                db_table = "test_vault_identity_record"

        with connection.schema_editor() as editor:
            editor.create_model(IdentityRecord)
        yield IdentityRecord


def make(Record, subject_ref, hospital_id, family_name="Müller"):
    record = Record(subject_ref=subject_ref)
    vault_set(record, "hospital_id", hospital_id)
    vault_set(record, "family_name", family_name)
    record.save()
    return record


def raw_row(subject_ref):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT family_name, hospital_id, hospital_id_index FROM test_vault_identity_record WHERE subject_ref = %s",
            [subject_ref],
        )
        return cursor.fetchone()


def flip_last_byte(token):
    prefix, encoded = token.rsplit(":", 1)
    blob = bytearray(base64.b64decode(encoded))
    blob[-1] ^= 1
    return f"{prefix}:{base64.b64encode(bytes(blob)).decode()}"


class TestValues:
    def test_a_value_round_trips_and_carries_its_format_and_key_id(self):
        token = encrypt("Erika Mustermann", field="f", row="r1")
        assert token.startswith("v1:t1:")
        assert decrypt(token, field="f", row="r1") == "Erika Mustermann"

    def test_the_same_value_encrypts_differently_each_time(self):
        assert encrypt("x", field="f", row="r") != encrypt("x", field="f", row="r")

    def test_a_tampered_value_is_refused_with_a_clear_error(self):
        token = encrypt("Erika", field="f", row="r1")
        with pytest.raises(VaultIntegrityError, match="failed authentication: it was altered"):
            decrypt(flip_last_byte(token), field="f", row="r1")

    @pytest.mark.parametrize(("field", "row"), [("other-field", "r1"), ("f", "r2")])
    def test_a_value_moved_to_another_field_or_row_does_not_decrypt(self, field, row):
        token = encrypt("Erika", field="f", row="r1")
        with pytest.raises(VaultIntegrityError, match="copied from another field or row"):
            decrypt(token, field=field, row=row)

    def test_a_value_relabelled_with_another_key_id_does_not_decrypt(self):
        token = encrypt("Erika", field="f", row="r1")
        append_key("ENCRYPTION_KEY_FILE", "t2")
        with pytest.raises(VaultIntegrityError):
            decrypt(token.replace("v1:t1:", "v1:t2:"), field="f", row="r1")

    def test_a_value_under_a_key_no_longer_in_the_file_names_the_missing_key(self):
        token = encrypt("Erika", field="f", row="r1")
        with pytest.raises(VaultKeyError, match="Key id 'gone' is not in ENCRYPTION_KEY_FILE"):
            decrypt(token.replace("v1:t1:", "v1:gone:"), field="f", row="r1")

    @pytest.mark.parametrize(
        ("token", "message"),
        [
            ("plain text", "Not a vault ciphertext"),
            ("v2:t1:AAAA", "Not a vault ciphertext"),
            ("v1:t1:***", "not valid base64"),
            ("v1:t1:AAAA", "too short"),
        ],
    )
    def test_a_malformed_value_says_what_is_wrong(self, token, message):
        with pytest.raises(VaultError, match=message):
            decrypt(token, field="f", row="r1")

    def test_encryption_needs_a_field_and_a_row(self):
        with pytest.raises(ValueError, match="field label and a row reference"):
            encrypt("x", field="f", row="")

    def test_reencrypt_moves_a_value_to_the_current_key(self):
        token = encrypt("Erika", field="f", row="r1")
        assert reencrypt(token, field="f", row="r1") == token
        append_key("ENCRYPTION_KEY_FILE", "t2")
        moved = reencrypt(token, field="f", row="r1")
        assert moved.startswith("v1:t2:")
        assert decrypt(moved, field="f", row="r1") == "Erika"


class TestBlindIndex:
    def test_equal_values_after_normalisation_have_the_same_index(self):
        one = blind_index(" ab 12\t34 ", field=HOSPITAL_ID, normaliser="identifier")
        assert one == blind_index("AB1234", field=HOSPITAL_ID, normaliser="identifier")
        assert one != blind_index("AB1235", field=HOSPITAL_ID, normaliser="identifier")

    def test_the_index_differs_per_key_and_per_field(self):
        before = blind_index("AB1234", field=HOSPITAL_ID, normaliser="identifier")
        assert before != blind_index("AB1234", field="consent.identityrecord.national_id", normaliser="identifier")
        append_key("ENCRYPTION_KEY_FILE", "t2")
        after = blind_index("AB1234", field=HOSPITAL_ID, normaliser="identifier")
        assert after.split(":")[1] != before.split(":")[1]
        assert blind_index_candidates("AB1234", field=HOSPITAL_ID, normaliser="identifier") == [before, after]

    def test_the_index_is_keyed_not_a_plain_hash(self):
        import hashlib

        index = blind_index("AB1234", field=HOSPITAL_ID, normaliser="identifier").split(":")[1]
        plain = base64.urlsafe_b64encode(hashlib.sha256(b"AB1234").digest()).rstrip(b"=").decode()
        assert index != plain

    def test_the_index_uses_a_subkey_not_the_encryption_key(self):
        import hmac

        master = encryption_keyring().current
        index = blind_index("AB1234", field=HOSPITAL_ID, normaliser="identifier").split(":")[1]
        naive = hmac.digest(master, HOSPITAL_ID.encode() + b"\x00AB1234", "sha256")
        assert index != base64.urlsafe_b64encode(naive).rstrip(b"=").decode()


class TestField:
    def test_identifying_data_are_ciphertext_in_the_database(self, Record):
        make(Record, "subject-1", "MRN-0042", family_name="Mustermann")
        family_name, hospital_id, index = raw_row("subject-1")
        for stored in (family_name, hospital_id):
            assert stored.startswith("v1:t1:")
        assert "Mustermann" not in family_name and "0042" not in hospital_id and "0042" not in index

    def test_values_are_readable_through_the_vault_only(self, Record):
        make(Record, "subject-1", "MRN-0042", family_name="Mustermann")
        record = Record.objects.get(subject_ref="subject-1")
        assert record.family_name.startswith("v1:")  # the attribute never decrypts
        assert vault_get(record, "family_name") == "Mustermann"
        assert vault_get(record, "hospital_id") == "MRN-0042"

    def test_saving_plaintext_into_an_encrypted_field_is_refused(self, Record):
        record = Record(subject_ref="subject-1", family_name="Mustermann")
        with pytest.raises(ValueError, match="holds plaintext; identifying data go in only through"):
            record.save()

    def test_a_value_copied_into_another_row_does_not_decrypt(self, Record):
        make(Record, "subject-1", "MRN-1")
        make(Record, "subject-2", "MRN-2")
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE test_vault_identity_record SET hospital_id = "
                "(SELECT hospital_id FROM test_vault_identity_record WHERE subject_ref = 'subject-1') "
                "WHERE subject_ref = 'subject-2'"
            )
        with pytest.raises(VaultIntegrityError):
            vault_get(Record.objects.get(subject_ref="subject-2"), "hospital_id")

    def test_a_value_copied_into_another_field_does_not_decrypt(self, Record):
        make(Record, "subject-1", "MRN-1")
        with connection.cursor() as cursor:
            cursor.execute("UPDATE test_vault_identity_record SET family_name = hospital_id")
        with pytest.raises(VaultIntegrityError):
            vault_get(Record.objects.get(subject_ref="subject-1"), "family_name")

    def test_a_value_needs_its_row_reference_first(self, Record):
        with pytest.raises(ValueError, match=r"Set IdentityRecord\.subject_ref before storing hospital_id"):
            vault_set(Record(), "hospital_id", "MRN-1")

    def test_clearing_a_value_clears_its_index(self, Record):
        record = make(Record, "subject-1", "MRN-1")
        vault_set(record, "hospital_id", None)
        record.save()
        assert raw_row("subject-1")[1:] == (None, None)
        assert vault_get(record, "hospital_id") is None

    def test_the_blind_index_finds_exact_matches_only(self, Record):
        make(Record, "subject-1", "MRN-0042")
        make(Record, "subject-2", "MRN-0043")
        found = vault_lookup(Record.objects.all(), "hospital_id", " mrn-0042 ")
        assert [r.subject_ref for r in found] == ["subject-1"]
        assert not vault_lookup(Record.objects.all(), "hospital_id", "MRN-004").exists()

    def test_a_field_without_blind_index_cannot_be_looked_up(self, Record):
        with pytest.raises(TypeError, match="has no blind index"):
            vault_lookup(Record.objects.all(), "family_name", "Müller")


class TestRotation:
    def test_a_key_rotation_keeps_everything_readable_and_findable(self, Record):
        for i in range(7):
            make(Record, f"subject-{i}", f"MRN-{i}", family_name=f"Name {i}")
        append_key("ENCRYPTION_KEY_FILE", "t2")

        # Before re-encryption: old values read, old indexes found, new values use the new key.
        make(Record, "subject-new", "MRN-new")
        assert vault_get(Record.objects.get(subject_ref="subject-3"), "family_name") == "Name 3"
        assert vault_lookup(Record.objects.all(), "hospital_id", "MRN-3").get().subject_ref == "subject-3"
        assert raw_row("subject-new")[1].startswith("v1:t2:")

        assert vault_rotate(Record.objects.all(), batch_size=3) == 7
        assert vault_rotate(Record.objects.all(), batch_size=3) == 0  # done: nothing left to move

        for record in Record.objects.all():
            family_name, hospital_id, index = raw_row(record.subject_ref)
            assert family_name.startswith("v1:t2:") and hospital_id.startswith("v1:t2:") and index.startswith("t2:")
        # The old key can now leave the file (after a backup): everything still reads and is found.
        path = encryption_keyring().path
        path.write_text("\n".join(line for line in path.read_text().splitlines() if not line.startswith("t1:")) + "\n")
        assert encryption_keyring().key_ids == ("t2",)
        assert vault_get(Record.objects.get(subject_ref="subject-5"), "hospital_id") == "MRN-5"
        assert vault_lookup(Record.objects.all(), "hospital_id", "mrn-5").get().subject_ref == "subject-5"

    def test_rotation_refuses_a_tampered_row_instead_of_re_encrypting_it(self, Record):
        make(Record, "subject-1", "MRN-1")
        with connection.cursor() as cursor:
            cursor.execute("UPDATE test_vault_identity_record SET family_name = hospital_id")
        append_key("ENCRYPTION_KEY_FILE", "t2")
        with pytest.raises(VaultIntegrityError):
            vault_rotate(Record.objects.all())

    def test_reencrypting_an_instance_reports_the_changed_fields(self, Record):
        record = make(Record, "subject-1", "MRN-1")
        assert vault_reencrypt(record) == []
        append_key("ENCRYPTION_KEY_FILE", "t2")
        assert vault_reencrypt(record) == ["family_name", "hospital_id", "hospital_id_index"]


def test_the_normalisers_are_documented_by_example():
    assert vault_crypto.normalise_identifier(" ab\u00a012 ") == "AB12"
    assert vault_crypto.normalise_email(" Erika@Example.ORG ") == "erika@example.org"
    assert vault_crypto.normalise_name("  ERIKA   Müller ") == "erika müller"
