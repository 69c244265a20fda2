"""Signed consents, the donor's per-module answers, and the append-only per-policy state history.

``PolicyState`` is bitemporal: ``valid_from``/``valid_to`` say when a state holds in the world (effective dates),
``recorded_at`` says when the portal learned it (transaction time). Rows are never updated or deleted (a database
trigger refuses it): a withdrawal is a new row with its own ``recorded_at`` and effective ``valid_from``. The consent
gate (``consent.gate``) reads these rows "as known at" any moment; dynamic consent builds on the same history.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank

from ..choices import ConsentSource, ConsentStatus, ModuleChoice, PolicyStateValue
from .catalogue import Module, Policy, Template
from .donors import Donor


def _receipt_path(instance: Consent, filename: str) -> str:
    return f"consent/receipts/{instance.biobank_id}/{instance.uid}.pdf.enc"


def _scan_path(instance: Consent, filename: str) -> str:
    return f"consent/scans/{instance.biobank_id}/{instance.uid}.enc"  # encrypted; the type is in scan_content_type


class Consent(models.Model):
    """A donor's signed template version: on screen with signatures, or a scanned paper form awaiting QC.

    The exact text is the template version's (immutable once signed). Names and the drawn signature are not here:
    they are in the vault (``ConsentSignature``). The receipt and the scan are stored encrypted with the vault keys
    (``consent.documents``); ``receipt_sha256`` is the SHA-256 of the receipt PDF as served (the decrypted bytes a
    reader downloads and can recompute), ``scan_sha256`` that of the scan as uploaded.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, related_name="consents")
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="consents")
    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="consents")
    language = models.CharField(_("language"), max_length=10)
    source = models.CharField(_("source"), max_length=12, choices=ConsentSource.choices)
    status = models.CharField(_("status"), max_length=12, choices=ConsentStatus.choices)
    signed_on = models.DateField(_("signed on"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The typed name, drawn signature and representative's name are in the vault (``ConsentSignature``).
    representative_relation = models.CharField(_("relation to the donor"), max_length=100, blank=True)
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    countersigned_at = models.DateTimeField(null=True, blank=True)
    receipt = models.FileField(upload_to=_receipt_path, blank=True)
    receipt_sha256 = models.CharField(max_length=64, blank=True)
    receipt_generated_at = models.DateTimeField(null=True, blank=True)
    scan = models.FileField(upload_to=_scan_path, blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)
    scan_content_type = models.CharField(max_length=40, blank=True)
    qc_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    qc_at = models.DateTimeField(null=True, blank=True)
    qc_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["biobank", "status"], name="consent_biobank_status")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(source=ConsentSource.ELECTRONIC) | models.Q(countersigned_by__isnull=False),
                name="consent_electronic_is_countersigned",
            ),
            models.CheckConstraint(
                condition=~models.Q(source=ConsentSource.PAPER_SCAN) | ~models.Q(scan=""),
                name="consent_paper_has_scan",
            ),
            models.CheckConstraint(
                condition=models.Q(qc_by__isnull=True) | ~models.Q(qc_by=models.F("recorded_by")),
                name="consent_qc_by_a_second_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} · {self.donor.pid}"

    @property
    def counts(self) -> bool:
        """Whether the gate may use this consent (a scan counts only after QC approval)."""
        return self.status == ConsentStatus.VALID


class ConsentModuleChoice(models.Model):
    """The donor's answer for one module of the signed template version."""

    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="choices")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("choice"), max_length=12, choices=ModuleChoice.choices)

    class Meta:
        ordering = ["consent", "pk"]
        constraints = [models.UniqueConstraint(fields=["consent", "module"], name="consent_module_choice_once")]

    def __str__(self) -> str:
        return f"{self.module}: {self.choice}"


class PolicyState(models.Model):
    """One entry of the append-only history of a policy's state in a consent (per module that carries it).

    ``valid_to`` is the last valid day (inclusive; shortest of template, module and policy validity) or ``None``.
    """

    # A donor merge leaves the history as recorded (the database refuses updates); the gate counts the states of
    # donors merged into the asked one.
    KEEP_ON_MERGE = True

    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="policy_states")
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="policy_states")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="states")
    state = models.CharField(_("state"), max_length=12, choices=PolicyStateValue.choices)
    valid_from = models.DateField(_("effective from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["consent", "module", "policy", "valid_from", "recorded_at", "pk"]
        indexes = [models.Index(fields=["donor", "policy"], name="policystate_donor_policy")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state=PolicyStateValue.EXPIRED), name="policystate_expired_is_derived"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="policystate_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy}: {self.state} from {self.valid_from}"
