"""Permission-scoped reads of the consent app, one module per family; import from ``consent.selectors``."""

from .donors import *  # noqa: F403
from .donors import __all__ as _donors_all

__all__ = [*_donors_all]
from .consents import *  # noqa: F403
from .consents import __all__ as _consents_all

__all__ += [*_consents_all]
from .portal import *  # noqa: F403, E402
from .portal import __all__ as _portal_all  # noqa: E402

__all__ += [*_portal_all]
