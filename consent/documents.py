"""Identifying parts of a consent at rest: the signature row in the vault, and the receipt and scan files.

**Signatures.** ``signature_store`` encrypts the typed name, the representative's name and the drawn PNG (base64)
into ``ConsentSignature``; ``signature_values`` decrypts them for the receipt and for audited reads, after checking
that the row belongs to the consent's donor (or to a donor merged into it).

**Documents.** A receipt or a scan is stored encrypted (AES-256-GCM, key from ENCRYPTION_KEY_FILE, associated data
``consent.receipt`` or ``consent.scan`` and the consent's uid): a file copied onto another consent, or a scan
passed off as a receipt, fails authentication. ``receipt_sha256``/``scan_sha256`` stay the SHA-256 of the
*plaintext* — the PDF or image a reader downloads — so anyone holding the download can recompute them; each read
checks them too. ``documents_rotate`` moves the files to the current key (and encrypts files stored before
encryption at rest existed).
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from dataclasses import dataclass
from typing import Literal

from django.core.files.base import ContentFile
from django.core.files.storage import Storage

from biobank.crypto.keys import encryption_keyring

from .models import Consent, ConsentSignature, Donor
from .vault_crypto import (
    VaultIntegrityError,
    bytes_key_id,
    decrypt_bytes,
    encrypt_bytes,
    is_encrypted_bytes,
    vault_get,
    vault_set,
)

Kind = Literal["receipt", "scan"]
_LABEL = {"receipt": "consent.receipt", "scan": "consent.scan"}


@dataclass(frozen=True)
class SignatureValues:
    """Decrypted signature of one consent (in memory only)."""

    signer_name: str = ""
    representative_name: str = ""
    signature_png: bytes | None = None


def signature_store(
    *, consent: Consent, signer_name: str = "", representative_name: str = "", signature_png: bytes | None = None
) -> ConsentSignature | None:
    """Encrypt and insert the consent's signature row (none when nothing identifying was given). Does not audit."""
    if not (signer_name or representative_name or signature_png):
        return None
    row = ConsentSignature(consent=consent, donor=consent.donor)
    vault_set(row, "signer_name", signer_name or None)
    vault_set(row, "representative_name", representative_name or None)
    vault_set(row, "signature_png", base64.b64encode(signature_png).decode("ascii") if signature_png else None)
    row.save(force_insert=True)
    return row


def _family_reaches(start_id: int, target_id: int) -> bool:
    """Whether donor ``start_id`` is ``target_id`` or was merged (transitively) into it."""
    seen: set[int] = set()
    current: int | None = start_id
    while current is not None and current not in seen:
        if current == target_id:
            return True
        seen.add(current)
        current = Donor.objects.filter(pk=current).values_list("merged_into_id", flat=True).first()
    return False


def signature_values(consent: Consent) -> SignatureValues:
    """The decrypted signature of ``consent`` (internal: receipts, audited reads); empty when there is none."""
    row = ConsentSignature.objects.select_related("donor").filter(consent=consent).first()
    if row is None:
        return SignatureValues()
    if row.donor.pk != consent.donor_id and not _family_reaches(row.donor.pk, consent.donor_id):
        raise VaultIntegrityError(
            f"The signature of consent {consent.uid} belongs to another donor than the consent's; it is not shown."
        )
    png = vault_get(row, "signature_png")
    return SignatureValues(
        signer_name=vault_get(row, "signer_name") or "",
        representative_name=vault_get(row, "representative_name") or "",
        signature_png=base64.b64decode(png) if png else None,
    )


# --- receipt and scan files ----------------------------------------------------------------------------------------


def _file(consent: Consent, kind: Kind):
    return consent.receipt if kind == "receipt" else consent.scan


def document_store(consent: Consent, kind: Kind, data: bytes) -> None:
    """Encrypt ``data`` into the consent's receipt or scan file (the model is not saved)."""
    blob = encrypt_bytes(data, field=_LABEL[kind], row=str(consent.uid))
    _file(consent, kind).save(f"{kind}.enc", ContentFile(blob), save=False)


def document_read(consent: Consent, kind: Kind) -> bytes:
    """The decrypted receipt or scan, checked against its stored SHA-256."""
    with _file(consent, kind).open("rb") as handle:
        blob = handle.read()
    data = decrypt_bytes(blob, field=_LABEL[kind], row=str(consent.uid))
    expected = consent.receipt_sha256 if kind == "receipt" else consent.scan_sha256
    if expected and hashlib.sha256(data).hexdigest() != expected:
        raise VaultIntegrityError(f"The stored {kind} of consent {consent.uid} does not match its SHA-256.")
    return data


def _overwrite(storage: Storage, name: str, data: bytes) -> None:
    """Replace a stored file in place (atomically on a file system: write beside it, then rename)."""
    try:
        path = storage.path(name)
    except NotImplementedError:
        storage.delete(name)
        if storage.save(name, ContentFile(data)) != name:
            raise RuntimeError(f"Storage renamed {name} while re-encrypting it.") from None
        return
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".rotate-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def document_reencrypt(consent: Consent, kind: Kind) -> bool:
    """Move one stored document to the current key (plaintext from before encryption at rest is encrypted)."""
    field = _file(consent, kind)
    if not field:
        return False
    with field.open("rb") as handle:
        blob = handle.read()
    current = encryption_keyring().current_id
    label, row = _LABEL[kind], str(consent.uid)
    if is_encrypted_bytes(blob):
        if bytes_key_id(blob) == current:
            return False
        data = decrypt_bytes(blob, field=label, row=row)
    else:
        data = blob
    _overwrite(field.storage, field.name, encrypt_bytes(data, field=label, row=row))
    return True


def documents_rotate(*, batch_size: int = 500) -> int:
    """Re-encrypt every stored receipt and scan not under the current key; returns the files changed."""
    changed, last_pk = 0, 0
    while True:
        page = list(
            Consent.objects.filter(pk__gt=last_pk)
            .exclude(receipt="", scan="")
            .only("pk", "uid", "receipt", "scan")
            .order_by("pk")[:batch_size]
        )
        if not page:
            return changed
        last_pk = page[-1].pk
        for consent in page:
            changed += document_reencrypt(consent, "receipt") + document_reencrypt(consent, "scan")
