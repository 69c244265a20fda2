"""Conditions of an approval, versioned transfer-agreement templates and their electronic acceptance, entitlements
(who may use what until when), reports coming back, and outgoing webhooks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank

from ..choices import AgreementKind, ConditionKind, ReportKind, SignatoryRole, WebhookDeliveryStatus
from .requests import AccessRequest, RequestResource


class Condition(models.Model):
    """One condition attached to a resource's approval: structured (with a date where it needs one) or free text.

    ``duo_term`` is set on the conditions proposed from DUO modifiers that made the match ABSTAIN."""

    resource = models.ForeignKey(RequestResource, on_delete=models.CASCADE, related_name="conditions")
    kind = models.CharField(_("condition"), max_length=24, choices=ConditionKind.choices)
    text = models.TextField(_("details"), blank=True)
    due_on = models.DateField(_("by"), null=True, blank=True)
    duo_term = models.CharField(max_length=16, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["resource_id", "id"]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class AgreementTemplate(models.Model):
    """A biobank's Material/Data Transfer Agreement, one row per published version (never edited once accepted)."""

    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, related_name="agreement_templates")
    kind = models.CharField(_("kind"), max_length=8, choices=AgreementKind.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["biobank_id", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["biobank", "kind", "version"], name="agreement_template_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class AgreementAcceptance(models.Model):
    """Who accepted which agreement version for a resource, as researcher or institutional signatory, and when."""

    resource = models.ForeignKey(RequestResource, on_delete=models.CASCADE, related_name="acceptances")
    template = models.ForeignKey(AgreementTemplate, on_delete=models.PROTECT, related_name="acceptances")
    role = models.CharField(_("signing as"), max_length=12, choices=SignatoryRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    text_sha256 = models.CharField(max_length=64)  # the exact text accepted
    accepted_at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["resource_id", "accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "template", "role"], name="agreement_accepted_once_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.role}) {self.template}"


class Entitlement(models.Model):
    """A researcher's right to a resource's material/data until ``ends_on`` (REMS entitlements).

    While it runs, django-guardian object permissions give the researcher the approved collections and the
    resource's releases; ending, expiry or revocation removes them in the same transaction."""

    resource = models.ForeignKey(RequestResource, on_delete=models.CASCADE, related_name="entitlements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="entitlements")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    warned_at = models.DateTimeField(null=True, blank=True)  # the 30-day warning
    ended_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="entitlement_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["resource", "user"],
                condition=models.Q(ended_at__isnull=True, revoked_at__isnull=True),
                name="entitlement_one_running_per_resource_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.starts_on} to {self.ends_on}"

    @property
    def running(self) -> bool:
        return self.ended_at is None and self.revoked_at is None


class Report(models.Model):
    """What comes back on a request: progress reports, publications (DOI), returned results, destruction."""

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    doi = models.CharField(_("DOI"), max_length=200, blank=True)
    attachment = models.ForeignKey(
        "access_requests.RequestAttachment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request_id", "submitted_at"]

    def __str__(self) -> str:
        return self.title


class WebhookEndpoint(models.Model):
    """A partner system told of request events, with an HMAC-SHA256 signature over each body."""

    biobank = models.ForeignKey(Biobank, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"))
    secret = models.CharField(max_length=64)
    events = models.JSONField(default=list, blank=True)  # event kinds; empty = all
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event to one endpoint (outbox row): retried with exponential backoff until delivered or given up."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=WebhookDeliveryStatus.choices, default=WebhookDeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"
