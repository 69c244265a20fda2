"""The one-time link an institutional signatory gets by e-mail to accept a resource's agreement without an account."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .agreements import AgreementTemplate
from .requests import RequestResource, TeamMember


class SigningLink(models.Model):
    """An invitation to accept ``template`` for ``resource`` as the institution; only the token's SHA-256 is kept.

    Valid until ``expires_at`` (14 days) and used at most once; a new invitation for the same resource replaces the
    unused ones."""

    resource = models.ForeignKey(RequestResource, on_delete=models.CASCADE, related_name="signing_links")
    template = models.ForeignKey(AgreementTemplate, on_delete=models.PROTECT, related_name="+")
    signatory = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="signing_links")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"signing link {self.pk} for {self.resource_id}"
