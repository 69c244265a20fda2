"""Who can act, what they can do, and why a verification can fail — the vocabularies of the audit trail."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorType(models.TextChoices):
    USER = "user", _("Person")
    TOKEN = "token", _("API token")
    SYSTEM = "system", _("System job")
    ANONYMOUS = "anonymous", _("Anonymous visitor")  # failed logins, denied requests before sign-in


class AuditAction(models.TextChoices):
    """Actions recorded so far. Later issues add theirs here; the column is free text, so no migration is needed.

    Names are ``<entity>.<verb>`` in lowercase (enforced by ``services.audit_record``).
    """

    NETWORK_CREATE = "network.create", _("Network created")
    BIOBANK_CREATE = "biobank.create", _("Biobank created")
    USER_CREATE = "user.create", _("Account created")
    MEMBERSHIP_GRANT = "membership.grant", _("Role granted")
    MEMBERSHIP_REVOKE = "membership.revoke", _("Role revoked")
    ROLE_GRANT_REQUEST = "role_grant.request", _("Role requested (awaits a second admin)")
    ROLE_GRANT_APPROVE = "role_grant.approve", _("Requested role approved")
    ROLE_GRANT_REJECT = "role_grant.reject", _("Requested role rejected")
    BIOBANK_DEACTIVATE = "biobank.deactivate", _("Biobank deactivated")
    BIOBANK_REACTIVATE = "biobank.reactivate", _("Biobank reactivated")
    API_TOKEN_CREATE = "api_token.create", _("API token created")
    API_TOKEN_REVOKE = "api_token.revoke", _("API token revoked")
    COLLECTION_CREATE = "collection.create", _("Collection created")
    COLLECTION_UPDATE = "collection.update", _("Collection changed")
    AUTH_LOGIN = "auth.login", _("Signed in")
    AUTH_LOGOUT = "auth.logout", _("Signed out")
    AUTH_LOGIN_FAILED = "auth.login_failed", _("Failed sign-in")
    AUTH_LOCKOUT = "auth.lockout", _("Sign-in paused after repeated failures")
    ACCESS_DENIED = "access.denied", _("Access denied")
    AUDIT_EXPORT = "audit.export", _("Audit trail exported")
    AUDIT_VERIFIED = "audit.verified", _("Audit chain verified")
    AUDIT_REANCHOR = "audit.reanchor", _("Audit chain re-anchored after a restore")
    AUDIT_OUTBOX_TAMPERED = "audit.outbox_tampered", _("Tampered pending audit events quarantined")


class BreakReason(models.TextChoices):
    """Why ``audit_verify`` stopped trusting the chain at a given ``seq``."""

    HASH_MISMATCH = "hash_mismatch", _("The entry's content does not match its hash (entry altered)")
    PREV_HASH_MISMATCH = "prev_hash_mismatch", _("The entry does not link to the previous entry's hash")
    GAP = "gap", _("A sequence number is missing (entry deleted)")
    MISSING_ROWS = "missing_rows", _("Entries covered by a signed checkpoint are missing")
    CHECKPOINT_MISMATCH = "checkpoint_mismatch", _("The entry differs from the signed checkpoint (chain rewritten)")
    BAD_CHECKPOINT = "bad_checkpoint", _("A checkpoint line has an invalid signature")
    MAC_MISMATCH = "mac_mismatch", _("The entry's signature does not verify (forged, rewritten or renumbered)")
    UNSIGNED = "unsigned", _("An entry carries no signature and no signed checkpoint covers it")
