"""Receipts and sensitive reads: the PDF receipt made after commit, and audited reads of receipts and scans."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.choices import Perm
from biobank.accounts.principals import Principal
from biobank.accounts.selectors import user_has_biobank_perm
from biobank.audit.reasons import steward_reason_clean
from biobank.audit.services import audit_record
from biobank.errors import DomainError, ForbiddenError

from ...choices import ConsentSource
from ...documents import document_read, document_store
from ...models import Consent


@transaction.atomic
def consent_receipt_generate(*, consent_id: int) -> Consent:
    """Make and store the PDF receipt (idempotent). Its hash is the SHA-256 of the stored file's bytes."""
    from ...receipts import receipt_pdf

    consent = (
        Consent.objects.select_for_update(of=("self",))
        .select_related("donor", "template", "biobank", "countersigned_by")
        .get(pk=consent_id)
    )
    if consent.receipt_sha256 or consent.source not in (ConsentSource.ELECTRONIC, ConsentSource.DONOR_PORTAL):
        return consent
    data = receipt_pdf(consent)
    consent.receipt_sha256 = hashlib.sha256(data).hexdigest()  # of the PDF as served, not of the encrypted file
    consent.receipt_generated_at = timezone.now()
    document_store(consent, "receipt", data)
    try:
        consent.save(update_fields=["receipt", "receipt_sha256", "receipt_generated_at"])
        audit_record(
            actor="system:consent-receipt",
            action="consent.receipt_generate",
            obj=consent,
            details={"sha256": consent.receipt_sha256, "bytes": len(data)},
        )
    except Exception:
        consent.receipt.delete(save=False)
        raise
    return consent


def _document_reader(actor: Principal, consent: Consent, reason: str | None) -> str:
    """Who may read a receipt or scan (names, signatures): consent officers of the consent's biobank
    (``manage_consent``), and identity stewards (``view_identity``) with a stated reason. Returns the audit reason."""
    if user_has_biobank_perm(user=actor, biobank=consent.biobank, perm=Perm.MANAGE_CONSENT):
        return (reason or "").strip() or "consent officer"
    if user_has_biobank_perm(user=actor, biobank=consent.biobank, perm=Perm.VIEW_IDENTITY):
        return steward_reason_clean(reason, prompt="State why you need this document (it shows the signer's name)")
    raise ForbiddenError(
        _(
            "Receipts and scans show who signed: only consent officers and identity stewards (with a reason) may open "
            "them."
        )
    )


@transaction.atomic
def consent_receipt_read(*, actor: Principal, consent: Consent, reason: str | None = None) -> bytes:
    """The decrypted receipt for a consent officer or a steward with a reason (see ``_document_reader``); audited.

    The bytes are the PDF whose SHA-256 is ``receipt_sha256``.
    """
    why = _document_reader(actor, consent, reason)
    if not consent.receipt_sha256:
        raise DomainError(_("The receipt is still being generated; try again in a moment."), code="not_ready")
    data = document_read(consent, "receipt")
    audit_record(
        actor=actor,
        action="consent.receipt_read",
        obj=consent,
        reason=why,
        details={"sha256": consent.receipt_sha256},
    )
    return data


@transaction.atomic
def consent_scan_read(*, actor: Principal, consent: Consent, reason: str | None = None) -> bytes:
    """The decrypted scan (QC or later checks), under the receipt's rule; audited."""
    why = _document_reader(actor, consent, reason)
    if not consent.scan:
        raise DomainError(_("This consent has no scan."), code="no_scan")
    data = document_read(consent, "scan")
    audit_record(
        actor=actor, action="consent.scan_read", obj=consent, reason=why, details={"sha256": consent.scan_sha256}
    )
    return data
