"""Consent app models, one module per family: donors and their identity vault; the consent catalogue; consents."""

from .donors import Donor
from .identity import DuplicateCandidate, DuplicateReview, IdentityRecord

__all__ = ["Donor", "DuplicateCandidate", "DuplicateReview", "IdentityRecord"]
