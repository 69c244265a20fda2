"""Consent app models, one module per family: donors and their identity vault; the consent catalogue; consents."""

from .donors import Donor

__all__ = ["Donor"]
