"""The identifying part of a signed consent — typed name, representative's name, drawn signature — in the vault.

A consent row itself holds no name: these values live here, encrypted (AES-256-GCM, ``consent.vault_crypto``), one
row per consent. The row is keyed by the consent's ``uid`` and points at the signing donor by the donor's
``subject_ref`` (both foreign keys to those unique columns, so the database refuses a reference to a consent or a
donor that does not exist), and the associated data of every ciphertext is ``<consent uid>/<donor subject_ref>``:
a ciphertext copied to another consent or pointed at another donor fails authentication instead of showing one
person's name under another's PID. The row stays with the donor who signed when donors are merged.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..vault_crypto import EncryptedTextField
from .consents import Consent
from .donors import Donor

SIGNATURE_FIELDS = ("signer_name", "representative_name", "signature_png")


class ConsentSignature(models.Model):
    """Who signed a consent, encrypted: only the capture screen (typing it) and audited reads show it in clear.

    ``signature_png`` is the drawn PNG as base64 text. ``signer_name`` is required for an on-screen consent (the
    typed name is the signature) and absent for a paper scan (the signature is on the paper).
    """

    KEEP_ON_MERGE = True  # who signed does not change when two donor records turn out to be one person

    consent = models.OneToOneField(
        Consent,
        to_field="uid",
        db_column="consent_uid",
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="signature",
    )
    donor = models.ForeignKey(
        Donor, to_field="subject_ref", db_column="donor_ref", on_delete=models.PROTECT, related_name="+"
    )
    signer_name = EncryptedTextField(_("typed name"), null=True, blank=True, row_ref="vault_ref")
    representative_name = EncryptedTextField(_("legal representative"), null=True, blank=True, row_ref="vault_ref")
    signature_png = EncryptedTextField(_("drawn signature"), null=True, blank=True, row_ref="vault_ref")

    def __str__(self) -> str:
        return f"signature of consent {self.consent_id}"

    @property
    def vault_ref(self) -> str:
        """The row reference in the associated data: the consent's uid and the signing donor's subject_ref."""
        if not self.consent_id or not self.donor_id:
            return ""
        return f"{self.consent_id}/{self.donor_id}"
