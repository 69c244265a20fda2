"""Writes of the consent app, one module per family; import from ``consent.services``.

``donors``: registration (PID, identity vault, duplicates), duplicate review and merge. ``identity``: identity
reads by stewards and vault key rotation. Consent capture and the catalogue add their own modules and re-export
them here.
"""

from .donors import *  # noqa: F403
from .donors import __all__ as _donors_all
from .identity import *  # noqa: F403
from .identity import __all__ as _identity_all

__all__ = [*_donors_all, *_identity_all]
