"""Identity-vault cryptography: authenticated encryption of identifying fields and blind indexes for lookups.

Only primitives live here; the vault's table (donor identity rows) arrives with the donor registry.

**Ciphertext.** ``v1:<key_id>:<base64(nonce ‖ ciphertext ‖ tag)>`` — AES-256-GCM, a random 96-bit nonce per value,
the key picked by id from ENCRYPTION_KEY_FILE (``biobank.crypto.keys``), so old values stay readable after a new
key is appended and ``vault_rotate`` re-encrypts them at leisure. Random nonces are safe for far more than the 2³²
values per key any biobank stores.

**Associated data** binds a value to where it belongs: ``v1 ‖ key id ‖ field label ‖ row reference``. A ciphertext
copied into another field, another row, or given another key id in its header fails authentication, just like a
flipped bit. The row reference must exist before the row is saved (an opaque subject reference, not the auto id).

**Blind index.** ``<key_id>:<base64url(HMAC-SHA256(index key, field label ‖ normalised value))>`` for exact lookups
(find a donor by hospital ID without decrypting every row). It is keyed, so a database dump does not allow a
dictionary attack without the key file, and it differs per key; during a rotation ``vault_lookup`` asks for the
value under every key in the ring.

**Subkeys.** Each key-file entry is a master key; HKDF-SHA256 derives two independent subkeys from it (encryption
and blind index), so the index key is never the encryption key.

**Access.** ``EncryptedTextField`` holds only the ciphertext string: reading the attribute never decrypts, and
saving plaintext into it is refused. Plaintext goes in with ``vault_set`` and comes out with ``vault_get`` — the
only doors, so every caller that reveals identity is easy to find and to audit (the steward's reason and audit
event belong to the calling service, not to this module).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import models, transaction
from django.db.models import QuerySet

from biobank.crypto.keys import UnknownKeyError, encryption_keyring

FORMAT = "v1"
NONCE_BYTES = 12
TAG_BYTES = 16
_HKDF_SALT = b"biobank-portal/identity-vault/v1"


class VaultError(Exception):
    """A stored value cannot be used: malformed, tampered with, misplaced, or its key is missing."""


class VaultIntegrityError(VaultError):
    """Authentication failed: the value was altered, moved to another field/row, or the key is wrong."""


class VaultKeyError(VaultError):
    """The value names a key id that ENCRYPTION_KEY_FILE does not hold."""


# --- normalisers for blind indexes: equal after normalisation ⇔ the same index --------------------------------------


def normalise_identifier(value: str) -> str:
    """Hospital or national ID: Unicode NFKC, upper case, every whitespace removed (``" ab 12 "`` → ``"AB12"``)."""
    return "".join(unicodedata.normalize("NFKC", value).upper().split())


def normalise_email(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


def normalise_name(value: str) -> str:
    """Names: NFKC, case-folded, runs of whitespace collapsed (accents are kept: 'Müller' is not 'Muller')."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def normalise_text(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


NORMALISERS: dict[str, Callable[[str], str]] = {
    "identifier": normalise_identifier,
    "email": normalise_email,
    "name": normalise_name,
    "text": normalise_text,
}


# --- keys -------------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _subkeys(key_id: str, master: bytes) -> tuple[AESGCM, bytes]:
    def derive(purpose: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=purpose).derive(master)

    return AESGCM(derive(b"aes-256-gcm")), derive(b"blind-index-hmac-sha256")


def _keys_for(key_id: str) -> tuple[AESGCM, bytes]:
    try:
        master = encryption_keyring().get(key_id)
    except UnknownKeyError as error:
        raise VaultKeyError(str(error)) from None
    return _subkeys(key_id, master)


def _aad(key_id: str, field: str, row: str) -> bytes:
    if not field or not row:
        raise ValueError("Encryption needs a field label and a row reference (associated data); got an empty one.")
    return b"\x00".join((FORMAT.encode(), key_id.encode(), field.encode(), str(row).encode()))


# --- values -----------------------------------------------------------------------------------------------------------


