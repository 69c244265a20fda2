"""Permissions and audit shared by the donor services."""

from __future__ import annotations

from typing import Any, TypeGuard

from django.utils.translation import gettext as _

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank, User
from biobank.accounts.principals import Actor, Principal, TokenPrincipal
from biobank.accounts.selectors import user_has_biobank_perm
from biobank.audit.services import audit_record
from biobank.errors import ForbiddenError

from ...models.identity import IDENTITY_FIELDS


def _is_person_or_token(actor: Actor) -> TypeGuard[Principal]:
    return isinstance(actor, TokenPrincipal | User)


def _require_perm(actor: Actor, biobank: Biobank, perm: Perm, action: str) -> None:
    """People and tokens need ``perm``; system actors (``None``, ``"system:<job>"``: seeding, imports) do not."""
    if _is_person_or_token(actor) and not user_has_biobank_perm(user=actor, biobank=biobank, perm=perm):
        raise ForbiddenError(
            _("You may not %(action)s in %(biobank_code)s; this needs the permission %(perm)s.")
            % {"action": action, "biobank_code": biobank.code, "perm": perm}
        )


def _user_or_none(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _audit(**kwargs: Any) -> None:
    audit_record(identifying=IDENTITY_FIELDS, **kwargs)
