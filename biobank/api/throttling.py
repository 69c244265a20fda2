"""Per-principal rate limits: one bucket per API token, per signed-in person, or per client address.

The rate is ``DEFAULT_THROTTLE_RATES['principal']`` (env ``API_THROTTLE_RATE``, e.g. ``1200/minute``), read when a
request comes in rather than at import, so an operator's or a test's setting change takes effect. Going over answers
429 problem+json with ``Retry-After``.
"""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from biobank.accounts.principals import TokenPrincipal
from biobank.ops.client_address import client_address


class PrincipalRateThrottle(SimpleRateThrottle):
    scope = "principal"

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # "100/min"; the stubs type the values as numbers
        return None if rate is None else str(rate)

    def get_ident(self, request: Any) -> str:
        """The client's address as the portal reads it everywhere (``client_address``). DRF's own reading took
        the whole ``X-Forwarded-For`` header as the identity, so any anonymous client could forge a fresh bucket."""
        return client_address(request) or "unknown"

    def get_cache_key(self, request: Any, view: Any) -> str:
        user = request.user
        if isinstance(user, TokenPrincipal):
            ident = f"token:{user.token.pk}"
        elif user is not None and user.is_authenticated:
            ident = f"user:{user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
