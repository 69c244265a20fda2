"""Who is asking: a signed-in person or a partner system's API token.

DRF puts a ``TokenPrincipal`` in ``request.user`` for bearer-token requests. It quacks like a user for DRF and
Django (``is_authenticated``) but holds no memberships: what it may see is its token's biobank and permissions.
Selectors ask ``biobank_ids_with_perm`` and never need to know which kind of principal they got.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from django.http import HttpRequest

from .choices import Perm
from .models import ApiToken, User

if TYPE_CHECKING:
    from rest_framework.request import Request


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

    def grants(self, codename: Perm) -> bool:
        return self.token.grants(codename)

    def has_perm(self, perm: str, obj: object = None) -> bool:  # Django API; tokens hold object perms only
        return False

    def get_username(self) -> str:
        return f"token:{self.token.key_prefix}"

    def __str__(self) -> str:
        return f"API token {self.token.name} ({self.token.key_prefix}…)"


Principal: TypeAlias = "User | TokenPrincipal"
"""Who reads: the ``user`` of every selector. Anonymous visitors never reach a selector (views require sign-in)."""

Actor: TypeAlias = "User | TokenPrincipal | ApiToken | str | None"
"""Who writes: the ``actor`` of every service, as ``audit_record`` takes it: a person, an API token (as principal
or row), ``"system:<job>"`` for a background job, or ``None`` for the system itself."""


class AuthenticatedHttpRequest(HttpRequest):
    """The request a signed-in HTML view gets (``login_required``, ``MfaRequiredMiddleware``): its user is a person.

    Only a type: Django builds a plain ``HttpRequest``; annotate ``request: AuthenticatedHttpRequest`` in views.
    """

    user: User


if TYPE_CHECKING:

    class AuthenticatedRequest(Request):
        """The DRF request of an API view behind ``IsAuthenticated`` (the default): a person or an API token."""

        @property  # type: ignore[override]  # narrower than DRF's User | AnonymousUser: IsAuthenticated ran first
        def user(self) -> Principal: ...

        @user.setter
        def user(self, value: Principal) -> None: ...

else:
    from rest_framework.request import Request as AuthenticatedRequest  # noqa: F401


def person_or_none(actor: Actor) -> User | None:
    """The person behind ``actor``, for ``created_by``-style foreign keys: ``None`` for tokens and system jobs."""
    return actor if isinstance(actor, User) else None


def principal_of(actor: Actor) -> Principal | None:
    """The principal whose permissions bind ``actor``: ``None`` for system jobs (``None``, ``"system:<job>"``)."""
    if isinstance(actor, ApiToken):
        return TokenPrincipal(actor)
    if isinstance(actor, User | TokenPrincipal):
        return actor
    return None


def is_token(principal: object) -> bool:
    return isinstance(principal, TokenPrincipal)
