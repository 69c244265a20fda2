"""Multi-factor sign-in (issue 9, item 4): a TOTP authenticator app, with single-use recovery codes as the fallback.

Who must use it: every member of a biobank (all roles are staff roles, identity stewards included) and superusers.
Researchers and donors may set it up on their profile; once they have, they are asked for a code like everyone else.

The devices are django-otp's (``TOTPDevice``, ``StaticDevice``). Which step a signed-in session has reached is kept
in the session (``MFA_SESSION_KEY``), set at sign-in and changed only here, so an ordinary request costs no query:

* ``pending``: the password was right, the second step is not done; ``MfaRequiredMiddleware`` sends every page to
  the step (enrolment when there is no device yet) and ``MfaSessionAuthentication`` refuses the API session.
* ``verified``: the second step was passed (or the device was just enrolled) in this session.
* ``off``: a researcher or donor without a device: nothing to ask.

Recovery codes are shown once and stored as SHA-256 digests (their first 64 bits: the column holds 16
characters), never as they were shown. Wrong codes count toward the sign-in limit of ``lockout.py``.
"""

from __future__ import annotations

import hashlib
import secrets
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from biobank.errors import DomainError, ForbiddenError

from .choices import Perm
from .models import Biobank, Membership, User
from .principals import Actor

MFA_SESSION_KEY = "_biobank_mfa"
PENDING, VERIFIED, OFF = "pending", "verified", "off"
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 12  # base32 characters: 60 random bits each
DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


# Rules ---------------------------------------------------------------------------------------------------------------


def mfa_required(*, user: User) -> bool:
    """Staff must use a second factor: superusers and everyone holding a role in a biobank."""
    return bool(user.is_superuser or user.is_staff or Membership.objects.filter(user=user).exists())


def mfa_device(*, user: User) -> TOTPDevice | None:
    """The person's confirmed authenticator, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@dataclass(frozen=True)
class MfaStatus:
    required: bool
    enrolled: bool
    enrolled_at: datetime | None
    recovery_codes_left: int


def mfa_status(*, user: User) -> MfaStatus:
    """What the profile page shows."""
    device = mfa_device(user=user)
    left = StaticToken.objects.filter(device__user=user, device__confirmed=True).count() if device else 0
    return MfaStatus(
        required=mfa_required(user=user),
        enrolled=device is not None,
        enrolled_at=device.created_at if device else None,
        recovery_codes_left=left,
    )


def secret_of(device: TOTPDevice) -> str:
    """The key as people type it into an authenticator app: base32, in groups of four."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _digest(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()[:16]


def _new_recovery_codes() -> list[str]:
    codes = []
    for _index in range(RECOVERY_CODE_COUNT):
        raw = b32encode(secrets.token_bytes(8)).decode().lower()[:RECOVERY_CODE_LENGTH]
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4)))
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = _new_recovery_codes()
    StaticToken.objects.bulk_create([StaticToken(device=device, token=_digest(code)) for code in codes])
    return codes


# Session state -------------------------------------------------------------------------------------------------------