def encrypt(plaintext: str, *, field: str, row: str) -> str:
    """Encrypt ``plaintext`` under the current key, bound to ``field`` and ``row``."""
    ring = encryption_keyring()
    key_id = ring.current_id
    aead, _ = _subkeys(key_id, ring.current)
    nonce = os.urandom(NONCE_BYTES)
    sealed = aead.encrypt(nonce, plaintext.encode("utf-8"), _aad(key_id, field, row))
    return f"{FORMAT}:{key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def parse(token: str) -> tuple[str, bytes]:
    """``(key_id, nonce‖ciphertext‖tag)`` of a stored value, or ``VaultError`` saying what is malformed."""
    if not isinstance(token, str):
        raise VaultError(f"A vault value must be a string, got {type(token).__name__}.")
    version, sep1, rest = token.partition(":")
    key_id, sep2, encoded = rest.partition(":")
    if version != FORMAT or not sep1 or not sep2 or not key_id:
        raise VaultError(f"Not a vault ciphertext: expected '{FORMAT}:<key id>:<base64>', got {token[:12]!r}….")
    try:
        blob = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise VaultError(f"Vault ciphertext with key {key_id!r} is not valid base64 (truncated or edited?).") from None
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise VaultError(f"Vault ciphertext with key {key_id!r} is too short to hold a nonce and a tag.")
    return key_id, blob


def decrypt(token: str, *, field: str, row: str) -> str:
    """The plaintext of ``token``; ``VaultIntegrityError`` if it was altered or does not belong to field and row."""
    key_id, blob = parse(token)
    aead, _ = _keys_for(key_id)
    try:
        plaintext = aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], _aad(key_id, field, row))
    except InvalidTag:
        raise VaultIntegrityError(
            f"The stored value of {field!r} for row {row!r} failed authentication: it was altered, copied from "
            f"another field or row, or key {key_id!r} in the key file is not the key it was encrypted with."
        ) from None
    return plaintext.decode("utf-8")


def key_id_of(token: str) -> str:
    return parse(token)[0]


def is_current(token: str) -> bool:
    return key_id_of(token) == encryption_keyring().current_id


def reencrypt(token: str, *, field: str, row: str) -> str:
    """``token`` under the current key (authenticated first); unchanged if it already is."""
    if is_current(token):
        decrypt(token, field=field, row=row)  # still prove it is intact
        return token
    return encrypt(decrypt(token, field=field, row=row), field=field, row=row)


# --- documents (receipts, scans): the same keys and associated data, binary framing ------------------------------

_BLOB_MAGIC = b"BBVAULT1\n"


def encrypt_bytes(data: bytes, *, field: str, row: str) -> bytes:
    """Encrypt a document under the current key, bound to ``field`` (e.g. ``consent.receipt``) and ``row``.

    Layout: ``BBVAULT1\n<key id>\n<nonce ‖ ciphertext ‖ tag>``: the key id is readable so a rotation can tell what
    is current without decrypting, and it is inside the associated data, so editing it fails authentication.
    """
    ring = encryption_keyring()
    key_id = ring.current_id
    aead, _ = _subkeys(key_id, ring.current)
    nonce = os.urandom(NONCE_BYTES)
    sealed = aead.encrypt(nonce, data, _aad(key_id, field, row))
    return _BLOB_MAGIC + key_id.encode("ascii") + b"\n" + nonce + sealed


def is_encrypted_bytes(blob: bytes) -> bool:
    return blob.startswith(_BLOB_MAGIC)


def bytes_key_id(blob: bytes) -> str:
    """The key id in a document's header, or ``VaultError`` if it is not a vault document."""
    if not is_encrypted_bytes(blob):
        raise VaultError("Not an encrypted vault document (the file is plaintext or damaged).")
    key_id, sep, _ = blob[len(_BLOB_MAGIC) : len(_BLOB_MAGIC) + 40].partition(b"\n")
    if not sep or not key_id:
        raise VaultError("Encrypted vault document with a malformed header.")
    return key_id.decode("ascii", "replace")


