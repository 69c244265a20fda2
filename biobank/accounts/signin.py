"""Self-service account flows: researcher sign-up with e-mail verification, donors' one-time sign-in links, profile.

Kept apart from ``services.py`` (biobank membership and token administration) because these flows are started by
the person themselves, often before they are signed in. Every function is atomic and names its actor; e-mails are
recorded in the transaction (the outbox) and sent after it commits, never inside it.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _

from biobank.audit.choices import AuditAction
from biobank.audit.services import audit_record
from biobank.errors import DomainError, ForbiddenError

from .models import User

VERIFY_EMAIL_SALT = "biobank.accounts.researcher-verify-email"
VERIFY_EMAIL_MAX_AGE = timedelta(days=3)
DONOR_LINK_MAX_AGE = timedelta(minutes=30)


class DonorLoginTokenGenerator(PasswordResetTokenGenerator):
    """One-time sign-in tokens for donors.

    The hash covers ``last_login``: signing in with the link updates it, so the same link cannot be used twice.
    Tokens also expire after ``DONOR_LINK_MAX_AGE`` (not ``PASSWORD_RESET_TIMEOUT``, which is a day).
    """

    key_salt = "biobank.accounts.DonorLoginTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        login_timestamp = "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None)
        return f"{user.pk}{user.email}{user.is_active}{user.is_donor}{login_timestamp}{timestamp}"

    def check_token(self, user: User | None, token: str | None) -> bool:
        if not super().check_token(user, token):
            return False
        assert token is not None  # checked by super()
        timestamp = base36_to_int(token.split("-")[0])
        return self._num_seconds(self._now()) - timestamp <= DONOR_LINK_MAX_AGE.total_seconds()


donor_login_tokens = DonorLoginTokenGenerator()


def _site_link(viewname: str, **kwargs: str) -> str:
    from django.conf import settings

    return settings.SITE_URL + reverse(viewname, kwargs=kwargs)


def researcher_verification_link(user: User) -> str:
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_EMAIL_SALT, compress=True)
    return _site_link("accounts:researcher_verify", token=token)


def donor_login_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return _site_link("accounts:donor_link_confirm", uidb64=uid, token=donor_login_tokens.make_token(user))


def _queue(template: str, to: str, context: dict) -> None:
    """Record the e-mail in the caller's transaction; it is sent after commit, or by the catch-up if that fails."""
    from .emails import queue_email

    queue_email(template=template, to=to, context=context)


@transaction.atomic
def researcher_register(*, actor: User | None, email: str, full_name: str, password: str) -> User | None:
    """Register a researcher who cannot sign in until they follow the link e-mailed to them.

    The caller answers the same way whatever happens, so the form does not reveal which e-mails have accounts:
    a known address gets a "you already have an account" e-mail (or, if still unverified, a fresh verification
    link) instead of a second account. Returns the new user, or ``None`` when the address was already taken.
    """
    email = User.objects.normalize_email(email).strip().lower()
    existing = User.objects.select_for_update().filter(email__iexact=email).first()
    if existing is not None:
        if existing.is_researcher and existing.email_verified_at is None:
            _queue("verify_email", existing.email, {"user": existing, "link": researcher_verification_link(existing)})
        else:
            from .emails import password_reset_link

            _queue("account_exists", existing.email, {"user": existing, "link": password_reset_link(existing)})
        return None
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name.strip(), is_researcher=True, is_active=False
    )
    audit_record(  # the person signs themselves up (not yet anyone: anonymous), unless an admin registers them
        actor=actor if actor is not None else AnonymousUser(),
        action=AuditAction.USER_REGISTER,
        obj=user,
        changes={"email": [None, user.email], "full_name": [None, user.full_name], "is_researcher": [None, True]},
    )
    _queue("verify_email", user.email, {"user": user, "link": researcher_verification_link(user)})
    return user


@transaction.atomic
def researcher_verify_email(*, actor: User | None, token: str) -> User:
    """Confirm a researcher's e-mail from the signed link and let them sign in.

    Raises ``DomainError`` for a tampered, expired or outdated link. A second click on a valid link is harmless.
    """
    try:
        data = signing.loads(token, salt=VERIFY_EMAIL_SALT, max_age=VERIFY_EMAIL_MAX_AGE)
    except signing.SignatureExpired:
        raise DomainError(
            _("This confirmation link has expired (links are valid for 3 days). Sign up again to get a new one."),
            field="token",
            code="expired",
        ) from None
    except signing.BadSignature:
        raise DomainError(
            _("This confirmation link is not valid. Copy the whole link from the e-mail, or sign up again."),
            field="token",
            code="invalid",
        ) from None
    user = User.objects.select_for_update().filter(pk=data.get("u"), email=data.get("e"), is_researcher=True).first()
    if user is None:
        raise DomainError(_("This confirmation link belongs to no account."), field="token", code="invalid")
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.is_active = True
        user.save(update_fields=["email_verified_at", "is_active"])
        audit_record(  # whoever holds the link acts for the account: the account is the actor
            actor=actor or user,
            action=AuditAction.USER_VERIFY_EMAIL,
            obj=user,
            changes={"email_verified_at": [None, user.email_verified_at], "is_active": [False, True]},
        )
    return user


@transaction.atomic
def user_password_set(*, actor: User, user: User, password: str, how: str) -> User:
    """Give ``user`` a new password: ``how`` is ``"change"`` (signed in, old password given) or ``"reset"`` (the
    e-mailed link). The caller's form has validated it against ``AUTH_PASSWORD_VALIDATORS``.

    The event records that the password changed, never the value (``SECRET_FIELDS``).
    """
    actions = {"change": AuditAction.USER_PASSWORD_CHANGE, "reset": AuditAction.USER_PASSWORD_RESET}
    if how not in actions:
        raise DomainError(
            _("Unknown way of setting a password %(how)r; allowed: change, reset.") % {"how": how}, code="invalid"
        )
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action=actions[how], obj=user, changes={"password": ["", ""]})
    return user


@transaction.atomic
def donor_login_link_send(*, actor: User | None, email: str) -> bool:
    """E-mail a one-time sign-in link if ``email`` belongs to an active donor; returns whether one was sent.

    Views must not show the result: the page answers the same way for any address.
    """
    user = User.objects.filter(email__iexact=email.strip(), is_donor=True, is_active=True).first()
    if user is None:
        return False
    _queue(
        "donor_login",
        user.email,
        {"user": user, "link": donor_login_link(user), "minutes": int(DONOR_LINK_MAX_AGE.total_seconds() // 60)},
    )
    return True


def donor_for_login_link(*, uidb64: str, token: str) -> User | None:
    """The donor a sign-in link belongs to, if the link is still valid (unused and not expired)."""
    from django.utils.http import urlsafe_base64_decode

    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_donor=True, is_active=True).first()
    if user is None or not donor_login_tokens.check_token(user, token):
        return None
    return user


@transaction.atomic
def user_profile_update(*, actor: User, user: User, full_name: str) -> User:
    """A person edits their own profile (only the name for now; the e-mail is their sign-in)."""
    if actor.pk != user.pk:
        raise ForbiddenError(_("You can only edit your own profile."))
    old = user.full_name
    user.full_name = full_name.strip()
    user.save(update_fields=["full_name"])
    if old != user.full_name:
        audit_record(
            actor=actor, action=AuditAction.USER_UPDATE, obj=user, changes={"full_name": [old, user.full_name]}
        )
    return user
