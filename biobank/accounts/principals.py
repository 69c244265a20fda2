"""Who is asking: a signed-in person or a partner system's API token.

DRF puts a ``TokenPrincipal`` in ``request.user`` for bearer-token requests. It quacks like a user for DRF and
Django (``is_authenticated``) but holds no memberships: what it may see is its token's biobank and permissions.
Selectors ask ``biobank_ids_with_perm`` and never need to know which kind of principal they got.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import ApiToken


@dataclass(frozen=True)
class TokenPrincipal:
    token: ApiToken

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    is_researcher = False
    is_donor = False
    pk = None
    id = None

    @property
    def biobank_id(self) -> int:
        return self.token.biobank_id

    def grants(self, codename: str) -> bool:
        return self.token.grants(codename)

    def has_perm(self, perm: str, obj: object = None) -> bool:  # Django API; tokens hold object perms only
        return False

    def get_username(self) -> str:
        return f"token:{self.token.key_prefix}"

    def __str__(self) -> str:
        return f"API token {self.token.name} ({self.token.key_prefix}…)"


def is_token(principal: object) -> bool:
    return isinstance(principal, TokenPrincipal)