def decrypt_bytes(blob: bytes, *, field: str, row: str) -> bytes:
    """The plaintext of a document; ``VaultIntegrityError`` if it was altered or belongs to another field or row."""
    key_id = bytes_key_id(blob)
    body = blob[len(_BLOB_MAGIC) + len(key_id) + 1 :]
    if len(body) < NONCE_BYTES + TAG_BYTES:
        raise VaultError(f"Encrypted document with key {key_id!r} is too short to hold a nonce and a tag.")
    aead, _ = _keys_for(key_id)
    try:
        return aead.decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], _aad(key_id, field, row))
    except InvalidTag:
        raise VaultIntegrityError(
            f"The stored document {field!r} of {row!r} failed authentication: it was altered, belongs to another "
            f"record, or key {key_id!r} is not the key it was encrypted with."
        ) from None


def _index(key_id: str, index_key: bytes, value: str, field: str, normalise: Callable[[str], str]) -> str:
    mac = hmac.digest(index_key, field.encode() + b"\x00" + normalise(value).encode("utf-8"), "sha256")
    return f"{key_id}:{base64.urlsafe_b64encode(mac).rstrip(b'=').decode('ascii')}"


def blind_index(value: str, *, field: str, normaliser: str = "text") -> str:
    """The blind index of ``value`` under the current key."""
    ring = encryption_keyring()
    _, index_key = _subkeys(ring.current_id, ring.current)
    return _index(ring.current_id, index_key, value, field, NORMALISERS[normaliser])


def blind_index_candidates(value: str, *, field: str, normaliser: str = "text") -> list[str]:
    """The blind index of ``value`` under every key in the ring (rows not yet rotated are found too)."""
    ring = encryption_keyring()
    return [
        _index(key_id, _subkeys(key_id, master)[1], value, field, NORMALISERS[normaliser])
        for key_id, master in ring.keys
    ]


BLIND_INDEX_MAX_LENGTH = 32 + 1 + 43


# --- the model field and the only doors to its plaintext -------------------------------------------------------------


class EncryptedTextField(models.TextField):
    """A text column holding a vault ciphertext; the attribute is the ciphertext, never the plaintext.

    ``row_ref``: name of the model attribute with the row's stable reference (bound into the associated data; it
    must be set before ``vault_set``). ``blind_index``: name of a ``CharField(max_length=BLIND_INDEX_MAX_LENGTH)``
    kept in step by ``vault_set`` for ``vault_lookup``. ``normaliser``: a key of ``NORMALISERS``. ``aad_label``:
    the field label in the associated data, ``<app_label>.<model>.<field>`` by default — pass the old label when
    renaming a model or field, or the existing values no longer decrypt.
    """

    def __init__(
        self,
        *args: Any,
        row_ref: str = "subject_ref",
        blind_index: str | None = None,
        normaliser: str = "text",
        aad_label: str | None = None,
        **kwargs: Any,
    ) -> None:
        if normaliser not in NORMALISERS:
            raise ValueError(f"Unknown normaliser {normaliser!r}; known: {', '.join(NORMALISERS)}.")
        self.row_ref, self.blind_index, self.normaliser, self.aad_label = row_ref, blind_index, normaliser, aad_label
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["row_ref"] = self.row_ref
        if self.blind_index:
            kwargs["blind_index"] = self.blind_index
        if self.normaliser != "text":
            kwargs["normaliser"] = self.normaliser
        if self.aad_label:
            kwargs["aad_label"] = self.aad_label
        return name, path, args, kwargs

    @property
    def label_for_aad(self) -> str:
        return self.aad_label or f"{self.model._meta.label_lower}.{self.name}"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is not None and not str(value).startswith(f"{FORMAT}:"):
            raise ValueError(
                f"{self.model.__name__}.{self.name} holds plaintext; identifying data go in only through "
                "consent.vault_crypto.vault_set()."
            )
        return value


