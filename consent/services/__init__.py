"""Writes of the consent app, one module per family; import from ``consent.services``.

``donors``: registration (PID, identity vault, duplicates), duplicate review and merge. ``identity``: identity
reads by stewards and vault key rotation. ``catalogue``: policies, modules, templates. ``consents``: capture, scans
with QC, receipts. ``acts``: withdrawals (module and donor level) and invalidations. ``permissions``: who may change
consent records (``require_manage_consent``), shared by them.
"""

from .acts import *  # noqa: F403
from .acts import __all__ as _acts_all
from .catalogue import *  # noqa: F403
from .catalogue import __all__ as _catalogue_all
from .consents import *  # noqa: F403
from .consents import __all__ as _consents_all
from .donors import *  # noqa: F403
from .donors import __all__ as _donors_all
from .identity import *  # noqa: F403
from .identity import __all__ as _identity_all

__all__ = [*_donors_all, *_identity_all, *_catalogue_all, *_consents_all, *_acts_all]
