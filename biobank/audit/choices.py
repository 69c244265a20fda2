"""Who can act, what they can do, and why a verification can fail — the vocabularies of the audit trail."""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorType(models.TextChoices):
    USER = "user", _("Person")
    TOKEN = "token", _("API token")
    SYSTEM = "system", _("System job")
    ANONYMOUS = "anonymous", _("Anonymous visitor")  # failed logins, denied requests before sign-in


class AuditAction(models.TextChoices):
    """The platform core's actions. Domain apps define theirs in their own ``choices.py`` and register them
    (``register_audit_actions``) from ``AppConfig.ready()``; the column is free text, so no migration is needed.

    Names are ``<entity>.<verb>`` in lowercase (enforced by ``services.audit_record``).
    """

    NETWORK_CREATE = "network.create", _("Network created")
    BIOBANK_CREATE = "biobank.create", _("Biobank created")
    USER_CREATE = "user.create", _("Account created")
    USER_REGISTER = "user.register", _("Researcher signed up")
    USER_VERIFY_EMAIL = "user.verify_email", _("E-mail address confirmed")
    USER_UPDATE = "user.update", _("Profile changed")
    USER_PASSWORD_CHANGE = "user.password_change", _("Password changed")
    USER_PASSWORD_RESET = "user.password_reset", _("Password reset by e-mail link")
    ROLE_GROUP_SYNC = "role_group.sync", _("Role group repaired (permissions or members)")
    MEMBERSHIP_GRANT = "membership.grant", _("Role granted")
    MEMBERSHIP_REVOKE = "membership.revoke", _("Role revoked")
    ROLE_GRANT_REQUEST = "role_grant.request", _("Role requested (awaits a second admin)")
    ROLE_GRANT_APPROVE = "role_grant.approve", _("Requested role approved")
    ROLE_GRANT_REJECT = "role_grant.reject", _("Requested role rejected")
    BIOBANK_DEACTIVATE = "biobank.deactivate", _("Biobank deactivated")
    BIOBANK_REACTIVATE = "biobank.reactivate", _("Biobank reactivated")
    API_TOKEN_CREATE = "api_token.create", _("API token created")
    API_TOKEN_REVOKE = "api_token.revoke", _("API token revoked")
    AUTH_LOGIN = "auth.login", _("Signed in")
    AUTH_LOGOUT = "auth.logout", _("Signed out")
    AUTH_LOGIN_FAILED = "auth.login_failed", _("Failed sign-in")
    AUTH_LOCKOUT = "auth.lockout", _("Sign-in paused after repeated failures")
    MFA_ENROL = "mfa.enrol", _("Two-step sign-in set up")
    MFA_VERIFY = "mfa.verify", _("Second sign-in step passed")
    MFA_VERIFY_FAILED = "mfa.verify_failed", _("Wrong code at the second sign-in step")
    MFA_RECOVERY_CODE_USE = "mfa.recovery_code_use", _("Recovery code used")
    MFA_RECOVERY_CODES_REGENERATE = "mfa.recovery_codes_regenerate", _("New recovery codes made")
    MFA_RESET = "mfa.reset", _("Two-step sign-in reset by an admin")
    ACCESS_DENIED = "access.denied", _("Access denied")
    AUDIT_EXPORT = "audit.export", _("Audit trail exported")
    AUDIT_VERIFIED = "audit.verified", _("Audit chain verified")
    AUDIT_REANCHOR = "audit.reanchor", _("Audit chain re-anchored after a restore")
    AUDIT_OUTBOX_TAMPERED = "audit.outbox_tampered", _("Tampered pending audit events quarantined")


_REGISTERED_ACTIONS: dict[str, Any] = {}


def register_audit_actions(choices: type[models.TextChoices]) -> None:
    """Called from a domain app's ``AppConfig.ready()`` with its actions (the core never imports the apps above it).

    An action name belongs to one app: registering a name the core or another app already uses is a programming
    error, refused at start-up rather than shown with two meanings in the trail.
    """
    for action, label in choices.choices:
        known = _REGISTERED_ACTIONS.get(action, AuditAction(action).label if action in AuditAction.values else None)
        if known is not None and str(known) != str(label):
            raise ImproperlyConfigured(f"Audit action {action!r} is already registered as {known!r}.")
        _REGISTERED_ACTIONS[action] = label


def audit_action_label(action: str) -> str:
    """What an action means, in words, for the audit pages; an action nobody registered is shown as it is stored."""
    if action in AuditAction.values:
        return str(AuditAction(action).label)
    label = _REGISTERED_ACTIONS.get(action)
    return str(label) if label is not None else action


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
