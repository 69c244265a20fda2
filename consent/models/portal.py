"""Dynamic consent: donors' portal accounts and invitations, messages, re-consent campaigns, and the outbox row of a
withdrawal's propagation (``docs/dynamic-consent.md``).

A donor signs in with a one-time link (``DonorInvitation``: only the SHA-256 of the token is stored; single use,
expiring) and has no password. ``DonorAccount`` ties that person's ``User`` to the donor record the invitation was
sent for; pages resolve the donor's whole merge family from it. ``WithdrawalPropagation`` is written in the same
transaction as a withdrawal and records what must happen elsewhere: each app's registered effect acts on it, and
each step is marked done, so a broker that is down loses nothing and a second run does nothing twice.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank, OutgoingEmail

from ..choices import InvitationPurpose, MessageKind, PropagationKind, PropagationStatus, WithdrawalLevel
from .catalogue import Template
from .donors import Donor


class DonorAccount(models.Model):
    """A donor's access to the donor portal: their ``User`` (``is_donor``, no password) and their donor record."""

    KEEP_ON_MERGE = True  # the account stays on the record it was made for; pages fold the merge family

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="donor_account")
    donor = models.OneToOneField(Donor, on_delete=models.PROTECT, related_name="account")
    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, related_name="donor_accounts")
    language = models.CharField(_("language"), max_length=10, default="en")
    notify_news = models.BooleanField(_("news about the biobank"), default=False)
    notify_results = models.BooleanField(_("results of studies that used my samples or data"), default=False)
    notify_recontact = models.BooleanField(_("invitations to new studies (recontact)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["biobank", "donor"]

    def __str__(self) -> str:
        return f"donor portal account of {self.donor}"


class ReconsentCampaign(models.Model):
    """Staff invite the donors who signed an older version of a consent form to re-consent to ``template``."""

    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, related_name="reconsent_campaigns")
    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="campaigns")
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class CampaignTarget(models.Model):
    """One donor a campaign is about: invited (with the invitation), or skipped with the reason (no e-mail …)."""

    KEEP_ON_MERGE = True

    campaign = models.ForeignKey(ReconsentCampaign, on_delete=models.PROTECT, related_name="targets")
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="+")
    invitation = models.ForeignKey("DonorInvitation", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    skipped_reason = models.CharField(_("not invited because"), max_length=200, blank=True)

    class Meta:
        ordering = ["campaign", "donor"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "donor"], name="campaign_target_once"),
            models.CheckConstraint(
                condition=models.Q(invitation__isnull=False) | ~models.Q(skipped_reason=""),
                name="campaign_target_invited_or_skipped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: donor {self.donor_id}"


class DonorInvitation(models.Model):
    """A one-time sign-in link sent to a donor: the token's SHA-256 only, single use, expiring."""

    KEEP_ON_MERGE = True

    account = models.ForeignKey(DonorAccount, on_delete=models.PROTECT, related_name="invitations")
    purpose = models.CharField(max_length=12, choices=InvitationPurpose.choices, default=InvitationPurpose.INVITE)
    campaign = models.ForeignKey(
        ReconsentCampaign, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations"
    )
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("created_at")), name="invitation_expires")
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} for {self.account_id}"


class DonorMessage(models.Model):
    """A message to the donor, shown in the portal; ``email`` is its e-mailed copy (gone once sent and purged)."""

    KEEP_ON_MERGE = True

    account = models.ForeignKey(DonorAccount, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(max_length=32, choices=MessageKind.choices)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.ForeignKey(OutgoingEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject


class MessageTemplate(models.Model):
    """Staff's wording of one kind of donor message in one language (Django template syntax, a fixed context);
    without one, the shipped wording in ``templates/emails/donor/`` is used."""

    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, related_name="message_templates")
    kind = models.CharField(_("message"), max_length=32, choices=MessageKind.choices)
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["biobank", "kind", "language"]
        constraints = [models.UniqueConstraint(fields=["biobank", "kind", "language"], name="message_template_once")]

    def __str__(self) -> str:
        return f"{self.kind} [{self.language}]"


class WithdrawalPropagation(models.Model):
    """The outbox row of a withdrawal (or of a choice changed to "decline"): what must happen outside the consent
    records. Written in the withdrawal's transaction; ``consent.propagate_withdrawal`` runs each registered effect
    and records it in ``steps`` (effect name → its result), in the same transaction as the effect's own writes."""

    KEEP_ON_MERGE = True

    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, related_name="+")
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="propagations")  # the family's root
    donor_ids = ArrayField(models.BigIntegerField())  # the whole merge family at the time of the withdrawal
    kind = models.CharField(max_length=8, choices=PropagationKind.choices)
    level = models.CharField(max_length=24, choices=WithdrawalLevel.choices, blank=True)
    module_code = models.CharField(max_length=64, blank=True)
    policy_codes = ArrayField(models.CharField(max_length=64), default=list)
    blocks_material = models.BooleanField(default=False)
    destroys_material = models.BooleanField(default=False)
    effective = models.DateField()
    reason = models.TextField(blank=True)
    by_donor = models.BooleanField(default=False)  # made in the donor portal (not recorded by staff)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=8, choices=PropagationStatus.choices, default=PropagationStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    steps = models.JSONField(default=dict)
    last_error = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="propagation_pending",
                condition=models.Q(status=PropagationStatus.PENDING),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind=PropagationKind.LEVEL) | ~models.Q(level=""), name="propagation_level_set"
            ),
            models.CheckConstraint(
                condition=models.Q(status=PropagationStatus.PENDING) | models.Q(completed_at__isnull=False),
                name="propagation_done_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"propagation {self.pk} ({self.kind} {self.level or self.module_code}) of {self.donor_id}"