def _encrypted_field(instance: models.Model | type[models.Model], field_name: str) -> EncryptedTextField:
    field = instance._meta.get_field(field_name)
    if not isinstance(field, EncryptedTextField):
        raise TypeError(f"{instance._meta.object_name}.{field_name} is not an EncryptedTextField.")
    return field


def _row(instance: models.Model, field: EncryptedTextField) -> str:
    row = getattr(instance, field.row_ref)
    if row in (None, ""):
        raise ValueError(f"Set {type(instance).__name__}.{field.row_ref} before storing {field.name} in the vault.")
    return str(row)


def vault_set(instance: models.Model, field_name: str, plaintext: str | None) -> None:
    """Encrypt ``plaintext`` into the field (and refresh its blind index); ``None`` clears both. Does not save."""
    field = _encrypted_field(instance, field_name)
    if plaintext is None:
        setattr(instance, field.attname, None)
        if field.blind_index:
            setattr(instance, field.blind_index, None)
        return
    label = field.label_for_aad
    setattr(instance, field.attname, encrypt(plaintext, field=label, row=_row(instance, field)))
    if field.blind_index:
        setattr(instance, field.blind_index, blind_index(plaintext, field=label, normaliser=field.normaliser))


def vault_get(instance: models.Model, field_name: str) -> str | None:
    """The plaintext of the field. Callers that show it to a person state a reason and audit it."""
    field = _encrypted_field(instance, field_name)
    token = getattr(instance, field.attname)
    if token is None:
        return None
    return decrypt(token, field=field.label_for_aad, row=_row(instance, field))


def vault_lookup(queryset: QuerySet, field_name: str, value: str) -> QuerySet:
    """Rows whose field equals ``value`` after normalisation, found by blind index without decrypting anything."""
    field = _encrypted_field(queryset.model, field_name)
    if not field.blind_index:
        raise TypeError(f"{queryset.model.__name__}.{field_name} has no blind index to look up.")
    candidates = blind_index_candidates(value, field=field.label_for_aad, normaliser=field.normaliser)
    return queryset.filter(**{f"{field.blind_index}__in": candidates})


def vault_reencrypt(instance: models.Model, field_names: Iterable[str] | None = None) -> list[str]:
    """Move the instance's encrypted fields to the current key; returns the changed attribute names. Does not save.

    Every value is authenticated on the way; blind indexes are recomputed under the current key too.
    """
    fields = [
        _encrypted_field(instance, name)
        for name in (
            field_names or [f.name for f in instance._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        )
    ]
    current = encryption_keyring().current_id
    changed: list[str] = []
    for field in fields:
        token = getattr(instance, field.attname)
        if token is None:
            continue
        if key_id_of(token) == current and (
            not field.blind_index or str(getattr(instance, field.blind_index) or "").startswith(f"{current}:")
        ):
            continue
        plaintext = vault_get(instance, field.name)
        vault_set(instance, field.name, plaintext)
        changed.append(field.attname)
        if field.blind_index:
            changed.append(field.blind_index)
    return changed


def vault_rotate(queryset: QuerySet, *, batch_size: int = 1000) -> int:
    """Re-encrypt every row of ``queryset`` not yet under the current key, in batches; returns rows changed.

    Each batch is its own transaction with its rows locked, so a rotation can be interrupted and run again (it
    skips what is done) while the portal keeps working. Run it after appending a key (``manage.py keys_add``).
    """
    model = queryset.model
    total, last_pk = 0, None
    while True:
        with transaction.atomic():
            page = queryset.order_by("pk")
            if last_pk is not None:
                page = page.filter(pk__gt=last_pk)
            rows = list(page.select_for_update(of=("self",))[:batch_size])
            if not rows:
                return total
            last_pk = rows[-1].pk
            changed_rows, changed_fields = [], set()
            for row in rows:
                changed = vault_reencrypt(row)
                if changed:
                    changed_rows.append(row)
                    changed_fields.update(changed)
            if changed_rows:
                model.objects.bulk_update(changed_rows, sorted(changed_fields))
            total += len(changed_rows)
