"""Donor portal accounts and their one-time links.

Staff invite a donor (``donor_invite``): the first invitation makes the account — a ``User`` flagged ``is_donor``
with no usable password and the e-mail address from the identity vault — and each invitation is a random token of
which only the SHA-256 is stored. A link works once (``used_at``, set under a row lock) and until it expires; a
newer invitation does not revoke older unused ones (a donor may open either), but each opens only its own account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.models import User
from biobank.audit.services import audit_record
from biobank.errors import DomainError

from ...choices import InvitationPurpose, MessageKind
from ...gate import donor_families
from ...models import Donor, DonorAccount, DonorInvitation, ReconsentCampaign
from ..permissions import require_manage_consent
from .messages import donor_message_send, vault_email

INVITATION_LIFETIME = timedelta(days=14)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_link(token: str) -> str:
    """The link in the e-mail: the donor portal's welcome page (``donor_portal:welcome``, mounted at /my/)."""
    return f"{settings.SITE_URL}/my/welcome/{token}/"


def _account_for(*, actor: User | None, donor: Donor, language: str | None) -> DonorAccount:
    family = donor_families([donor.pk])[donor.pk]
    root = Donor.objects.select_for_update().get(pk=family.root)
    account = DonorAccount.objects.select_related("user", "biobank").filter(donor_id__in=family.members).first()
    if account is not None:
        if language and language != account.language:
            account.language = language
            account.save(update_fields=["language"])
        return account
    if not root.can_consent:
        raise DomainError(
            _("Donor %(pid)s is %(status)s; only an active donor can be invited to the donor portal.")
            % {"pid": root.pid_display, "status": root.get_status_display().lower()},
            field="donor",
            code="donor_status",
        )
    members = [family.root, *sorted(family.members - {family.root})]
    email = User.objects.normalize_email(vault_email(members)).strip().lower()
    if not email:
        raise DomainError(
            _(
                "Donor %(pid)s has no e-mail address in the identity vault; an identity steward can add one before "
                "the donor is invited."
            )
            % {"pid": root.pid_display},
            field="donor",
            code="no_email",
        )
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(
            _(
                "The donor's e-mail address already belongs to another account of this portal (a staff member, a "
                "researcher or another donor record); the donor cannot be invited with it."
            ),
            field="donor",
            code="email_taken",
        )
    user = User.objects.create_user(email=email, password=None, full_name="", is_donor=True)
    account = DonorAccount.objects.create(
        user=user, donor=root, biobank_id=root.biobank_id, language=language or "en", created_by=actor
    )
    audit_record(
        actor=actor,
        action="donor.portal_account_create",
        obj=root,
        details={"account": account.pk, "language": account.language},
    )
    return account


def invitation_send(
    *,
    actor: User | None,
    account: DonorAccount,
    purpose: str = InvitationPurpose.INVITE,
    campaign: ReconsentCampaign | None = None,
) -> DonorInvitation:
    """A new one-time link for ``account``, e-mailed and noted in the portal. Call inside a transaction.

    The returned row carries the raw token as ``invitation.token`` (only here: it is never stored).
    """
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = DonorInvitation.objects.create(
        account=account,
        purpose=purpose,
        campaign=campaign,
        token_sha256=_token_hash(token),
        created_at=now,
        created_by=actor,
        expires_at=now + INVITATION_LIFETIME,
    )
    kind = MessageKind.RECONSENT_INVITATION if campaign is not None else MessageKind.DONOR_INVITATION
    context = {"expires": timezone.localdate(invitation.expires_at).isoformat()}
    if campaign is not None:
        context |= {"campaign": campaign.title, "version": campaign.template.version_label}
    donor_message_send(account=account, kind=kind, context=context, secret_link=invitation_link(token))
    audit_record(
        actor=actor,
        action="donor.portal_invite",
        obj=account.donor,
        details={"invitation": invitation.pk, "purpose": purpose, "campaign": campaign.pk if campaign else None},
    )
    invitation.token = token  # type: ignore[attr-defined]  # the raw token, for the caller only (tests, demo)
    return invitation


@transaction.atomic
def donor_invite(*, actor: User, donor: Donor, language: str | None = None) -> DonorInvitation:
    """Invite a donor to the donor portal by e-mail (staff with ``manage_consent``): the account is made on the
    first invitation, from the e-mail address in the identity vault; each invitation is a new one-time link."""
    require_manage_consent(actor, donor.biobank)
    if language is not None and language not in ("en", "de"):
        raise DomainError(
            _("The donor portal speaks en or de, not %(language)r.") % {"language": language}, field="language"
        )
    account = _account_for(actor=actor, donor=donor, language=language)
    if not account.user.is_active:
        raise DomainError(_("This donor's portal account is closed."), field="donor", code="account_closed")
    return invitation_send(actor=actor, account=account)


def _checked(token: str, *, lock: bool) -> DonorInvitation:
    rows = DonorInvitation.objects.select_related("account__user", "account__biobank", "account__donor")
    if lock:
        rows = rows.select_for_update(of=("self",))
    invitation = rows.filter(token_sha256=_token_hash(token or "")).first()
    if invitation is None:
        raise DomainError(
            _("This link is not valid. Copy the whole link from the e-mail, or ask the biobank for a new invitation."),
            field="token",
            code="invalid",
        )
    if invitation.used_at is not None:
        raise DomainError(
            _(
                "This link has been used already: each link works once. Ask the biobank for a new one, or sign in "
                "with a new link from the sign-in page."
            ),
            field="token",
            code="used",
        )
    if invitation.revoked_at is not None or not invitation.account.user.is_active:
        raise DomainError(
            _("This link was withdrawn by the biobank. Ask the biobank for a new one."), field="token", code="revoked"
        )
    if invitation.expires_at <= timezone.now():
        raise DomainError(
            _("This link expired on %(day)s. Ask the biobank for a new one.")
            % {"day": timezone.localdate(invitation.expires_at).isoformat()},
            field="token",
            code="expired",
        )
    return invitation


def donor_invitation_peek(*, token: str) -> DonorInvitation:
    """The invitation a link stands for, if it still works (not used up: the page asks for one click first, so
    e-mail scanners that open links do not spend them)."""
    return _checked(token, lock=False)


@transaction.atomic
def donor_invitation_redeem(*, token: str) -> DonorAccount:
    """Spend a one-time link: returns the account to sign in; a second use of the same link is refused."""
    invitation = _checked(token, lock=True)
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    account = invitation.account
    audit_record(
        actor=account.user,
        action="donor.portal_sign_in",
        obj=account.donor,
        details={"invitation": invitation.pk, "purpose": invitation.purpose},
    )
    return account
