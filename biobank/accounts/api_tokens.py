"""Writes to partner-system API tokens: creation (the secret shown once), revocation, and the record of last use.

Re-exported by ``biobank.accounts.services``, where callers find every accounts write.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.audit.choices import AuditAction
from biobank.audit.services import audit_record
from biobank.errors import DomainError

from .choices import TOKEN_GRANTABLE_PERMISSIONS
from .models import ApiToken, Biobank, User, hash_token

MAX_TOKEN_LIFETIME = timedelta(days=730)


@transaction.atomic
def api_token_create(
    *,
    actor: User | None,
    biobank: Biobank,
    name: str,
    permissions: Iterable[str],
    expires_at: datetime,
) -> tuple[ApiToken, str]:
    """Create a partner-system token; returns the token row and the secret, which is never stored or shown again."""
    permissions = set(permissions)
    if "manage_catalog" in permissions:
        permissions.add("view_catalog")  # changing what one cannot see would make a 404 writable
    permissions = sorted(permissions)
    if not permissions:
        raise DomainError(_("Choose at least one permission."), field="permissions", code="required")
    not_grantable = [p for p in permissions if p not in TOKEN_GRANTABLE_PERMISSIONS]
    if not_grantable:
        raise DomainError(
            _("Permission(s) %(not_grantable)s cannot be given to a token; allowed: %(allowed)s.")
            % {
                "not_grantable": ", ".join(not_grantable),
                "allowed": ", ".join(TOKEN_GRANTABLE_PERMISSIONS),
            },
            field="permissions",
            code="invalid_choice",
        )
    if actor is not None:  # a token never carries more than the person who creates it holds in the biobank
        from .selectors import biobank_perms_of

        held = biobank_perms_of(user=actor, biobank=biobank)
        beyond = [p for p in permissions if p not in held]
        if beyond:
            raise DomainError(
                _(
                    "You cannot give a token permission(s) that you do not hold yourself in %(biobank_name)s: "
                    "%(beyond)s."
                )
                % {"biobank_name": biobank.name, "beyond": ", ".join(beyond)},
                field="permissions",
                code="beyond_own_permissions",
            )
    now = timezone.now()
    if expires_at <= now:
        raise DomainError(_("The expiry must be in the future."), field="expires_at")
    if expires_at > now + MAX_TOKEN_LIFETIME:
        raise DomainError(_("A token may live at most two years; choose an earlier expiry."), field="expires_at")
    if not name.strip():
        raise DomainError(_("Give the token a name that says which partner system uses it."), field="name")
    secret = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        biobank=biobank,
        name=name.strip(),
        key_prefix=secret[: len(ApiToken.PREFIX) + 6],
        key_hash=hash_token(secret),
        permissions=permissions,
        created_by=actor,
        expires_at=expires_at,
    )
    audit_record(  # never the secret: only what identifies the token in lists
        actor=actor,
        action=AuditAction.API_TOKEN_CREATE,
        obj=token,
        changes={
            "name": [None, token.name],
            "key_prefix": [None, token.key_prefix],
            "permissions": [None, permissions],
            "expires_at": [None, expires_at],
        },
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=actor,
            action=AuditAction.API_TOKEN_REVOKE,
            obj=token,
            changes={"revoked_at": [None, token.revoked_at]},
        )
    return token


def api_token_record_use(*, token: ApiToken, ip: str | None) -> None:
    """Record the last use, at most once a minute per token, so every API call is not a write."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < timedelta(minutes=1) and token.last_used_ip == ip:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
    token.last_used_at, token.last_used_ip = now, ip
