"""Writes of signed consents, one module per family: ``capture`` (on screen), ``scans`` (paper forms and their QC),
``receipts`` (the PDF receipt and audited reads of receipts and scans); ``signing`` holds the checks both ways of
signing share.

Every signed consent expands into per-policy state rows (``PolicyState``), the append-only history the consent gate
reads. A scanned paper form gets those rows only when a second person approves it in QC, so until then the gate does
not see it — and "as known at" a moment before the approval, it was not known either.
"""

from .capture import SIGNATURE_MAX_BYTES, consent_record
from .receipts import consent_receipt_generate, consent_receipt_read, consent_scan_read
from .scans import SCAN_MAX_BYTES, consent_scan_qc, consent_scan_upload, scan_kind
from .signing import nested_in as nested_in  # kept importable from here (consent.services.acts used it)

__all__ = [
    "SCAN_MAX_BYTES",
    "SIGNATURE_MAX_BYTES",
    "consent_receipt_generate",
    "consent_receipt_read",
    "consent_record",
    "consent_scan_qc",
    "consent_scan_read",
    "consent_scan_upload",
    "scan_kind",
]
