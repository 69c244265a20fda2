"""Per-principal rate limits: one bucket per API token, per signed-in person, or per client address."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from biobank.accounts.principals import TokenPrincipal


class PrincipalRateThrottle(SimpleRateThrottle):
    scope = "principal"

    def get_cache_key(self, request, view):  # type: ignore[no-untyped-def]
        user = request.user
        if isinstance(user, TokenPrincipal):
            ident = f"token:{user.token.pk}"
        elif user is not None and user.is_authenticated:
            ident = f"user:{user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
