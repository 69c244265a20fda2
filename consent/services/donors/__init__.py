"""Donor registry, one module per family: ``registration`` (PID + identity vault), ``duplicates`` (review of a
possible duplicate), ``merge``; ``validation`` checks the typed identity and ``vault`` holds the encrypted row and the
duplicate search.

Every function is atomic, names its actor and records its audit events in the same transaction; identifying
values appear in the trail only masked (``J***``).
"""

from .duplicates import duplicate_review_candidates, duplicate_review_decide
from .lookups import donor_search_record, donors_export_record
from .merge import donor_merge
from .registration import Registration, donor_register, pid_domain_for
from .validation import IdentityInput, identity_check, identity_clean
from .vault import MAX_CANDIDATES, identity_blocking_refresh, identity_of

__all__ = [
    "MAX_CANDIDATES",
    "IdentityInput",
    "Registration",
    "donor_merge",
    "donor_register",
    "donor_search_record",
    "donors_export_record",
    "duplicate_review_candidates",
    "duplicate_review_decide",
    "identity_blocking_refresh",
    "identity_check",
    "identity_clean",
    "identity_of",
    "pid_domain_for",
]