def mfa_session_start(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    """``user_logged_in``: every sign-in starts before the second step if the person must or chose to use one."""
    session = getattr(request, "session", None)
    if session is not None:
        needed = mfa_required(user=user) or mfa_device(user=user) is not None
        session[MFA_SESSION_KEY] = PENDING if needed else OFF


def mfa_session_pending(request: HttpRequest) -> bool:
    """Whether the signed-in session still owes its second step (checked on every request; no query once known)."""
    session = request.session
    state = session.get(MFA_SESSION_KEY)
    if state is None:  # a session signed in before MFA existed: decide once, as at sign-in
        mfa_session_start(None, request, request.user)  # type: ignore[arg-type]
        state = session[MFA_SESSION_KEY]
    return state == PENDING


def mfa_session_verified(request: HttpRequest) -> None:
    """The second step is done: a new session key, so a key seen before the step is worth nothing after it."""
    request.session.cycle_key()
    request.session[MFA_SESSION_KEY] = VERIFIED


# Services ------------------------------------------------------------------------------------------------------------


def mfa_setup_device(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (one per person; the page can be reloaded with the same key)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def mfa_enrol_confirm(*, actor: User, token: str) -> list[str]:
    """Confirm the authenticator with a code it shows; returns the recovery codes, to be shown this once only."""
    from biobank.audit.choices import AuditAction
    from biobank.audit.services import audit_record

    if TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=True).exists():
        raise DomainError(_("Two-step sign-in is already set up for this account."), code="already_enrolled")
    device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=False).order_by("pk").first()
    if device is None:
        raise DomainError(_("Start the set-up again: no authenticator is waiting for confirmation."), field="code")
    if not device.verify_token(normalise_code(token)):
        raise DomainError(
            _("This code does not match. Enter the 6-digit code your app shows now for the Biobank Portal."),
            field="code",
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    codes = _replace_recovery_codes(actor)
    audit_record(
        actor=actor,
        action=AuditAction.MFA_ENROL,
        obj=actor,
        details={"device": "totp", "recovery_codes": len(codes)},
    )
    return codes


@transaction.atomic
def mfa_verify(*, actor: User, token: str) -> str | None:
    """Check the second step: a code of the authenticator or an unused recovery code (used up by this).

    Returns ``"totp"`` or ``"recovery_code"``, or ``None`` for a wrong code (audited as ``mfa.verify_failed``).
    Rows are locked, so two requests can neither replay one TOTP code nor spend one recovery code twice.
    """
    from biobank.audit.choices import AuditAction
    from biobank.audit.services import audit_record

    code = normalise_code(token)
    kind: str | None = None
    if code.isdigit() and len(code) == 6:
        device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=True).order_by("pk").first()
        if device is not None and device.verify_token(code):
            kind = "totp"
    elif code:
        match = (
            StaticToken.objects.select_for_update()
            .filter(device__user=actor, device__confirmed=True, token=_digest(code))
            .first()
        )
        if match is not None:
            match.delete()
            kind = "recovery_code"
    if kind is None:
        audit_record(actor=actor, action=AuditAction.MFA_VERIFY_FAILED, obj=actor, details={"kind": _kind_of(code)})
        return None
    if kind == "recovery_code":
        left = StaticToken.objects.filter(device__user=actor).count()
        audit_record(actor=actor, action=AuditAction.MFA_RECOVERY_CODE_USE, obj=actor, details={"left": left})
    else:
        audit_record(actor=actor, action=AuditAction.MFA_VERIFY, obj=actor, details={"device": "totp"})
    return kind


def _kind_of(code: str) -> str:
    return "totp" if code.isdigit() and len(code) == 6 else "recovery_code"


@transaction.atomic
def mfa_recovery_codes_regenerate(*, actor: User) -> list[str]:
    """New recovery codes for the person (the old ones stop working); shown once, like the first ones."""
    from biobank.audit.choices import AuditAction
    from biobank.audit.services import audit_record

    if not TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=True).exists():
        raise DomainError(_("Set up two-step sign-in first; recovery codes come with it."), code="not_enrolled")
    codes = _replace_recovery_codes(actor)
    audit_record(
        actor=actor, action=AuditAction.MFA_RECOVERY_CODES_REGENERATE, obj=actor, details={"count": len(codes)}
    )
    return codes


def mfa_may_reset(*, actor: Actor, user: User) -> bool:
    """Another person's MFA may be reset by a superuser or by an admin of one of that person's biobanks."""
    return bool(_reset_biobank(actor=actor, user=user) is not False)


def _reset_biobank(*, actor: Actor, user: User) -> Biobank | bool | None:
    """The biobank in whose name ``actor`` resets (``None`` for a superuser), or ``False`` if they may not."""
    from .selectors import biobanks_with_perm

    if not getattr(actor, "is_authenticated", False) or not isinstance(actor, User) or actor.pk == user.pk:
        return False
    shared = biobanks_with_perm(user=actor, perm=Perm.MANAGE_MEMBERS).filter(memberships__user=user).first()
    if shared is not None:
        return shared
    return None if actor.is_superuser else False


@transaction.atomic
def mfa_reset(*, actor: User, user: User, reason: str) -> None:
    """Remove a person's authenticator and recovery codes (lost phone): their next sign-in enrols again.

    Separation of duties: nobody resets their own (a stolen password must not be enough to drop the second
    factor); it takes an admin of a biobank the person belongs to, or a superuser, and a reason, which is audited.
    """
    from biobank.audit.choices import AuditAction
    from biobank.audit.services import audit_record

    if actor.pk == user.pk:
        raise ForbiddenError(_("You cannot reset your own two-step sign-in; ask another admin of your biobank."))
    biobank = _reset_biobank(actor=actor, user=user)
    if biobank is False:
        raise ForbiddenError(_("Only an admin of this person's biobank can reset their two-step sign-in."))
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Give the reason for the reset (it is kept in the audit trail)."), field="reason")
    User.objects.select_for_update().filter(pk=user.pk).first()
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    StaticDevice.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        action=AuditAction.MFA_RESET,
        obj=user,
        biobank=biobank or None,
        reason=reason,
        details={"email": user.email, "devices_removed": removed},
    )
