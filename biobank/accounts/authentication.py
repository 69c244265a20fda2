"""``Authorization: Bearer <token>`` for partner systems.

A missing header falls through to session authentication; a malformed, unknown, revoked or expired token is a 401
with a message saying which, never a silent anonymous request.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from biobank.ops.client_address import client_address

from .models import ApiToken, hash_token
from .principals import TokenPrincipal
from .selectors import api_token_by_hash
from .services import api_token_record_use


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[TokenPrincipal, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if parts[0].lower() != self.keyword.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header; use 'Bearer <token>'."))
        secret = parts[1]
        token = api_token_by_hash(hash_token(secret))
        if token is None:
            raise exceptions.AuthenticationFailed(_("Unknown API token."))
        if token.is_revoked:
            raise exceptions.AuthenticationFailed(_("This API token was revoked."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(
                _("This API token has expired; ask your biobank admin for a new one.")
            )
        if not token.biobank.is_active:
            raise exceptions.AuthenticationFailed(_("The biobank of this API token is inactive."))
        api_token_record_use(token=token, ip=client_address(request))
        return TokenPrincipal(token), token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class MfaSessionAuthentication(authentication.SessionAuthentication):
    """The browser's session, but only once its second sign-in step is done (``mfa.py``; issue 9, item 4).

    A session that signed in with the password alone gets a 401 problem+json saying what to do, rather than the
    API; bearer tokens are checked before this class and never reach it.
    """

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        from .mfa import mfa_session_pending

        result = super().authenticate(request)
        if result is not None and mfa_session_pending(request._request):
            raise exceptions.AuthenticationFailed(
                _("Finish signing in first: enter the code of your authenticator app at /accounts/mfa/.")
            )
        return result
